/**
 * The messages whose answers from pysiaalarm are recorded (record.ts → test/arc/fixtures/), replayed
 * by the stand-in (rig/arc-receiver/pysia-standin.ts), and re-checked against the real receiver where it is
 * installed (pysiaalarm.test.ts). `reading` is what Vigil must make of the answer.
 */
import type { Dc09Message } from '../../../arc/src/dc09';

/** The accounts the recorded receiver knew. Keys are text (16 characters, hex digits as Home Assistant requires). */
export const PYSIA_KEY = '0123456789ABCDEF';
export const PYSIA_ACCOUNTS = [{ account_id: '1234' }, { account_id: '0001' }, { account_id: 'ABCD', key: PYSIA_KEY }];

export type Reading =
  | { ok: true; kind: 'ACK' | 'NAK' | 'DUH'; unframed?: true; encrypted?: boolean; timestamp?: boolean }
  | { ok: false; code: string };

export interface PysiaCase {
  name: string;
  note: string;
  message: Dc09Message;
  /** Text key to encrypt with. */
  key?: string;
  /** Our timestamp minus the time of sending. */
  skewMs?: number;
  /** Damage the CRC field. */
  badCrc?: boolean;
  reading: Reading;
}

const msg = (over: Partial<Dc09Message>): Dc09Message => ({ token: 'SIA-DCS', seq: 1, receiver: '1', line: '1', account: '1234', data: '#1234|NPA007', xdata: '', ...over });
const ACK = { ok: true, kind: 'ACK' } as const;
/** The same message without a receiver number. */
const noReceiver = ({ receiver: _r, ...m }: Dc09Message): Dc09Message => m;

export const PYSIA_CASES: PysiaCase[] = [
  { name: 'null', note: 'NULL link test of a known account', message: msg({ token: 'NULL', seq: 1, account: '0001', data: '' }), reading: ACK },
  { name: 'null-no-receiver', note: 'no R in our message: pysiaalarm writes None as the receiver', message: noReceiver(msg({ token: 'NULL', seq: 2, account: '0001', data: '' })), reading: ACK },
  { name: 'sia-xdata', note: 'SIA-DCS with position and text (three extended blocks)', message: msg({ seq: 3, data: '#1234|Nri1/PA007', xdata: '[X4.895200][Y52.370200][ISOS test]' }), reading: ACK },
  { name: 'cid-one-block', note: 'Contact ID with one extended block', message: msg({ token: 'ADM-CID', seq: 4, data: '#1234|1120 01 007', xdata: '[ISOS test]' }), reading: ACK },
  {
    name: 'cid-two-blocks', note: 'Contact ID with two extended blocks: its parser fails, NAK with L and R swapped and its time',
    message: msg({ token: 'ADM-CID', seq: 5, data: '#1234|1120 01 007', xdata: '[X4.895200][Y52.370200]' }), reading: { ok: true, kind: 'NAK', timestamp: true },
  },
  { name: 'unknown-account', note: 'a plain message for an account it does not know: a bare "NAK", no framing', message: msg({ seq: 6, account: '9999', data: '#9999|NPA007' }), reading: { ok: true, kind: 'NAK', unframed: true } },
  { name: 'unknown-code', note: 'an event code it does not know: DUH', message: msg({ seq: 7, data: '#1234|NQQ007' }), reading: { ok: true, kind: 'DUH' } },
  { name: 'stale', note: 'our timestamp 10 minutes behind: NAK with its time', message: msg({ seq: 8 }), skewMs: -600_000, reading: { ok: true, kind: 'NAK', timestamp: true } },
  { name: 'stale-no-receiver', note: 'the same without R: None in the NAK', message: noReceiver(msg({ seq: 9 })), skewMs: -600_000, reading: { ok: true, kind: 'NAK', timestamp: true } },
  { name: 'encrypted', note: 'AES-128 with the text key: *ACK, pad of zeros without |', message: msg({ seq: 10, account: 'ABCD', data: '#ABCD|NPA007' }), key: PYSIA_KEY, reading: { ok: true, kind: 'ACK', encrypted: true, timestamp: true } },
  {
    name: 'encrypted-xdata', note: 'encrypted with an extended block: the *ACK carries [K<key>] inside the encryption',
    message: msg({ seq: 11, account: 'ABCD', data: '#ABCD|NPA007', xdata: '[ISOS test]' }), key: PYSIA_KEY, reading: { ok: true, kind: 'ACK', encrypted: true, timestamp: true },
  },
  { name: 'encrypted-wrong-key', note: 'another key: the decrypted text does not parse, NAK swapped', message: msg({ seq: 12, account: 'ABCD', data: '#ABCD|NPA007' }), key: 'FEDCBA9876543210', reading: { ok: true, kind: 'NAK', timestamp: true } },
  { name: 'encrypted-unknown-account', note: 'encrypted for an account it does not know: NAK swapped (framed, unlike plain)', message: msg({ seq: 13, account: '9999', data: '#9999|NPA007' }), key: PYSIA_KEY, reading: { ok: true, kind: 'NAK', timestamp: true } },
  { name: 'encrypted-unknown-code', note: 'encrypted, unknown code: DUH in clear', message: msg({ seq: 14, account: 'ABCD', data: '#ABCD|NQQ007' }), key: PYSIA_KEY, reading: { ok: true, kind: 'DUH' } },
  {
    name: 'encrypted-unknown-code-xdata', note: 'encrypted with an extended block, unknown code: DUH in clear that echoes the key as [K<key>]',
    message: msg({ seq: 15, account: 'ABCD', data: '#ABCD|NQQ007', xdata: '[ISOS test]' }), key: PYSIA_KEY, reading: { ok: true, kind: 'DUH' },
  },
  { name: 'plain-to-encrypted-account', note: 'a plain message for an account that has a key: accepted', message: msg({ seq: 16, account: 'ABCD', data: '#ABCD|NPA007' }), reading: ACK },
  { name: 'encrypted-to-plain-account', note: 'encrypted for an account without key: NAK swapped', message: msg({ seq: 17 }), key: PYSIA_KEY, reading: { ok: true, kind: 'NAK', timestamp: true } },
  { name: 'unknown-account-unknown-code', note: 'unknown account and code: a bare "DUH"', message: msg({ seq: 18, account: '9999', data: '#9999|NQQ007' }), reading: { ok: true, kind: 'DUH', unframed: true } },
  { name: 'bad-crc', note: 'our CRC field damaged: an empty frame <LF><CR>', message: msg({ seq: 19 }), badCrc: true, reading: { ok: false, code: 'empty_frame' } },
];

/**
 * Decoding the receiver's answer to one of our messages (DC-09 §5.5.3), at the edge: any input
 * gives a value, never a throw.
 *
 * - ACK: `"ACK"<seq>[R…]L…#<acct>[]`, encrypted as `"*ACK"…#<acct>[<hex>` (pad|]_timestamp) when
 *   our message was encrypted — a plain ACK to an encrypted message is not accepted, since anybody
 *   on the path could forge one.
 * - NAK: `"NAK"0000R0L0A0[]_HH:MM:SS,MM-DD-YYYY`, never encrypted; carries the receiver's clock so
 *   that we can correct our timestamps when it rejected them as out of its window.
 * - DUH: the receiver got the message intact but cannot process it (unknown code, format…).
 * - RSP: an acknowledgement with data for the premises; treated as an ACK.
 *
 * Forms real receivers send besides the standard's (recorded from pysiaalarm, the receiver behind
 * Home Assistant's SIA integration: test/arc/fixtures/): R and L in either order
 * (`"NAK"0000L0R0A0[]…`), `None` for the receiver number when the receiver has none configured,
 * a bare `"NAK"` or `"DUH"` without LF, CRC, length or CR when it does not know the account (the
 * channel's FrameReader cuts those out), and an empty frame `<LF><CR>` when it could not check the
 * CRC. A bare answer carries no sequence number: it can only answer the one message in flight, and a
 * bare ACK is never taken as a delivery.
 */
import { crc16, decryptRegion, parseTrailingTimestamp } from './dc09';

export type ResponseKind = 'ACK' | 'NAK' | 'DUH' | 'RSP';

export type ResponseError =
  | 'bad_frame' | 'empty_frame' | 'bad_length' | 'bad_crc' | 'bad_token' | 'unframed_ack' | 'seq_mismatch' | 'account_mismatch' | 'not_encrypted' | 'bad_decrypt';

export type DecodedResponse =
  /** `unframed`: a bare `"NAK"`/`"DUH"` (no sequence number, no time). */
  | { ok: true; kind: ResponseKind; seq: number; encrypted: boolean; timestampMs?: number; unframed?: true }
  | { ok: false; code: ResponseError; detail: string };

export interface Expectation {
  seq: number;
  account: string;
  /** Our message was encrypted with this key. */
  key?: Buffer;
}

// Receiver and line in either order; `None` is what pysiaalarm writes for a receiver number it has not got.
const HEAD = /^"(\*?)(ACK|NAK|DUH|RSP)"(\d{4})(?:R[0-9A-Fa-f]{1,6}|L[0-9A-Fa-f]{1,6}|None){0,3}(?:#([0-9A-Fa-f]{3,16})|A[0-9A-Fa-f]{0,16})?\[([\s\S]*)$/;
/** What FrameReader cuts out when a receiver answers without any framing. */
export const UNFRAMED = /"\*?(ACK|NAK|DUH|RSP)"/;
const CLEAR_TAIL = /\](?:\[[^[\]]*\])*(?:_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4})?$/;

function fail(code: ResponseError, detail: string): DecodedResponse {
  return { ok: false, code, detail };
}

/** Checks the envelope (LF, CRC, length, CR) and returns the body between length and CR. */
export function unwrapFrame(raw: string): { ok: true; body: string } | { ok: false; code: 'bad_frame' | 'bad_length' | 'bad_crc'; detail: string } {
  if (raw.length < 10 || raw[0] !== '\n' || raw[raw.length - 1] !== '\r') return { ok: false, code: 'bad_frame', detail: 'not <LF>…<CR>' };
  const crcHex = raw.slice(1, 5);
  const lenHex = raw.slice(5, 9);
  if (!/^[0-9A-Fa-f]{4}$/.test(crcHex) || !/^0[0-9A-Fa-f]{3}$/.test(lenHex)) return { ok: false, code: 'bad_frame', detail: 'CRC or length field is not hex' };
  const body = raw.slice(9, -1);
  if (parseInt(lenHex, 16) !== body.length) return { ok: false, code: 'bad_length', detail: `length field ${lenHex}, body ${body.length}` };
  const crc = crc16(body);
  if (parseInt(crcHex, 16) !== crc) return { ok: false, code: 'bad_crc', detail: `CRC field ${crcHex}, computed ${crc.toString(16).toUpperCase().padStart(4, '0')}` };
  return { ok: true, body };
}

export function decodeResponse(raw: string, expect: Expectation): DecodedResponse {
  if (raw === '\n\r') return fail('empty_frame', 'an empty answer <LF><CR>: the receiver could not check our frame (pysiaalarm answers a CRC mismatch so)');
  if (raw[0] === '"') {
    const token = UNFRAMED.exec(raw)?.[1] as ResponseKind | undefined;
    if (token === 'NAK' || token === 'DUH') return { ok: true, kind: token, seq: 0, encrypted: false, unframed: true };
    return fail('unframed_ack', `${JSON.stringify(raw.slice(0, 12))} without framing or sequence number: not taken as an acknowledgement`);
  }
  const frame = unwrapFrame(raw);
  if (!frame.ok) return fail(frame.code, frame.detail);
  const m = HEAD.exec(frame.body);
  if (!m) return fail('bad_token', `not an ACK, NAK, DUH or RSP: ${JSON.stringify(frame.body.slice(0, 40))}`);
  const [, star, token, seqText, account, rest] = m as unknown as [string, string, ResponseKind, string, string | undefined, string];
  const encrypted = star === '*';
  const seq = Number(seqText);

  if (token === 'NAK') {
    // Never encrypted, and sequence 0000: it answers whatever arrived, so it is not matched by number.
    const ts = parseTrailingTimestamp(rest);
    return ts === undefined ? { ok: true, kind: 'NAK', seq, encrypted: false } : { ok: true, kind: 'NAK', seq, encrypted: false, timestampMs: ts };
  }
  if (seq !== expect.seq) return fail('seq_mismatch', `answer for ${seqText}, expected ${String(expect.seq).padStart(4, '0')}`);
  if (account !== undefined && account.toUpperCase() !== expect.account) return fail('account_mismatch', `answer for account ${account}, expected ${expect.account}`);

  let clear = rest;
  if (encrypted) {
    if (!expect.key) return fail('bad_decrypt', 'encrypted answer to an unencrypted message');
    const text = decryptRegion(rest, expect.key);
    const bar = text?.indexOf('|') ?? -1;
    // Some receivers pad without the '|'; accept that, but the decrypted tail must be well formed.
    clear = text === undefined ? '' : bar >= 0 ? text.slice(bar + 1) : text.slice(Math.max(0, text.lastIndexOf(']')));
    if (text === undefined || !CLEAR_TAIL.test(clear)) return fail('bad_decrypt', 'the encrypted answer does not decrypt with our key');
  } else if (expect.key && (token === 'ACK' || token === 'RSP')) {
    return fail('not_encrypted', `plain ${token} to an encrypted message`);
  }
  const ts = parseTrailingTimestamp(clear);
  return ts === undefined ? { ok: true, kind: token, seq, encrypted } : { ok: true, kind: token, seq, encrypted, timestampMs: ts };
}

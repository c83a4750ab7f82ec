/**
 * The transmitter's DC-09 codec against the standard's example frames and against the independent
 * test receiver's codec (rig/arc-receiver/codec.ts).
 */
import { randomBytes } from 'node:crypto';
import { crc16, type Dc09Message, encodeFrame, formatTimestamp, nextSeq, parseTrailingTimestamp } from '../../arc/src/dc09';
import { FrameReader } from '../../arc/src/channel';
import { decodeResponse } from '../../arc/src/response';
import { answerFor, dc09Crc, decryptHex, examine, type ExamineOptions, frame } from '../../rig/arc-receiver/codec';

// Example frames of ANSI/SIA DC-09 (SIA-DCS and ADM-CID with receiver and line numbers).
const STANDARD_SIA = '\nCE110032"SIA-DCS"9876R579BDFL789ABC#12345A[#12345A|NFA129]\r';
const STANDARD_CID = '\n87CD0037"ADM-CID"9876R579BDFL789ABC#12345A[#12345A|1110 00 129]\r';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const base: Dc09Message = { token: 'SIA-DCS', seq: 42, receiver: '1', line: '2', account: '1234', data: '#1234|NPA001', xdata: '' };

function receiverOpts(key?: Buffer, nowMs = T0): ExamineOptions {
  return { accounts: new Map([['1234', key ? { key } : {}]]), nowMs, pastWindowMs: 40_000, futureWindowMs: 20_000, unsupported: new Set() };
}

describe('DC-09 framing (transmitter)', () => {
  it('reproduces the standard’s example frames byte for byte (CRC-16/ARC, 0LLL length)', () => {
    const common = { seq: 9876, receiver: '579BDF', line: '789ABC', account: '12345A', xdata: '' };
    expect(encodeFrame({ ...common, token: 'SIA-DCS', data: '#12345A|NFA129' }, { timestampMs: null })).toBe(STANDARD_SIA);
    expect(encodeFrame({ ...common, token: 'ADM-CID', data: '#12345A|1110 00 129' }, { timestampMs: null })).toBe(STANDARD_CID);
  });

  it('the independent receiver accepts the standard’s example frames too', () => {
    const any: ExamineOptions = { ...receiverOpts(), accounts: new Map([['*', {}]]) };
    expect(examine(STANDARD_SIA, any)).toMatchObject({ answer: 'ACK', msg: { token: 'SIA-DCS', seq: '9876', receiver: '579BDF', line: '789ABC', account: '12345A', data: '#12345A|NFA129' } });
    expect(examine(STANDARD_CID, any)).toMatchObject({ answer: 'ACK', msg: { token: 'ADM-CID', data: '#12345A|1110 00 129' } });
  });

  it('agrees with the receiver’s independent table-driven CRC on random input', () => {
    for (let i = 0; i < 200; i++) {
      const s = randomBytes(1 + (i % 90)).toString('latin1');
      expect(crc16(s)).toBe(dc09Crc(Buffer.from(s, 'latin1')));
    }
  });

  it('stamps UTC time as _HH:MM:SS,MM-DD-YYYY and reads it back', () => {
    expect(formatTimestamp(T0 + 3723_000)).toBe('_09:02:03,01-05-2026');
    expect(parseTrailingTimestamp('x]_09:02:03,01-05-2026')).toBe(T0 + 3723_000);
    expect(parseTrailingTimestamp('x]_25:02:03,01-05-2026')).toBeUndefined();
  });

  it('wraps the sequence number from 9999 to 0001', () => {
    expect(nextSeq(0)).toBe(1);
    expect(nextSeq(41)).toBe(42);
    expect(nextSeq(9999)).toBe(1);
  });

  it('sends plain messages the receiver accepts, with extended data and the timestamp', () => {
    const raw = encodeFrame({ ...base, xdata: '[X4.895200][Y52.370200][ISOS alarm 7]' }, { timestampMs: T0 });
    expect(raw).toMatch(/^\n[0-9A-F]{4}0[0-9A-F]{3}"SIA-DCS"0042R1L2#1234\[#1234\|NPA001\]\[X4\.895200\]\[Y52\.370200\]\[ISOS alarm 7\]_08:00:00,01-05-2026\r$/);
    const v = examine(raw, receiverOpts());
    expect(v).toMatchObject({ answer: 'ACK', msg: { token: 'SIA-DCS', seq: '0042', data: '#1234|NPA001', timestampMs: T0 } });
    expect(v.msg?.xdata).toEqual([{ id: 'X', value: '4.895200' }, { id: 'Y', value: '52.370200' }, { id: 'I', value: 'SOS alarm 7' }]);
  });

  it.each([16, 24, 32])('encrypts with %i-byte AES keys so that the receiver decrypts every data length', (keyLength) => {
    const key = randomBytes(keyLength);
    for (let n = 0; n < 40; n++) {
      const data = `#1234|NPA${String(n).padStart(3, '0')}`;
      const raw = encodeFrame({ ...base, data, xdata: n % 2 ? `[I${'t'.repeat(n)}]` : '' }, { timestampMs: T0, key });
      expect(raw).toMatch(/^\n[0-9A-F]{8}"\*SIA-DCS"0042R1L2#1234\[(?:[0-9A-F]{32})+\r$/);
      const hex = raw.slice(raw.indexOf('[') + 1, -1);
      const plain = decryptHex(hex, key)!;
      const bar = plain.indexOf(0x7c);
      expect(bar).toBeGreaterThanOrEqual(1); // 1–16 pad characters, never | [ ]
      expect(bar).toBeLessThanOrEqual(16);
      expect([...plain.subarray(0, bar)].some((b) => b === 0x7c || b === 0x5b || b === 0x5d)).toBe(false);
      expect(examine(raw, receiverOpts(key))).toMatchObject({ answer: 'ACK', msg: { encrypted: true, data } });
    }
  });

  it('is refused by a receiver with another key (NAK)', () => {
    const raw = encodeFrame(base, { timestampMs: T0, key: randomBytes(16) });
    expect(examine(raw, receiverOpts(randomBytes(16))).answer).toBe('NAK');
  });

  it('is refused by the receiver when a character changed on the way (CRC)', () => {
    const raw = encodeFrame(base, { timestampMs: T0 });
    const damaged = raw.replace('NPA001', 'NPA002');
    expect(examine(damaged, receiverOpts())).toMatchObject({ answer: 'NAK', reason: 'crc' });
  });

  it('is refused when its timestamp is outside −40 s … +20 s of the receiver clock', () => {
    const raw = encodeFrame(base, { timestampMs: T0 });
    expect(examine(raw, receiverOpts(undefined, T0 + 40_000)).answer).toBe('ACK');
    expect(examine(raw, receiverOpts(undefined, T0 + 41_000))).toMatchObject({ answer: 'NAK', reason: 'timestamp window' });
    expect(examine(raw, receiverOpts(undefined, T0 - 20_000)).answer).toBe('ACK');
    expect(examine(raw, receiverOpts(undefined, T0 - 21_000))).toMatchObject({ answer: 'NAK', reason: 'timestamp window' });
  });

  it('refuses programmer errors loudly', () => {
    expect(() => encodeFrame({ ...base, account: '12' }, { timestampMs: T0 })).toThrow(/account/);
    expect(() => encodeFrame({ ...base, data: 'a]b' }, { timestampMs: T0 })).toThrow(/brackets/);
    expect(() => encodeFrame(base, { timestampMs: null, key: randomBytes(16) })).toThrow(/timestamp/);
    expect(() => encodeFrame({ ...base, xdata: `[I${'x'.repeat(5000)}]` }, { timestampMs: T0 })).toThrow(/too long/);
  });
});

describe('DC-09 answers (transmitter side)', () => {
  const expect42 = { seq: 42, account: '1234' };

  it('takes the receiver’s ACK, DUH and NAK with its clock', () => {
    const raw = encodeFrame(base, { timestampMs: T0 });
    const ack = answerFor(examine(raw, receiverOpts()), undefined, T0);
    expect(decodeResponse(ack, expect42)).toEqual({ ok: true, kind: 'ACK', seq: 42, encrypted: false });
    const duh = answerFor({ answer: 'DUH', msg: examine(raw, receiverOpts()).msg!, reason: 'x' }, undefined, T0);
    expect(decodeResponse(duh, expect42)).toMatchObject({ ok: true, kind: 'DUH', seq: 42 });
    const nak = answerFor({ answer: 'NAK', reason: 'timestamp window' }, undefined, T0 + 300_000);
    expect(nak).toMatch(/"NAK"0000R0L0A0\[\]_08:05:00,01-05-2026\r$/);
    expect(decodeResponse(nak, expect42)).toEqual({ ok: true, kind: 'NAK', seq: 0, encrypted: false, timestampMs: T0 + 300_000 });
  });

  it('needs an encrypted ACK that decrypts with our key when the message was encrypted', () => {
    const key = randomBytes(32);
    const raw = encodeFrame(base, { timestampMs: T0, key });
    const v = examine(raw, receiverOpts(key));
    const ack = answerFor(v, key, T0 + 1000);
    expect(ack).toMatch(/"\*ACK"0042R1L2#1234\[(?:[0-9A-F]{32})+\r$/);
    expect(decodeResponse(ack, { ...expect42, key })).toEqual({ ok: true, kind: 'ACK', seq: 42, encrypted: true, timestampMs: T0 + 1000 });
    expect(decodeResponse(ack, { ...expect42, key: randomBytes(32) })).toMatchObject({ ok: false, code: 'bad_decrypt' });
    const plainAck = answerFor(v, undefined, T0);
    expect(decodeResponse(plainAck, { ...expect42, key })).toMatchObject({ ok: false, code: 'not_encrypted' });
  });

  it.each([
    ['another sequence number', frame('"ACK"0041L2#1234[]'), 'seq_mismatch'],
    ['another account', frame('"ACK"0042L2#9999[]'), 'account_mismatch'],
    ['a damaged CRC', frame('"ACK"0042L2#1234[]').replace('[]', '[}'), 'bad_crc'],
    ['a wrong length', '\n00000005"ACK"0042L2#1234[]\r', 'bad_length'],
    ['an unknown token', frame('"HUH"0042L2#1234[]'), 'bad_token'],
    ['no framing', '"ACK"0042L2#1234[]', 'unframed_ack'],
  ])('rejects an answer with %s', (_what, raw, code) => {
    expect(decodeResponse(raw, expect42)).toMatchObject({ ok: false, code });
  });

  it('never throws on arbitrary bytes', () => {
    for (let i = 0; i < 500; i++) {
      const junk = randomBytes(i % 64).toString('latin1');
      expect(() => decodeResponse(`\n${junk}\r`, expect42)).not.toThrow();
      expect(() => decodeResponse(frame(`"*ACK"0042L2#1234[${junk.length ? randomBytes(16 * (i % 3)).toString('hex') : ''}`), { ...expect42, key: randomBytes(16) })).not.toThrow();
    }
  });
});

describe('frame reader', () => {
  it('cuts frames split at every byte and skips garbage between them', () => {
    const stream = `junk${frame('"ACK"0001L0#1234[]')}\x00\x01${frame('"NAK"0000R0L0A0[]_08:00:00,01-05-2026')}`;
    for (let cut = 0; cut <= stream.length; cut++) {
      const r = new FrameReader();
      const got = [...r.push(stream.slice(0, cut)), ...r.push(stream.slice(cut))];
      expect(got).toEqual([frame('"ACK"0001L0#1234[]'), frame('"NAK"0000R0L0A0[]_08:00:00,01-05-2026')]);
    }
  });
});

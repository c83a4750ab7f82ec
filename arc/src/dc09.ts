/**
 * ANSI/SIA DC-09 framing for the transmitter side (DC-09 calls it the premises equipment, PE), as
 * pure functions without I/O. The receiver side is the alarm-receiving centre's receiver (CSR).
 *
 *   <LF><crc><0LLL>"<id>"<seq>[R<rcvr>]L<line>#<acct>[<data>]<xdata><_timestamp><CR>
 *
 * - crc: CRC-16 of DC-09 §5.5.1.2 (polynomial x^16+x^15+x^2+1, processed LSB first, i.e. the
 *   reflected form 0xA001, initial value 0, no final xor; "CRC-16/ARC"), over every byte from the
 *   opening quote of the id to the last character before <CR>, as 4 upper-case hex digits. Checked
 *   against the standard's own example frames (test/arc/dc09.test.ts).
 * - 0LLL: the number of those same bytes, '0' then 3 hex digits.
 * - seq: 0001–9999, wrapping to 0001; a retransmission repeats the sequence number of its message.
 * - Encryption (§5.4): AES-CBC with an all-zero IV and a 128/192/256-bit key; the id gets a '*'
 *   prefix; everything after the data's opening '[' — pad, '|', data, ']', extended data and the
 *   timestamp, which is then mandatory — is encrypted and sent as upper-case hex, and the frame has
 *   no closing bracket. The pad is 1–16 pseudo-random characters other than '|', '[' and ']' so
 *   that the encrypted region is a multiple of 16 bytes (16 when it already was).
 * - Timestamp `_HH:MM:SS,MM-DD-YYYY` in UTC.
 */
import { createCipheriv, createDecipheriv, randomInt } from 'node:crypto';

export type Dc09Token = 'SIA-DCS' | 'ADM-CID' | 'NULL';

export interface Dc09Message {
  token: Dc09Token;
  /** 1–9999. */
  seq: number;
  /** Receiver number, 1–6 hex digits; omitted when the receiver does not use one. */
  receiver?: string;
  /** Line (account prefix) number, 1–6 hex digits; "0" when unused. */
  line: string;
  /** Account, 3–16 hex digits. */
  account: string;
  /** What goes between '[' and ']' ('' for a NULL message). */
  data: string;
  /** Extended data blocks, e.g. `[X4.8952][Y52.3702]`, or ''. */
  xdata: string;
}

const HEX = /^[0-9A-F]+$/;

/** CRC-16/ARC as DC-09 specifies it (see the file comment). */
export function crc16(text: string): number {
  let crc = 0;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i) & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `_HH:MM:SS,MM-DD-YYYY` in UTC. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `_${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())},${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}-${d.getUTCFullYear()}`;
}

const TIMESTAMP = /_(\d\d):(\d\d):(\d\d),(\d\d)-(\d\d)-(\d{4})$/;

/** Epoch ms of a trailing `_HH:MM:SS,MM-DD-YYYY`, or undefined when there is none or it is not a date. */
export function parseTrailingTimestamp(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [h, mi, s, mo, d, y] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (h > 23 || mi > 59 || s > 59 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

export function isValidKey(key: Buffer): boolean {
  return key.length === 16 || key.length === 24 || key.length === 32;
}

function cipherName(key: Buffer): string {
  if (!isValidKey(key)) throw new Error(`AES key must be 16, 24 or 32 bytes, not ${key.length}`);
  return `aes-${key.length * 8}-cbc`;
}

const PAD_CHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_v, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '|' && c !== '[' && c !== ']').join('');

/** Random pad characters (printable, so receivers that decode the plaintext as text cope too). */
export function randomPad(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += PAD_CHARS[randomInt(PAD_CHARS.length)];
  return out;
}

/** Encrypts `clear` (the characters after the opening '[') with its pad; returns upper-case hex. */
export function encryptRegion(clear: string, key: Buffer, pad: (length: number) => string = randomPad): string {
  const padLength = 16 - ((clear.length + 1) % 16); // 1..16, counting the '|' that ends the pad
  const plain = Buffer.from(`${pad(padLength)}|${clear}`, 'latin1');
  const cipher = createCipheriv(cipherName(key), key, Buffer.alloc(16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('hex').toUpperCase();
}

/** Decrypts hex; undefined when it is not whole AES blocks. The pad is returned with the text. */
export function decryptRegion(hex: string, key: Buffer): string | undefined {
  if (hex.length === 0 || hex.length % 32 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const decipher = createDecipheriv(cipherName(key), key, Buffer.alloc(16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(hex, 'hex')), decipher.final()]).toString('latin1');
}

function seqText(seq: number): string {
  if (!Number.isInteger(seq) || seq < 0 || seq > 9999) throw new Error(`DC-09 sequence number out of range: ${seq}`);
  return String(seq).padStart(4, '0');
}

/** The next sequence number after `seq`: 1…9999, then 1 again. */
export function nextSeq(seq: number): number {
  return seq >= 9999 || seq < 1 ? 1 : seq + 1;
}

export interface EncodeOptions {
  /** Epoch ms to stamp the message with (already corrected by any learned receiver offset); null for none (unencrypted only). */
  timestampMs: number | null;
  key?: Buffer;
  pad?: (length: number) => string;
}

/** Builds a whole frame, <LF> to <CR>. Throws only on programmer errors (bad numbers, oversize). */
export function encodeFrame(msg: Dc09Message, opts: EncodeOptions): string {
  if (!HEX.test(msg.account) || msg.account.length < 3 || msg.account.length > 16) throw new Error(`Invalid DC-09 account '${msg.account}'`);
  if (!HEX.test(msg.line) || msg.line.length > 6) throw new Error(`Invalid DC-09 line number '${msg.line}'`);
  if (msg.receiver !== undefined && (!HEX.test(msg.receiver) || msg.receiver.length > 6)) throw new Error(`Invalid DC-09 receiver number '${msg.receiver}'`);
  if (/[[\]]/.test(msg.data)) throw new Error('DC-09 data must not contain brackets');
  const encrypted = opts.key !== undefined;
  if (encrypted && opts.timestampMs === null) throw new Error('An encrypted DC-09 message needs a timestamp');
  const head = `"${encrypted ? '*' : ''}${msg.token}"${seqText(msg.seq)}${msg.receiver === undefined ? '' : `R${msg.receiver}`}L${msg.line}#${msg.account}[`;
  const clear = `${msg.data}]${msg.xdata}${opts.timestampMs === null ? '' : formatTimestamp(opts.timestampMs)}`;
  const body = head + (opts.key ? encryptRegion(clear, opts.key, opts.pad) : clear);
  return wrapBody(body);
}

/** <LF><crc><0LLL><body><CR>. */
export function wrapBody(body: string): string {
  if (body.length > 0xfff) throw new Error(`DC-09 message too long (${body.length} > 4095 characters)`);
  const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
  return `\n${hex4(crc16(body))}${hex4(body.length)}${body}\r`;
}

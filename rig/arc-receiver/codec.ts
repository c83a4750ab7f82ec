/**
 * An alarm-receiving centre's receiver (DC-09 "CSR"), written for the tests from the standard
 * (ANSI/SIA DC-09 §5.4–5.5, DC-03, DC-05) and sharing no code with the transmitter in
 * arc/src: its own CRC (table driven from the polynomial), parser, AES, timestamps and
 * answers. This file is the message logic; receiver.ts puts it on TCP and UDP sockets.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** DC-09 CRC: polynomial x^16 + x^15 + x^2 + 1 (0x8005), bits taken LSB first, register starts at 0. */
const POLY_REFLECTED = (() => {
  let r = 0;
  for (let i = 0; i < 16; i++) if (0x8005 & (1 << i)) r |= 1 << (15 - i);
  return r;
})();

const CRC_TABLE = Array.from({ length: 256 }, (_v, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
  return c;
});

export function dc09Crc(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

export function frame(body: string): string {
  const bytes = Buffer.from(body, 'latin1');
  const crc = dc09Crc(bytes).toString(16).toUpperCase().padStart(4, '0');
  const len = bytes.length.toString(16).toUpperCase().padStart(3, '0');
  return `\n${crc}0${len}${body}\r`;
}

export function stamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return `_${iso.slice(11, 19)},${iso.slice(5, 7)}-${iso.slice(8, 10)}-${iso.slice(0, 4)}`;
}

export function readStamp(s: string): number | undefined {
  const m = /^_(\d{2}):(\d{2}):(\d{2}),(\d{2})-(\d{2})-(\d{4})$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[6]}-${m[4]}-${m[5]}T${m[1]}:${m[2]}:${m[3]}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

function aes(key: Buffer, decrypt: boolean): ReturnType<typeof createCipheriv> {
  const name = `aes-${key.length * 8}-cbc`;
  const iv = Buffer.alloc(16, 0);
  const c = decrypt ? createDecipheriv(name, key, iv) : createCipheriv(name, key, iv);
  c.setAutoPadding(false);
  return c;
}

export function decryptHex(hex: string, key: Buffer): Buffer | undefined {
  if (!/^(?:[0-9A-F]{32})+$/.test(hex)) return undefined;
  const c = aes(key, true);
  return Buffer.concat([c.update(Buffer.from(hex, 'hex')), c.final()]);
}

/** pad (bytes other than | [ ]) + '|' + clear, to a multiple of 16, encrypted, upper-case hex. */
export function encryptWithPad(clear: string, key: Buffer): string {
  const need = 16 - ((Buffer.byteLength(clear, 'latin1') + 1) % 16);
  const pad = [...randomBytes(need)].map((b) => (b === 0x7c || b === 0x5b || b === 0x5d ? 0x30 : b));
  const c = aes(key, false);
  return Buffer.concat([c.update(Buffer.concat([Buffer.from(pad), Buffer.from(`|${clear}`, 'latin1')])), c.final()]).toString('hex').toUpperCase();
}

export interface Message {
  encrypted: boolean;
  token: string;
  seq: string;
  receiver?: string;
  line: string;
  account: string;
  data: string;
  xdata: { id: string; value: string }[];
  timestampMs?: number;
}

export type Verdict = { answer: 'ACK'; msg: Message } | { answer: 'DUH'; msg: Message; reason: string } | { answer: 'NAK'; reason: string; msg?: Message };

export interface ExamineOptions {
  /** Accounts this receiver serves, with their AES key when they must encrypt. */
  accounts: Map<string, { key?: Buffer }>;
  nowMs: number;
  pastWindowMs: number;
  futureWindowMs: number;
  /** Codes this centre's automation does not handle (answers DUH). */
  unsupported: Set<string>;
}

/** DC-03 event codes this receiver knows (a subset; others get DUH). */
export const KNOWN_SIA = new Set(
  'AB BA BH BR BZ CL FA FH HA HH HR JK MA MH MR NA NR NS NT OC OP PA PH PR QA QH QR RP RX TA TR TX UA UR XL XR XT YC YK YS YT'.split(' '),
);

const FRAME = /^\n([0-9A-F]{4})(0[0-9A-F]{3})([\s\S]*)\r$/;
const HEADER = /^"(\*?)([^"]+)"(\d{4})(?:R([0-9A-F]{1,6}))?L([0-9A-F]{1,6})#([0-9A-F]{3,16})\[([\s\S]*)$/;
const CLEAR = /^([^[\]]*)\]((?:\[[^[\]]*\])*)(_[0-9:,-]+)?$/;

export function examine(raw: string, o: ExamineOptions): Verdict {
  const f = FRAME.exec(raw);
  if (!f) return { answer: 'NAK', reason: 'format' };
  const body = f[3]!;
  if (parseInt(f[2]!, 16) !== Buffer.byteLength(body, 'latin1')) return { answer: 'NAK', reason: 'length' };
  if (parseInt(f[1]!, 16) !== dc09Crc(Buffer.from(body, 'latin1'))) return { answer: 'NAK', reason: 'crc' };
  const h = HEADER.exec(body);
  if (!h) return { answer: 'NAK', reason: 'header' };
  const [, star, token, seq, receiver, line, account, rest] = h as unknown as string[];
  const msg: Message = { encrypted: star === '*', token: token!, seq: seq!, line: line!, account: account!, data: '', xdata: [], ...(receiver ? { receiver } : {}) };
  if (!['SIA-DCS', 'ADM-CID', 'NULL'].includes(msg.token)) return { answer: 'DUH', msg, reason: `token ${msg.token}` };
  const acct = o.accounts.get(msg.account) ?? o.accounts.get('*');
  if (!acct) return { answer: 'NAK', reason: 'account', msg };
  let clear = rest!;
  if (acct.key) {
    if (!msg.encrypted) return { answer: 'NAK', reason: 'must be encrypted', msg };
    const plain = decryptHex(rest!, acct.key);
    const bar = plain ? plain.indexOf(0x7c) : -1;
    if (!plain || bar < 1 || plain.subarray(0, bar).some((b) => b === 0x5b || b === 0x5d)) return { answer: 'NAK', reason: 'decrypt', msg };
    clear = plain.subarray(bar + 1).toString('latin1');
  } else if (msg.encrypted) {
    return { answer: 'NAK', reason: 'no key for an encrypted message', msg };
  }
  const c = CLEAR.exec(clear);
  if (!c) return { answer: 'NAK', reason: 'data', msg };
  msg.data = c[1]!;
  msg.xdata = [...c[2]!.matchAll(/\[([^[\]])([^[\]]*)\]/g)].map((x) => ({ id: x[1]!, value: x[2]! }));
  if (c[3] !== undefined) {
    const ts = readStamp(c[3]);
    if (ts === undefined) return { answer: 'NAK', reason: 'timestamp format', msg };
    msg.timestampMs = ts;
  }
  if (msg.encrypted && msg.timestampMs === undefined) return { answer: 'NAK', reason: 'encrypted without timestamp', msg };
  if (msg.timestampMs !== undefined && (msg.timestampMs < o.nowMs - o.pastWindowMs || msg.timestampMs > o.nowMs + o.futureWindowMs)) {
    return { answer: 'NAK', reason: 'timestamp window', msg };
  }
  const problem = contentProblem(msg, o.unsupported);
  return problem ? { answer: 'DUH', msg, reason: problem } : { answer: 'ACK', msg };
}

export interface SiaEvent {
  account: string;
  area?: number;
  code: string;
  zone: string;
}

export interface CidEvent {
  account: string;
  qualifier: number;
  event: number;
  partition: number;
  zone: number;
}

export function parseSia(data: string): SiaEvent | undefined {
  const m = /^#([0-9A-F]{3,16})\|N(?:ri(\d{1,2})\/)?(?:id\d{1,4}\/)?([A-Z]{2})(\d{0,4})$/.exec(data);
  if (!m) return undefined;
  return { account: m[1]!, ...(m[2] === undefined ? {} : { area: Number(m[2]) }), code: m[3]!, zone: m[4]! };
}

export function parseCid(data: string): CidEvent | undefined {
  const m = /^#([0-9A-F]{3,16})\|([136])(\d{3}) (\d{2}) (\d{3})$/.exec(data);
  if (!m) return undefined;
  return { account: m[1]!, qualifier: Number(m[2]), event: Number(m[3]), partition: Number(m[4]), zone: Number(m[5]) };
}

function contentProblem(msg: Message, unsupported: Set<string>): string | undefined {
  if (msg.token === 'NULL') return msg.data === '' ? undefined : 'NULL with data';
  if (msg.token === 'SIA-DCS') {
    const e = parseSia(msg.data);
    if (!e || e.account !== msg.account) return 'SIA data';
    if (!KNOWN_SIA.has(e.code) || unsupported.has(e.code)) return `code ${e.code}`;
    return undefined;
  }
  const e = parseCid(msg.data);
  if (!e || e.account !== msg.account) return 'Contact ID data';
  if (unsupported.has(String(e.event))) return `event ${e.event}`;
  return undefined;
}

/** The answer frame for a verdict (DC-09 §5.5.3). */
export function answerFor(v: Verdict, key: Buffer | undefined, nowMs: number): string {
  if (v.answer === 'NAK') return frame(`"NAK"0000R0L0A0[]${stamp(nowMs)}`);
  const m = v.msg;
  const prefix = `${m.seq}${m.receiver ? `R${m.receiver}` : ''}L${m.line}#${m.account}[`;
  if (v.answer === 'DUH') return frame(`"DUH"${prefix}]`);
  if (m.encrypted && key) return frame(`"*ACK"${prefix}${encryptWithPad(`]${stamp(nowMs)}`, key)}`);
  return frame(`"ACK"${prefix}]`);
}

/**
 * DC-09 answers (centre/src/arc/response.ts, channel.ts's FrameReader): what a receiver — or whoever
 * sits on the path — sends back. Valid ACK/NAK/DUH/RSP answers from the project's encoder and the
 * variants pysiaalarm sends (R and L swapped, a bare "NAK", `None` as receiver number), then mutated:
 * characters changed, inserted, cut, the CRC made right again (it is no protection, only a checksum),
 * split anywhere on the byte stream and surrounded by noise.
 *
 * Invariants: nothing throws; a decoded answer is a value with a named code; an ACK is accepted only
 * for our sequence number and account, and — when our message was encrypted — only if it decrypts
 * with our key (nobody on the path can forge one); the frame reader never holds more than a frame.
 */
import fc from 'fast-check';
import { encryptRegion, formatTimestamp, wrapBody } from '../../arc/src/dc09';
import { FrameReader } from '../../arc/src/channel';
import { decodeResponse, type Expectation, UNFRAMED, unwrapFrame } from '../../arc/src/response';
import type { Surface } from './engine';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const ACCOUNT = '1234';
const NOW = Date.UTC(2026, 0, 5, 8, 0, 0);
const CODES = new Set(['bad_frame', 'empty_frame', 'unframed_ack', 'bad_length', 'bad_crc', 'bad_token', 'seq_mismatch', 'account_mismatch', 'not_encrypted', 'bad_decrypt']);

export interface Dc09Input {
  /** The answer as built before mutation. */
  base: { token: 'ACK' | 'NAK' | 'DUH' | 'RSP'; seq: number; account: string; rl: 'RL' | 'LR' | 'none' | 'None'; encrypted: boolean; stamp: boolean; xdata: string };
  /** Edits to the body before it is framed: [position fraction, delete count, inserted text]. */
  edits: [number, number, string][];
  fixCrc: boolean;
  /** Frame as received: noise before, split points, noise after. */
  before: string;
  after: string;
  splits: number[];
  /** What we sent: sequence number and whether encrypted. */
  ourSeq: number;
  ourEncrypted: boolean;
  raw?: string;
}

function body(b: Dc09Input['base']): string {
  const rl = b.rl === 'RL' ? 'R0L0' : b.rl === 'LR' ? 'L0R0' : b.rl === 'None' ? 'RNoneL0' : '';
  const tail = `]${b.xdata}${b.stamp ? formatTimestamp(NOW) : ''}`;
  if (b.token === 'NAK') return `"NAK"0000${rl}A0[${tail}`;
  const head = `"${b.encrypted ? '*' : ''}${b.token}"${String(b.seq).padStart(4, '0')}${rl}#${b.account}[`;
  return head + (b.encrypted ? encryptRegion(tail, KEY) : tail);
}

function build(input: Dc09Input): string {
  if (input.raw !== undefined) return input.raw;
  let text = body(input.base);
  for (const [at, del, ins] of input.edits) {
    const i = Math.floor(at * (text.length + 1));
    text = text.slice(0, i) + ins + text.slice(i + del);
  }
  if (!input.fixCrc) {
    // Keep the envelope of the unedited answer: length and CRC now disagree with the body.
    const framed = wrapBody(body(input.base).slice(0, 0xfff));
    return framed.slice(0, 9) + text + '\r';
  }
  return text.length > 0xfff ? '\n' + text + '\r' : wrapBody(text);
}

const printable = fc.string({ unit: fc.constantFrom(...'"*ACKNAKDUHRSP0123456789#[]|_:,-RLAE\r\n\x00\xff '.split('')), maxLength: 12 });

const arbitrary: fc.Arbitrary<Dc09Input> = fc.record({
  base: fc.record({
    token: fc.constantFrom('ACK', 'NAK', 'DUH', 'RSP'),
    seq: fc.oneof(fc.constant(42), fc.integer({ min: 0, max: 9999 })),
    account: fc.oneof(fc.constant(ACCOUNT), fc.constant('1235'), fc.constant('None'), fc.stringMatching(/^[0-9A-F]{3,16}$/)),
    rl: fc.constantFrom('RL', 'LR', 'none', 'None'),
    encrypted: fc.boolean(),
    stamp: fc.boolean(),
    xdata: fc.oneof(fc.constant(''), fc.constant('[K01]'), printable),
  }),
  edits: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(6), fc.oneof(printable, fc.string({ maxLength: 4 }))), { maxLength: 3 }),
  fixCrc: fc.boolean(),
  before: fc.oneof(fc.constant(''), printable, fc.string({ maxLength: 20 })),
  after: fc.oneof(fc.constant(''), printable),
  splits: fc.array(fc.nat(200), { maxLength: 4 }),
  ourSeq: fc.constantFrom(42, 43),
  ourEncrypted: fc.boolean(),
});

interface Ctx {
  codes: Record<string, number>;
}

function judge(raw: string, input: Dc09Input, ctx: Ctx): void {
  const expect: Expectation = { seq: input.ourSeq, account: ACCOUNT, ...(input.ourEncrypted ? { key: KEY } : {}) };
  const r = decodeResponse(raw, expect);
  const code = r.ok ? r.kind : r.code;
  ctx.codes[code] = (ctx.codes[code] ?? 0) + 1;
  if (!r.ok) {
    if (!CODES.has(r.code)) throw new Error(`unnamed error code '${r.code}'`);
    if (typeof r.detail !== 'string') throw new Error('error without detail');
    return;
  }
  if (r.kind === 'NAK') return; // a NAK asks for a resend: harmless whoever sends it
  // pysiaalarm's bare `"DUH"` (no sequence number): a refusal, harmless whoever sends it.
  if (r.kind === 'DUH' && 'unframed' in r && r.unframed) return;
  if (r.seq !== input.ourSeq) throw new Error(`${r.kind} for sequence ${r.seq} accepted as the answer to ${input.ourSeq}`);
  if (input.ourEncrypted && (r.kind === 'ACK' || r.kind === 'RSP')) {
    if (!r.encrypted) throw new Error(`plain ${r.kind} accepted for an encrypted message`);
    // Only a frame built with the key may pass; an edited one must fail to decrypt (or keep the same meaning).
    if (!input.base.encrypted) throw new Error(`${r.kind} accepted without our key`);
  }
  if (r.kind === 'ACK' || r.kind === 'RSP') {
    const unwrapped = unwrapFrame(raw);
    if (!unwrapped.ok) throw new Error('an answer with a broken envelope was accepted');
  }
}

export const dc09Surface: Surface<Dc09Input, Ctx> = {
  name: 'dc09',
  what: 'ACK/NAK/DUH/RSP answers, valid and pysiaalarm variants, mutated, split on a byte stream with noise',
  arbitrary,
  async setup() {
    return { codes: {} };
  },
  run(ctx, input) {
    const raw = build(input);
    judge(raw, input, ctx);
    // The same answer off the socket: noise, the frame cut anywhere, more noise.
    const reader = new FrameReader();
    const stream = input.before + raw + input.after;
    const cuts = [...new Set(input.splits.map((s) => s % (stream.length + 1)))].sort((a, b) => a - b);
    let from = 0;
    let frames: string[] = [];
    for (const c of [...cuts, stream.length]) {
      frames = frames.concat(reader.push(stream.slice(from, c)));
      from = c;
    }
    for (const f of frames) {
      // A frame <LF>…<CR>, or a bare answer as pysiaalarm sends (`"NAK"`; judge checks that a bare ACK is refused).
      const framed = f[0] === '\n' && f[f.length - 1] === '\r';
      if (!framed && !new RegExp(`^${UNFRAMED.source}$`).test(f)) throw new Error(`frame reader gave ${JSON.stringify(f.slice(0, 40))}`);
      judge(f, input, ctx);
    }
    const held = (reader as unknown as { buf: string }).buf.length;
    if (held > 8192 + stream.length) throw new Error(`frame reader holds ${held} characters`);
  },
  stats: (ctx) => ctx.codes,
  async teardown() {},
  smokeRuns: 2000,
};

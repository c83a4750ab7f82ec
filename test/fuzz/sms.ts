/**
 * The SMS modem's serial line (centre/src/notify/sms/modem.ts, at-parser.ts): the real driver on a GSM
 * modem held in memory behind its port seam, with a virtual clock. Each input scripts how the modem
 * answers the next commands — correctly, ERROR, +CMS ERROR, not at all, garbage, echo, unsolicited
 * result codes (RING, +CREG, +CMTI with any index) before the answer, a stray `> ` prompt, an
 * overlong line — split into chunks anywhere, while the centre sends a text carrying control
 * characters and then receives an SMS with a hostile sender.
 *
 * Invariants: every send settles (sent, or refused with a named ModemError) within its timeout; the
 * text on the line is one message ended by one Ctrl-Z, with no Ctrl-Z or ESC inside (a text cannot
 * inject commands); afterwards a well-behaved modem gets the next SMS out within two minutes (no
 * misbehaviour wedges the queue); nothing throws; the parser's memory stays bounded.
 */
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { GsmModem, ModemError, type ModemPort } from '../../centre/src/notify/sms/modem';
import type { Surface } from './engine';

type Mode = 'good' | 'error' | 'cms' | 'silent' | 'garbage' | 'echo' | 'urc' | 'prompt' | 'overlong' | 'cmti';
const MODES: Mode[] = ['good', 'error', 'cms', 'silent', 'garbage', 'echo', 'urc', 'prompt', 'overlong', 'cmti'];
const URCS = ['RING', '+CREG: 1', '+CMTI: "SM",3', '+CMTI: "SM",99999999999', '+CMTI: "SM",-1', '+CMTI:', 'NO CARRIER', '+CME ERROR: 10', '> ', 'OK', '+CMGS: 12'];

export interface SmsInput {
  modes: Mode[];
  garbage: Uint8Array;
  urc: string;
  splits: number[];
  text: string;
  sender: string;
}

const arbitrary: fc.Arbitrary<SmsInput> = fc.record({
  modes: fc.array(fc.constantFrom(...MODES), { maxLength: 6 }),
  garbage: fc.uint8Array({ maxLength: 40 }),
  urc: fc.constantFrom(...URCS),
  splits: fc.array(fc.nat(300), { maxLength: 5 }),
  text: fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('ok\x1aAT+CMGD=1,4\r', '\x1b\x1a\r\nAT+CPIN="0000"\r', 'Alarm — Élodie · B1')),
  sender: fc.oneof(fc.constantFrom('+33612345678', '<script>alert(1)</script>', '"', ''), fc.string({ maxLength: 30 })),
});

/** A GSM modem in memory: answers text-mode commands as the input scripts it. */
export class MemoryGsmPort extends EventEmitter implements ModemPort {
  isOpen = false;
  modes: Mode[] = [];
  input: SmsInput | undefined;
  /** Bodies of messages sent (between the prompt and Ctrl-Z), as the line carried them. */
  readonly bodies: string[] = [];
  private line = '';
  private composing = false;
  private ref = 1;

  open(cb: (e: Error | null) => void): void {
    this.isOpen = true;
    queueMicrotask(() => cb(null));
  }

  close(cb: () => void): void {
    this.isOpen = false;
    queueMicrotask(cb);
  }

  write(data: Buffer): boolean {
    for (const ch of data.toString('latin1')) {
      if (this.composing) {
        if (ch === '\x1a') {
          this.composing = false;
          this.bodies.push(this.line);
          this.line = '';
          this.answer('+CMGS', `\r\n+CMGS: ${this.ref++}\r\n\r\nOK\r\n`);
        } else if (ch === '\x1b') {
          this.composing = false;
          this.line = '';
        } else {
          this.line += ch;
        }
      } else if (ch === '\r') {
        // A modem finds a command by its `AT`: what came before (an ESC that left no prompt, noise) is dropped.
        const at = this.line.toUpperCase().indexOf('AT');
        const cmd = at >= 0 ? this.line.slice(at) : this.line;
        this.line = '';
        this.command(cmd);
      } else {
        this.line += ch;
      }
    }
    return true;
  }

  private command(cmd: string): void {
    if (cmd.startsWith('AT+CMGS=')) return this.answer(cmd, '\r\n> ', () => (this.composing = true));
    if (cmd === 'AT+CPIN?') return this.answer(cmd, '\r\n+CPIN: READY\r\n\r\nOK\r\n');
    if (cmd.startsWith('AT+CMGR=')) return this.answer(cmd, `\r\n+CMGR: "REC UNREAD","${this.input?.sender ?? '+1'}",,"24/01/05,08:00:00+04"\r\nhelp\r\n\r\nOK\r\n`);
    if (cmd.startsWith('AT+CMGL')) return this.answer(cmd, '\r\nOK\r\n');
    this.answer(cmd, '\r\nOK\r\n');
  }

  /** Answers as the next scripted mode says; `then` runs just before a good answer goes out. */
  private answer(cmd: string, good: string, then?: () => void): void {
    const mode = this.modes.shift() ?? 'good';
    const i = this.input;
    let text: string;
    switch (mode) {
      case 'good': text = good; break;
      case 'error': text = '\r\nERROR\r\n'; break;
      case 'cms': text = '\r\n+CMS ERROR: 500\r\n'; break;
      case 'silent': return;
      case 'garbage': text = Buffer.from(i?.garbage ?? []).toString('latin1') + good; break;
      case 'echo': text = `${cmd}\r${good}`; break;
      case 'urc': text = `\r\n${i?.urc ?? 'RING'}\r\n${good}`; break;
      case 'prompt': text = `\r\n> ${good}`; break;
      case 'overlong': text = 'A'.repeat(6000) + good; break;
      case 'cmti': text = `${good}\r\n+CMTI: "SM",7\r\n`; break;
    }
    const good2 = mode !== 'error' && mode !== 'cms';
    queueMicrotask(() => {
      if (good2) then?.();
      this.emitSplit(Buffer.from(text, 'latin1'), i?.splits ?? []);
    });
  }

  private emitSplit(b: Buffer, splits: number[]): void {
    const cuts = [...new Set(splits.map((s) => s % (b.length + 1)))].sort((x, y) => x - y);
    let from = 0;
    for (const c of [...cuts, b.length]) {
      if (c > from) this.emit('data', b.subarray(from, c));
      from = c;
    }
  }
}

export interface SmsCtx {
  clock: VirtualClock;
  port: MemoryGsmPort;
  modem: GsmModem;
  outcomes: Record<string, number>;
  received: number;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Advances virtual time until the promise settles or the limit passes. */
async function settle<T>(ctx: SmsCtx, p: Promise<T>, limitMs: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | undefined> {
  let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  p.then((value) => (result = { ok: true, value }), (error: unknown) => (result = { ok: false, error }));
  const start = ctx.clock.now();
  for (;;) {
    for (let i = 0; i < 3; i++) await tick();
    if (result) return result;
    if (ctx.clock.now() - start > limitMs) return undefined;
    await ctx.clock.advanceAsync(500);
  }
}

const SEND_TIMEOUT_MS = 60_000;

async function run(ctx: SmsCtx, input: SmsInput): Promise<void> {
  ctx.port.input = input;
  ctx.port.modes = [...input.modes];
  const before = ctx.port.bodies.length;
  const r = await settle(ctx, ctx.modem.sendSms('+33612345678', input.text), SEND_TIMEOUT_MS + 30_000);
  if (!r) throw new Error('sendSms never settled');
  if (!r.ok && !(r.error instanceof ModemError)) throw new Error(`sendSms failed with ${String(r.error)}`);
  const key = r.ok ? 'sent' : `refused_${(r.error as ModemError).code}`;
  ctx.outcomes[key] = (ctx.outcomes[key] ?? 0) + 1;
  for (const body of ctx.port.bodies.slice(before)) {
    if ([...body].some((c) => c !== '\n' && (c < ' ' || c > '~'))) throw new Error(`the text on the line carries control characters: ${JSON.stringify(body)}`);
  }
  // The modem behaves again: the next text goes out.
  ctx.port.modes = [];
  const again = await settle(ctx, ctx.modem.sendSms('+33612345678', 'next alarm'), 120_000);
  if (!again?.ok) throw new Error(`after the misbehaviour, the next SMS did not go out: ${again ? String((again as { error: unknown }).error) : 'never settled'}`);
  ctx.port.bodies.length = 0; // the fuzzer's own record, not the modem's memory
  const held = (ctx.modem as unknown as { parser: { partial: string } }).parser.partial.length;
  if (held > 4096) throw new Error(`the AT parser holds ${held} characters`);
}

export const smsSurface: Surface<SmsInput, SmsCtx> = {
  name: 'sms',
  what: 'GSM modem serial line: scripted ERROR/+CMS ERROR/silence/garbage/echo/URCs/prompts/overlong lines, split anywhere; hostile texts and senders',
  arbitrary,
  async setup() {
    const clock = new VirtualClock();
    const port = new MemoryGsmPort();
    const modem = new GsmModem({ path: 'memory', baudRate: 115200, clock, log: createLogger('fuzz', 'silent'), sendTimeoutMs: SEND_TIMEOUT_MS, commandTimeoutMs: 5000, openPort: () => port });
    const ctx: SmsCtx = { clock, port, modem, outcomes: {}, received: 0 };
    modem.on('sms', (m) => {
      if (typeof m.from !== 'string' || typeof m.text !== 'string') throw new Error('an SMS without sender or text');
      ctx.received++;
    });
    const started = await settle(ctx, modem.start(), 60_000);
    if (!started?.ok || !modem.healthy) throw new Error('the modem did not start');
    return ctx;
  },
  run,
  stats: (ctx) => ({ ...ctx.outcomes, smsReceived: ctx.received }),
  async teardown(ctx) {
    await ctx.modem.stop();
  },
  smokeRuns: 300,
};

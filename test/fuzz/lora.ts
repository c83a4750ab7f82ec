/**
 * The LoRa modem's serial line (gateway/src/transport/lora): the real transport, line parser and
 * RN2483/RAK3172 drivers, on a modem held in memory (lora-memory-modem.ts) and a virtual clock.
 * Each input is a burst on the line — packets, noise, unsolicited result codes, replies nobody asked
 * for, overlong lines, lines split anywhere — then a clean packet from a pendant.
 *
 * Invariants: nothing throws and no fault escapes; every packet that arrived as a whole line is
 * handed up; after any burst the next pendant packet is heard within 30 s (a burst may wedge the
 * driver, the watchdog must then reopen the modem) — a gateway made deaf by line noise would lose
 * alarms; memory stays bounded whatever device ids the packets claim. Every few hundred inputs the
 * modem stops answering for a while: the transport must notice, reconnect and hear again.
 */
import fc from 'fast-check';
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { LoraTransport } from '../../gateway/src/transport/lora/transport';
import type { Surface } from './engine';
import { MemoryModemLink, type Model } from './lora-memory-modem';

type Piece =
  | { kind: 'packet'; bytes: Uint8Array; whole: boolean }
  | { kind: 'noise'; bytes: Uint8Array }
  | { kind: 'code'; text: string; end: string }
  | { kind: 'overlong'; length: number };

export interface LoraInput {
  model: Model;
  pieces: Piece[];
  splits: number[];
}

const CODES = [
  'OK', 'ERROR', 'ok', 'busy', 'radio_err', 'invalid_param', 'radio_tx_ok', '+EVT:TXP2P DONE', 'AT_BUSY_ERROR', 'AT_PARAM_ERROR', 'AT_COMMAND_NOT_FOUND',
  '+EVT:RXP2P RECEIVE TIMEOUT', '+EVT:RXP2P_RECEIVE_ERROR', '+EVT:RXP2P, RSSI -45, SNR 10', '+EVT:0011', '+EVT:', 'radio_rx', 'radio_rx  ZZ', 'radio_rx  ABC', 'radio_rx  ',
  '+EVT:RXP2P:-1:-1:', '+EVT:RXP2P:99999999999999999999:1:00', 'RAKwireless RAK3172-E Example', 'Current Work Mode: LoRa P2P.', 'RN2483 1.0.5 Oct 31 2018 15:06:52', '4294967245', '-97', 'AT+VER=RUI', 'AT+NWM=1',
];
const ENDS = ['\r\n', '\r', '\n', '\n\r', ''];

const piece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('packet' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }), whole: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('noise' as const), bytes: fc.uint8Array({ maxLength: 48 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('code' as const), text: fc.constantFrom(...CODES), end: fc.constantFrom(...ENDS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('overlong' as const), length: fc.integer({ min: 550, max: 3000 }) }) },
);

const arbitrary: fc.Arbitrary<LoraInput> = fc.record({
  model: fc.constantFrom<Model>('rn2483', 'rak3172'),
  pieces: fc.array(piece, { maxLength: 8 }),
  splits: fc.array(fc.nat(4000), { maxLength: 6 }),
});

interface Rig {
  clock: VirtualClock;
  link: () => MemoryModemLink;
  transport: LoraTransport;
  heard: string[];
}

export interface LoraCtx {
  rigs: Record<Model, Rig>;
  canaryCounter: number;
  deafMaxS: number;
  stalls: number;
}

const WATCHDOG_MS = 15_000;
const DEAF_LIMIT_MS = 30_000;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function rig(model: Model): Promise<Rig> {
  const clock = new VirtualClock();
  let current: MemoryModemLink | undefined;
  const transport = new LoraTransport({
    id: `lora-${model}`, path: '/dev/null', modem: model, clock, log: createLogger('fuzz', 'silent'), watchdogMs: WATCHDOG_MS, reconnectInitialMs: 1000, reconnectMaxMs: 4000,
    openLink: () => (current = new MemoryModemLink(model)),
  });
  const heard: string[] = [];
  transport.on('frame', (f) => heard.push(Buffer.from(f.payload).toString('hex')));
  const r: Rig = { clock, transport, heard, link: () => current! };
  void transport.start();
  for (let i = 0; i < 50 && transport.status().state !== 'running'; i++) {
    await tick();
    await clock.advanceAsync(10);
  }
  if (transport.status().state !== 'running') throw new Error(`${model} transport did not start: ${JSON.stringify(transport.status())}`);
  return r;
}

function lineFor(model: Model, bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex').toUpperCase();
  return model === 'rn2483' ? `radio_rx  ${hex}` : `+EVT:RXP2P:-80:4:${hex}`;
}

function stream(input: LoraInput): { bytes: Buffer; whole: string[] } {
  const parts: Buffer[] = [];
  const whole: string[] = [];
  for (const p of input.pieces) {
    switch (p.kind) {
      case 'packet':
        if (p.whole) whole.push(Buffer.from(p.bytes).toString('hex'));
        parts.push(Buffer.from(p.whole ? `\r\n${lineFor(input.model, p.bytes)}\r\n` : lineFor(input.model, p.bytes), 'latin1'));
        break;
      case 'noise':
        parts.push(Buffer.from(p.bytes));
        break;
      case 'code':
        parts.push(Buffer.from(p.text + p.end, 'latin1'));
        break;
      case 'overlong':
        parts.push(Buffer.from('+EVT:RXP2P:-1:-1:' + 'AB'.repeat(p.length), 'latin1'));
        break;
    }
  }
  return { bytes: Buffer.concat(parts), whole };
}

/** Advances time until `done` or the limit; returns the virtual ms it took, or undefined. */
async function until(r: Rig, done: () => boolean, limitMs: number, step = 250): Promise<number | undefined> {
  const start = r.clock.now();
  for (;;) {
    for (let i = 0; i < 4; i++) await tick();
    if (done()) return r.clock.now() - start;
    if (r.clock.now() - start >= limitMs) return undefined;
    await r.clock.advanceAsync(step);
  }
}

async function run(ctx: LoraCtx, input: LoraInput): Promise<void> {
  const r = ctx.rigs[input.model];
  r.heard.length = 0;
  const { bytes, whole } = stream(input);
  const cuts = [...new Set(input.splits.map((s) => s % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    if (c > from) r.link().bytes(bytes.subarray(from, c));
    from = c;
  }
  // Lines end: whatever the burst left half-written is cut off, as the next real line would.
  r.link().bytes(Buffer.from('\r\n'));
  const delivered = await until(r, () => whole.every((w) => r.heard.includes(w)), 5000);
  if (delivered === undefined) throw new Error(`whole packets not handed up: expected ${whole.join(',')}, heard ${r.heard.join(',')}`);
  // A pendant's next packet is heard (once the modem listens again, within the limit).
  const canary = Uint8Array.from(Buffer.from(`10c0ffee${(ctx.canaryCounter++ >>> 0).toString(16).padStart(8, '0')}`, 'hex'));
  const hex = Buffer.from(canary).toString('hex');
  const ms = await until(r, () => r.heard.includes(hex) || (r.link().packet(canary) && false), DEAF_LIMIT_MS, 1000);
  if (ms === undefined) throw new Error(`the gateway stayed deaf for ${DEAF_LIMIT_MS / 1000} s after the burst (transport ${JSON.stringify(r.transport.status())})`);
  ctx.deafMaxS = Math.max(ctx.deafMaxS, ms / 1000);
}

/** The modem stops answering for a minute: the watchdog notices, the transport reconnects and hears again. */
async function check(ctx: LoraCtx): Promise<void> {
  for (const r of Object.values(ctx.rigs)) {
    const failures = r.transport.counters.get('link_failures');
    r.link().silent = true;
    const noticed = await until(r, () => r.transport.counters.get('link_failures') > failures, 4 * WATCHDOG_MS, 1000);
    if (noticed === undefined) throw new Error(`a silent ${r.link().model} modem went unnoticed`);
    await until(r, () => r.transport.status().state === 'running', 60_000, 1000);
    if (r.transport.status().state !== 'running') throw new Error(`no recovery after the modem answered again: ${JSON.stringify(r.transport.status())}`);
    ctx.stalls++;
  }
}

export const loraSurface: Surface<LoraInput, LoraCtx> = {
  name: 'lora',
  what: 'LoRa modem serial line (RN2483, RAK3172): packets, noise, stray codes, overlong and split lines; silent modem',
  arbitrary,
  async setup() {
    return { rigs: { rn2483: await rig('rn2483'), rak3172: await rig('rak3172') }, canaryCounter: 0, deafMaxS: 0, stalls: 0 };
  },
  run,
  check,
  checkEvery: 2000,
  smokeRuns: 300,
  stats: (ctx) => ({
    ...Object.fromEntries(Object.entries(ctx.rigs).flatMap(([m, r]) => Object.entries(r.transport.counters.snapshot()).map(([k, v]) => [`${m}_${k}`, v]))),
    deafMaxS: ctx.deafMaxS, silentModemRecoveries: ctx.stalls,
  }),
  async teardown(ctx) {
    for (const r of Object.values(ctx.rigs)) await r.transport.stop();
  },
};

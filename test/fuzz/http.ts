/**
 * The centre's HTTP surface, through a real socket: every operation of /api/openapi.json (and any
 * other path), with every kind of credential, hostile parameters, headers, bodies and framing
 * (http-requests.ts). A whole centre runs in this process (real store on disk, real services, the
 * in-memory bus at the MQTT seam), so that the fuzzer measures its memory and sees every fault.
 *
 * Invariants on every answer: there is one (unless the request was cut or half-closed), it comes
 * within 10 s, it carries the security headers, it is never a 5xx, an error is JSON `{error: {code, message}}`, no route answers 2xx to
 * a caller the route's roles exclude, no prototype was polluted, no image bomb is taken as a floor plan.
 * Every 500 inputs (check): a canary
 * pendant's SOS goes through the real ingest and must be raised and answered within 2 s while the
 * fuzzer's requests are in flight; no fault escaped (engine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type fc from 'fast-check';
import type { DeviceRecord } from '../../centre/src/store/types';
import { type Harness, startHarness, SITE } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';
import { planProblem } from '../../centre/src/http/image-size';
import type { Surface } from './engine';
import { RawHttp } from './http-client';
import { reachesRoute } from './http-path';
import { bodyBytes, type HttpInput, type Operation, operations, requestArbitrary, type Schema, type Who } from './http-requests';

const ROLES = ['admin', 'supervisor', 'operator', 'readonly', 'auditor'] as const;
/** Ids the fuzzer may name: some exist, some belong to nobody. The canary's are not among them. */
const DICT = ['w1', 'w2', 'site-a', 'site-b', '0000beef', '0000cafe', 'victim', 'alice', 'x', '1', '0', '-1', 'gw-1', 'main', 'night', 'B1', 'a1b2'];
const CANARY = { worker: 'canary-worker-7f3a', device: '7f3a0001' };
const CANARY_DEADLINE_MS = 2000;

export interface HttpCtx {
  dir: string;
  h: Harness;
  client: RawHttp;
  ops: Map<string, Operation>;
  list: Operation[];
  refs: Record<string, Schema>;
  tokens: Record<Who, string | undefined>;
  canary: DeviceRecord;
  statuses: Record<string, number>;
  canaryMaxMs: number;
  canaries: number;
}

async function setup(): Promise<HttpCtx> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-http-'));
  const h = await startHarness({ http: true, storePath: join(dir, 'centre.db') });
  const { store, auth } = h.centre;
  await store.upsertWorker({ id: 'w2', name: 'Second <b>Worker</b>', phone: '+44 7700 900124', siteId: SITE });
  await store.upsertWorker({ id: CANARY.worker, name: 'Canary', phone: '+44 7700 900125', siteId: SITE });
  const canary: DeviceRecord = { id: CANARY.device, key: '3c'.repeat(16), board: 'puckjs', workerId: CANARY.worker, siteId: SITE, createdAt: h.clock.now(), lastCounter: -1, lastSeenAt: null, batteryPct: null };
  await store.addDevice(canary);
  const tokens: Record<Who, string | undefined> = { none: undefined, garbage: 'f'.repeat(64), admin: undefined, supervisor: undefined, operator: undefined, readonly: undefined, auditor: undefined, worker: undefined };
  for (const role of ROLES) {
    await auth.createUser({ username: `fuzz-${role}`, password: `${role}-password-1`, role });
    tokens[role] = await login(h.base, `fuzz-${role}`, `${role}-password-1`);
  }
  await auth.createUser({ username: 'victim', password: 'victim-password-1', role: 'operator' });
  await h.frame('sos'); // an open alarm to acknowledge, resolve, note
  const doc = (await call<Parameters<typeof operations>[0]>(h.base, 'GET', '/api/openapi.json')).body;
  const list = operations(doc);
  const port = Number(new URL(h.base).port);
  await renewTokens(h, tokens);
  return { dir, h, client: new RawHttp('127.0.0.1', port), ops: new Map(list.map((o) => [o.key, o])), list, refs: doc.components?.schemas ?? {}, tokens, canary, statuses: {}, canaryMaxMs: 0, canaries: 0 };
}

/** Percent-encodes the UTF-8 bytes (a lone surrogate goes out as U+FFFD, as a browser would send it). */
const pct = (s: string): string => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
/** Hostile pieces (`%ZZ`, `..`, `%2F`) go out as they are; anything else encoded. */
const enc = (s: string): string => (/^%|^\.\.?$|^[\\/ +]+$|%[0-9A-Fa-f]{2}|^%u/.test(s) ? s : pct(s));

/** The request target (path and query) as it goes on the wire. */
export function requestTarget(input: HttpInput, op: Operation | undefined): string {
  let path = op ? op.path.replace(/\{(\w+)\}/g, (_m, n: string) => enc(input.params[op.params.indexOf(n)] ?? 'x')) : '/' + input.params.map(enc).join('/');
  path += input.tail;
  if (input.query.length) path += (path.includes('?') ? '&' : '?') + input.query.map(([k, v]) => `${pct(k)}=${pct(v.slice(0, 2000))}`).join('&');
  return path;
}

/** The request's bytes as they go on the wire. */
export function requestBytes(input: HttpInput, op: Operation | undefined, tokens: Record<Who, string | undefined>, host: string): Buffer {
  const path = requestTarget(input, op);
  const method = input.method ?? op?.method ?? 'GET';
  const { bytes, type } = bodyBytes(input.body);
  const token = tokens[input.who];
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${host}`];
  if (token) lines.push(`authorization: Bearer ${token}`);
  if (type !== undefined) lines.push(`content-type: ${type}`);
  const chunked = input.framing === 'chunked' || input.framing === 'bad_chunked';
  if (chunked) lines.push('transfer-encoding: chunked');
  else if (bytes.length || method !== 'GET') lines.push(`content-length: ${bytes.length}`);
  for (const [k, v] of input.headers) lines.push(`${k}: ${v.replace(/[\r\n]/g, ' ')}`);
  const nl = input.framing === 'bare_lf' ? '\n' : '\r\n';
  const head = Buffer.from(lines.join(nl) + nl + nl, 'latin1');
  let payload = bytes;
  if (chunked) payload = input.framing === 'chunked' ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n0\r\n\r\n')]) : Buffer.concat([Buffer.from('zz\r\n'), bytes]);
  if (input.framing === 'cut') payload = payload.subarray(0, Math.floor(payload.length / 2));
  const one = Buffer.concat([head, payload]);
  return input.framing === 'pipelined' ? Buffer.concat([one, Buffer.from(`GET /api/health HTTP/1.1\r\nhost: ${host}\r\n\r\n`)]) : one;
}

/** Who may get a 2xx from this operation (undefined: anyone — a public route). */
function allowed(op: Operation): readonly Who[] | undefined {
  if (op.path.startsWith('/api/app/') && !/\/(login|pair)$/.test(op.path)) return ['worker'];
  if (op.roles === 'public') return undefined;
  if (op.roles === 'any') return ROLES;
  return op.roles as Who[];
}

/** Headers that change how the connection goes on: such a request gets a connection of its own. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade']);


async function run(ctx: HttpCtx, input: HttpInput): Promise<void> {
  const op = ctx.ops.get(input.op);
  if (process.env['FUZZ_TRACE']) process.stderr.write(`> ${JSON.stringify(input).slice(0, 400)}\n`);
  const bytes = requestBytes(input, op, ctx.tokens, '127.0.0.1');
  const broken = input.framing === 'halfclose' || input.framing === 'cut' || input.framing === 'bad_chunked';
  const method = (input.method ?? op?.method ?? 'GET').toUpperCase();
  const answer = await ctx.client.send(bytes, { halfClose: input.framing === 'halfclose' || input.framing === 'cut', fresh: input.framing !== 'normal' || input.headers.some(([k]) => FRAMING_HEADERS.has(k)), head: method === 'HEAD', timeoutMs: 10_000 });
  if (Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted') || ({} as Record<string, unknown>)['x'] !== undefined) throw new Error('Object.prototype was polluted');
  if (answer === 'no_answer') {
    if (broken) return;
    throw new Error('the connection closed without an answer');
  }
  ctx.statuses[answer.status] = (ctx.statuses[answer.status] ?? 0) + 1;
  // Every answer the application made carries the security headers (security-headers.ts).
  if (answer.headers['content-type'] && (!answer.headers['content-security-policy'] || answer.headers['x-content-type-options'] !== 'nosniff')) {
    throw new Error(`answer ${answer.status} without the security headers`);
  }
  if (answer.status >= 500) throw new Error(`answered ${answer.status}: ${answer.body.subarray(0, 300).toString('utf8')}`);
  const json = answer.headers['content-type']?.startsWith('application/json');
  if (answer.status >= 400 && json && answer.body.length) {
    let e: { error?: { code?: unknown; message?: unknown } };
    try {
      e = JSON.parse(answer.body.toString('utf8')) as typeof e;
    } catch {
      throw new Error(`error answer ${answer.status} is not JSON: ${answer.body.subarray(0, 100).toString('utf8')}`);
    }
    if (typeof e.error?.code !== 'string' || typeof e.error?.message !== 'string') throw new Error(`error answer ${answer.status} without code and message: ${answer.body.subarray(0, 200).toString('utf8')}`);
  }
  // Node's HTTP layer answers what never reached a handler (400, 417, 431, 505) with an empty body: fine.
  if (answer.status >= 400 && !answer.headers['content-type'] && answer.body.length > 0) throw new Error(`error answer ${answer.status} with an untyped body`);
  if (op?.upload && answer.status < 300 && input.body.kind === 'image' && planProblem(input.body.type, Buffer.from(input.body.bytes))) {
    throw new Error(`an image bomb was accepted as a floor plan (${input.body.type}, ${input.body.bytes.length} bytes)`);
  }
  // A path whose dot segments lead elsewhere (`/api/zones/%2e%2e/..` is `/`) is not the route's answer.
  const routed = op && reachesRoute(requestTarget(input, op), op.path) ? op : undefined;
  const who = allowed(routed ?? ({ path: '', roles: 'public' } as unknown as Operation));
  if (routed && answer.status < 300 && who && !who.includes(input.who) && method === routed.method && input.framing !== 'pipelined') {
    throw new Error(`${routed.key} answered ${answer.status} to '${input.who}', outside its roles ${JSON.stringify(who)}`);
  }
}

/**
 * The fuzzer logs its own roles out, removes the worker's app login, uses up the login attempts: its
 * credentials are made good again (through the public routes) so that the next inputs reach handlers.
 */
async function renewTokens(h: Harness, tokens: Record<Who, string | undefined>): Promise<void> {
  for (const role of ROLES) {
    if (tokens[role] && (await h.centre.auth.authenticate(tokens[role]))) continue;
    const r = await h.centre.auth.login('fuzz-setup', `fuzz-${role}`, `${role}-password-1`);
    if (!r) throw new Error(`the fuzzer's ${role} cannot log in any more`);
    tokens[role] = r.token;
  }
  const state = tokens.worker ? await call(h.base, 'GET', '/api/app/state', { token: tokens.worker }) : undefined;
  if (state?.status === 200) return;
  const set = await call(h.base, 'PUT', '/api/workers/w1/app-login', { token: tokens.admin!, body: { username: 'wendy', password: 'wendy-password-1' } });
  if (set.status !== 200 && set.status !== 409) throw new Error(`app login: ${set.status} ${JSON.stringify(set.body)}`);
  const app = await call<{ token: string }>(h.base, 'POST', '/api/app/login', { body: { username: 'wendy', password: 'wendy-password-1' } });
  if (app.status !== 200) throw new Error(`the worker cannot sign in: ${app.status} ${JSON.stringify(app.body)}`);
  tokens.worker = app.body.token;
}

async function check(ctx: HttpCtx): Promise<void> {
  // Six minutes pass: timers run (escalations, sessions), login limits age out.
  await ctx.h.advance(6 * 60_000);
  await renewTokens(ctx.h, ctx.tokens);
  // The canary's SOS while a fuzzed request may still be in flight on the event loop.
  const started = performance.now();
  const counter = await ctx.h.frame('sos', {}, ctx.canary);
  const open = (await ctx.h.centre.store.listAlarms({ states: ['raised', 'acknowledged', 'pending'] })).find((a) => a.workerId === CANARY.worker);
  const ms = performance.now() - started;
  if (!open) throw new Error(`the canary's SOS (counter ${counter}) raised no alarm`);
  if (ms > CANARY_DEADLINE_MS) throw new Error(`the canary's SOS took ${ms.toFixed(0)} ms (deadline ${CANARY_DEADLINE_MS} ms)`);
  const answered = ctx.h.bus.on('/downlink').some((d) => String(d['deviceId']) === CANARY.device);
  if (!answered) throw new Error("the canary's SOS got no downlink");
  ctx.h.bus.clear();
  // Every answer is counted by status in /api/health (the fuzzer's own calls add to the counts).
  const counted = (await call<{ http: Record<string, number> }>(ctx.h.base, 'GET', '/api/health')).body.http;
  const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  if (sum(counted) < sum(ctx.statuses)) throw new Error(`${sum(ctx.statuses)} answers seen, ${sum(counted)} counted: ${JSON.stringify(counted)}`);
  ctx.canaryMaxMs = Math.max(ctx.canaryMaxMs, ms);
  ctx.canaries++;
  const r = await ctx.h.centre.alarms.resolve(open.id, 'system:fuzz', 'test', 'canary');
  if (!r.ok) throw new Error(`canary alarm not resolved: ${r.code}`);
}

export const httpSurface: Surface<HttpInput, HttpCtx> = {
  name: 'http',
  what: 'every OpenAPI operation and any path, every credential, hostile params/headers/bodies/framing, real socket',
  arbitrary: (ctx: HttpCtx): fc.Arbitrary<HttpInput> => requestArbitrary(ctx.list, DICT, ctx.refs),
  setup,
  run,
  check,
  checkEvery: 500,
  heapGrowthLimitMb: 96,
  smokeRuns: 300,
  stats: (ctx) => ({ ...Object.fromEntries(Object.entries(ctx.statuses).map(([s, n]) => [`status_${s}`, n])), canaries: ctx.canaries, canaryMaxMs: Math.round(ctx.canaryMaxMs) }),
  async teardown(ctx) {
    ctx.client.close();
    await ctx.h.stop();
    rmSync(ctx.dir, { recursive: true, force: true });
  },
};

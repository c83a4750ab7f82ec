/**
 * The kill test of the scale-out issue: PostgreSQL and Redis started here, two broker nodes and two
 * centre workers as real processes, a real gateway (store-and-forward, broker URL list) hearing
 * pendants that repeat their SOS until the centre answers, contacts behind webhooks (a three-step
 * ladder: no answer, no answer, accepted), and an operator console streaming from the worker that
 * survives — logged in on the other one.
 *
 * In the middle of the escalation of an alarm owned by worker 1, worker 1 and broker node A (that
 * everybody is connected to) are killed with SIGKILL, while heartbeats keep flowing and another
 * pendant raises an SOS in the gap. Then: every alarm raised once, every ladder step notified once
 * (one notification per step; an interrupted delivery may arrive twice with the same idempotency
 * key), the dead worker's escalation resumed by the other within 10 s of its lease running out, and
 * the console on the surviving worker saw every alarm raised and acknowledged.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/log';
import { PostgresStore } from '../../centre/src/store/postgres';
import { bucketOf } from '../../centre/src/domain/partition';
import type { Gateway } from '../../gateway/src/gateway';
import { decodeDownlink, encodeUplink, parseDeviceId } from '../../protocol/src';
import { type MqttUser, startBrokerNode, startWorker, type VigilChild } from '../../rig/cluster';
import { type Hook, HookReceiver, login, seedRegistry, type SseAlarm, SseConsole, startSiteGateway, streamTicket, tearDown } from '../../rig/cluster-rig';
import { MemoryTransport } from '../../rig/memory-transport';
import { freePort } from '../../rig/mosquitto';
import { Postgres } from '../../rig/postgres';
import { Redis } from '../../rig/redis';
import { until, waitForEvent } from '../../rig/wait';

const SITE = 's1';
const BUCKETS = 16;
const STEP_S = 3;
const LEASE_TTL_S = 4;
const USERS: MqttUser[] = [
  { username: 'centre', password: 'centre-pw', role: 'centre' },
  { username: 'gw-1', password: 'gw-pw', role: 'gateway', siteId: SITE, gatewayId: 'gw-1' },
];
const log = createLogger('test', 'silent');

describe('scale-out: two centre workers, two broker nodes, kill -9', () => {
  let dir: string;
  let pg: Postgres;
  let redis: Redis;
  let storeUrl: string;
  const brokers: VigilChild[] = [];
  const workers: VigilChild[] = [];
  const hooks = new HookReceiver();
  let gateway: Gateway | undefined;
  const radio = new MemoryTransport('ble0');
  let console2: SseConsole | undefined;
  const devices = Array.from({ length: 24 }, (_, i) => ({ id: (0x5c000100 + i).toString(16), key: randomBytes(16).toString('hex') }));
  const counters = new Map<string, number>();
  let heartbeats: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-failover-'));
    [pg, redis] = await Promise.all([Postgres.start(), Redis.start()]);
    storeUrl = await pg.createDatabase('vigil');
    await hooks.start();
    hooks.answers = { ann: 'none', bob: 'none', cid: 'accepted' };
    const seed = new PostgresStore({ url: storeUrl });
    await seedRegistry(seed, { siteId: SITE, devices, hookUrl: hooks.url, ladder: ['ann', 'bob', 'cid'], stepS: STEP_S, users: [{ username: 'op', password: 'op-password' }] });
    await seed.close();
    const ports = [await freePort(), await freePort()];
    const urls = ports.map((p) => `mqtt://127.0.0.1:${p}`);
    brokers.push(...(await Promise.all([startBrokerNode(dir, 'broker-a', ports[0]!, redis.url, USERS), startBrokerNode(dir, 'broker-b', ports[1]!, redis.url, USERS)])));
    const worker = async (n: number): Promise<VigilChild> => startWorker(dir, `worker-${n}`, {
      storeUrl, brokerUrls: urls, clientId: `vigil-centre-${n}`, username: 'centre', password: 'centre-pw', httpPort: await freePort(),
      cluster: { buckets: BUCKETS, leaseTtlS: LEASE_TTL_S, renewS: 1 },
      extra: { notifiers: { webhook: { secret: 'failover-test-secret-0123', timeoutMs: 5000 } } },
    });
    workers.push(await worker(1));
    workers.push(await worker(2));
    // a fair share each: worker 1 hands buckets back to worker 2 at its next round
    await workers[0]!.waitFor(/buckets handed back for a fair share/, 15_000);
    await workers[1]!.waitFor(/bucket state rebuilt/, 15_000);
    gateway = await startSiteGateway({ dir, siteId: SITE, brokerUrls: urls, transport: radio, log, devices: devices.length, timeoutMs: 20_000 });
  }, 120_000);

  afterAll(async () => {
    clearInterval(heartbeats);
    for (const t of repeating) clearInterval(t);
    console2?.close();
    await tearDown({ dir, gateway, workers, brokers, hooks, redis, pg });
  }, 60_000);

  const address = (id: string): string => `c0:ff:ee:${id.slice(2, 4)}:${id.slice(4, 6)}:${id.slice(6, 8)} random`;
  const send = (d: { id: string; key: string }, type: 'heartbeat' | 'sos', ref?: number): number => {
    const counter = (counters.get(d.id) ?? 0) + 1;
    counters.set(d.id, counter);
    const frame = encodeUplink({ deviceId: parseDeviceId(d.id)!, counter, type, batteryPct: 80, ...(ref === undefined ? {} : { ref }) }, Buffer.from(d.key, 'hex'));
    radio.hear(frame, address(d.id), -60, Date.now());
    return counter;
  };
  const repeating = new Set<NodeJS.Timeout>();
  /** A pendant's SOS: repeated every second (as the firmware repeats it) until the centre's answer reaches it. */
  const sos = (d: { id: string; key: string }): Promise<void> => {
    const first = send(d, 'sos');
    const answered = (): boolean => radio.sent.some((s) => {
      if (s.address !== address(d.id)) return false;
      const r = decodeDownlink(s.payload, () => ({ key: Buffer.from(d.key, 'hex') }));
      return r.ok && r.frame.counter >= first && (r.frame.command === 'received' || r.frame.command === 'help_coming');
    });
    const timer = setInterval(() => send(d, 'sos', first), 1000);
    repeating.add(timer);
    return until(radio.sends, 'sent', answered, 60_000, `the centre's answer to the SOS of ${d.id}`).finally(() => {
      clearInterval(timer);
      repeating.delete(timer);
    });
  };
  const progress: string[] = [];
  const step = (what: string): void => void progress.push(`${new Date().toISOString()} ${what}`);

  it('raises every alarm once, notifies every ladder step once, and the surviving worker\'s console sees it all', async () => {
    try {
      const ownerOf = async (deviceId: string): Promise<string> => {
        const store = new PostgresStore({ url: storeUrl });
        try {
          const r = await store.db.query<{ holder: string }>('SELECT holder FROM cluster_leases WHERE bucket = $1', [bucketOf(deviceId, BUCKETS)]);
          return r.rows[0]!.holder;
        } finally {
          await store.close();
        }
      };
      const holders = await Promise.all(devices.map((d) => ownerOf(d.id)));
      const w1 = /"instance":"([^"]+)"/.exec(await workers[0]!.waitFor(/centre started/))![1]!;
      const ofW1 = devices.filter((_, i) => holders[i] === w1);
      const ofW2 = devices.filter((_, i) => holders[i] !== w1);
      expect(ofW1.length).toBeGreaterThan(1);
      expect(ofW2.length).toBeGreaterThan(0);
      const [d1, d3] = ofW1;
      const d2 = ofW2[0]!;

      // The operator logs in on worker 1 and streams from worker 2 with that login.
      const base = async (w: VigilChild): Promise<string> => /"http":"(http:[^"]+)"/.exec(await w.waitFor(/centre started/))![1]!;
      const token = await login(await base(workers[0]!), 'op', 'op-password');
      console2 = await SseConsole.open(await base(workers[1]!), await streamTicket(await base(workers[1]!), token));

      // Traffic: every pendant's heartbeat, round the fleet, 50 frames a second.
      let next = 0;
      heartbeats = setInterval(() => send(devices[next++ % devices.length]!, 'heartbeat'), 20);

      // Ann's webhook may come before the console shows the alarm raised: look at what came already.
      const annFor = (id: string): Promise<[Hook]> => {
        const seen = hooks.hooks.find((h) => h.contact === 'ann' && h.alarmId === id);
        return seen ? Promise.resolve([seen]) : waitForEvent<[Hook]>(hooks, 'hook', (h) => h.contact === 'ann' && h.alarmId === id, 30_000, `ann notified of ${id}`);
      };
      const raised = (deviceId: string) => waitForEvent<[SseAlarm]>(console2!, 'alarm', (a) => a.deviceId === deviceId && a.state === 'raised', 30_000, `alarm of ${deviceId} raised on the console`);
      const r1 = raised(d1!.id);
      const r2 = raised(d2.id);
      const answered1 = sos(d1!);
      const answered2 = sos(d2);
      const [[a1], [a2]] = await Promise.all([r1, r2]);
      step(`alarms ${a1.id} (worker 1) and ${a2.id} (worker 2) raised`);
      const [[ann1]] = await Promise.all([annFor(a1.id), annFor(a2.id)]);
      step('ann notified of both');

      // In the middle of alarm 1's escalation (Ann notified, her 3 s not over): its owner and broker A die.
      await workers[0]!.kill9();
      const killedAt = Date.now();
      await brokers[0]!.kill9();
      step('worker 1 and broker A killed');
      const r3 = raised(d3!.id);
      const answered3 = sos(d3!); // raised in the gap: the gateway queues, the surviving worker stores it for the next owner
      const bob1 = waitForEvent<[Hook]>(hooks, 'hook', (h) => h.contact === 'bob' && h.alarmId === a1.id, 30_000, 'bob notified of alarm 1 by the surviving worker');
      const [a3] = await r3;
      step(`alarm ${a3.id} raised in the gap`);
      const [bob] = await bob1;
      step('bob notified of alarm 1');
      expect(bob.at - ann1.at).toBeGreaterThanOrEqual(STEP_S * 1000 - 200);
      // the share of the dead worker moves within 10 s of its death
      expect(bob.at - killedAt).toBeLessThan(10_000);
      await Promise.all([answered1, answered2, answered3]);
      step('every pendant answered');

      const acknowledged = (id: string) => (console2!.statesOf(id).includes('acknowledged') ? Promise.resolve() : waitForEvent<[SseAlarm]>(console2!, 'alarm', (a) => a.id === id && a.state === 'acknowledged', 40_000, `alarm ${id} acknowledged on the console`));
      await Promise.all([a1, a2, a3].map((a) => acknowledged(a.id)));
      step('every alarm acknowledged on the console');
      clearInterval(heartbeats);

      const store = new PostgresStore({ url: storeUrl });
      try {
        for (const [d, a] of [[d1!, a1], [d2, a2], [d3!, a3]] as const) {
          const alarms = await store.listAlarms({ deviceId: d.id });
          expect(alarms.map((x) => x.id)).toEqual([a.id]); // raised once, however many SOS frames, workers and brokers
          expect(alarms[0]).toMatchObject({ type: 'sos', state: 'acknowledged', acknowledgedBy: 'contact:cid' });
          const rows = await store.listOutbox({ alarmId: a.id });
          expect(rows.map((r) => r.contactName)).toEqual(['ann', 'bob', 'cid']); // each step's notification written once
          for (const c of ['ann', 'bob', 'cid']) expect(hooks.notificationsPer(a.id, c)).toBe(1); // and sent once (same key if resent)
          expect(console2.statesOf(a.id)).toEqual(expect.arrayContaining(['raised', 'acknowledged']));
        }
        // The dead worker's heartbeats: the survivor took its buckets, subscribed to their status shards and stored them.
        const later = await store.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'heartbeat' AND received_at > $1 AND device_id = ANY($2)", [bob.at, ofW1.map((d) => d.id)]);
        expect(Number(later.rows[0]!.n)).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
      await workers[1]!.waitFor(/buckets taken over: timers rebuilt/);
    } catch (e) {
      // What happened, for the one reading a failure: the steps reached and each process's last lines.
      const tails = [...workers, ...brokers].map((c) => `--- ${c.name} (${c.alive ? 'alive' : 'dead'}) ---\n${c.lines.slice(-25).join('\n')}`);
      throw new Error(`${(e as Error).message}\n--- steps ---\n${progress.join('\n')}\n${tails.join('\n')}`);
    }
  }, 150_000);
});

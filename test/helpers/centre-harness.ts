/**
 * A whole centre on a virtual clock: real store (SQLite), real services, an in-memory bus and
 * recording notifiers at their seams. Frames go through the real ingest (sealed with the device key),
 * so timer rules are tested end to end and exactly: what is published, what is sent, and when.
 */
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { Centre, type CentreDeps } from '../../centre/src/centre';
import type { CentreConfig } from '../../centre/src/config';
import type { Notifier } from '../../centre/src/notify/types';
import type { TelemetrySink } from '../../centre/src/telemetry/types';
import type { LiveHub } from '../../centre/src/domain/live';
import { SqliteStore } from '../../centre/src/store/sqlite';
import type { DeviceRecord, Store } from '../../centre/src/store/types';
import { encodeUplink, fromHex, parseDeviceId, topic, type UplinkInput } from '../../protocol/src';
import { RecordingNotifier } from './centre-fake-notifier';
import { MemoryBus } from './centre-memory-bus';

export const SITE = 'site-a';

export interface Harness {
  centre: Centre;
  clock: VirtualClock;
  bus: MemoryBus;
  sms: RecordingNotifier;
  email: RecordingNotifier;
  webhook: RecordingNotifier;
  device: DeviceRecord;
  /** `http://127.0.0.1:<port>` when started with http. */
  base: string;
  /** Seals and delivers a frame from the device through the real ingest; returns its counter. */
  /** `receivedAt`: when the gateway heard it (default now; earlier for a frame that waited in a backlog). */
  frame(type: UplinkInput['type'], extra?: Partial<UplinkInput>, device?: DeviceRecord, receivedAt?: number): Promise<number>;
  /** Advances virtual time, letting every timer, handler and delivery finish. */
  advance(ms: number): Promise<void>;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(opts: {
  config?: Partial<CentreConfig>; storePath?: string; store?: Store; clock?: VirtualClock; notifiers?: Notifier[]; seed?: boolean; http?: boolean; replace?: Notifier[]; telemetry?: TelemetrySink; live?: LiveHub;
  /** Web Push: the agent trusting a push-service stand-in. */
  push?: Pick<CentreDeps, 'pushAgent'>;
} = {}): Promise<Harness> {
  const clock = opts.clock ?? new VirtualClock();
  const bus = new MemoryBus();
  const sms = new RecordingNotifier('sms', () => clock.now());
  const email = new RecordingNotifier('email', () => clock.now());
  const webhook = new RecordingNotifier('webhook', () => clock.now());
  const deps: CentreDeps = {
    clock, bus, http: opts.http ?? false, store: opts.store ?? new SqliteStore(opts.storePath ?? ':memory:'), log: createLogger('centre', 'silent'),
    ...(opts.telemetry ? { telemetry: opts.telemetry } : {}),
    ...(opts.live ? { live: opts.live } : {}),
    ...(opts.push ?? {}),
    notifiers: opts.notifiers ?? [...[sms, email, webhook].filter((n) => !opts.replace?.some((r) => r.channel === n.channel)), ...(opts.replace ?? [])],
  };
  const centre = new Centre({ dataDir: '/nonexistent', mqtt: { url: 'mqtt://unused', clientId: 'test' }, http: { host: '127.0.0.1', port: 0 }, ...opts.config }, deps);
  await centre.store.migrate();
  let device: DeviceRecord;
  if (opts.seed !== false) {
    await centre.store.upsertSite({ id: SITE, name: 'Site A' });
    await centre.store.upsertWorker({ id: 'w1', name: 'Wendy Worker', phone: '+44 7700 900123', siteId: SITE });
    device = { id: '0000beef', key: '0f'.repeat(16), board: 'puckjs', workerId: 'w1', siteId: SITE, createdAt: clock.now(), lastCounter: -1, lastSeenAt: null, batteryPct: null };
    await centre.store.addDevice(device);
  } else {
    device = (await centre.store.getDevice('0000beef'))!;
  }
  await centre.start();
  const counters = new Map<string, number>();
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) {
      await clock.advanceAsync(0);
      await centre.scheduler.idle();
      await centre.outbox.idle();
    }
  };
  const h: Harness = {
    centre, clock, bus, sms, email, webhook, device, base: `http://127.0.0.1:${centre.httpPort}`,
    async frame(type, extra = {}, dev = device, receivedAt = clock.now()) {
      const stored = (await centre.store.getDevice(dev.id))!;
      const counter = extra.counter ?? Math.max(counters.get(dev.id) ?? 0, stored.lastCounter) + 1;
      counters.set(dev.id, counter);
      const bytes = encodeUplink({ deviceId: parseDeviceId(dev.id)!, counter, type, batteryPct: 80, ...extra }, fromHex(dev.key)!);
      await bus.deliver(topic.uplink(SITE, 'gw-1'), {
        v: 1, siteId: SITE, gatewayId: 'gw-1', transport: 'ble', rssiDbm: -70, snrDb: null, receivedAt, frame: Buffer.from(bytes).toString('hex'),
        decoded: { deviceId: dev.id, counter, type, batteryPct: 80, position: null },
      });
      await settle();
      return counter;
    },
    async advance(ms) {
      const target = clock.now() + ms;
      while (clock.now() < target) {
        const next = Math.min(target, clock.nextDueMs() ?? target);
        await clock.advanceAsync(Math.max(0, next - clock.now()));
        await settle();
      }
      await settle();
    },
    settle,
    stop: () => centre.stop(),
  };
  await settle();
  return h;
}

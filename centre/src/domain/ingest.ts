/**
 * Uplinks from gateways: the payload is validated, the raw frame verified again with the centre's
 * own copy of the device key (a gateway cannot forge what the pendant did not send), stripped of its
 * position unless the worker is protected or in an alarm (privacy), de-duplicated whatever the number
 * of gateways that heard it, stored, and handed to the rules.
 *
 * Two paths. Frames whose rules must complete (alarms, pre-alarms, cancels, check-ins, protection,
 * low battery) are committed one by one, de-duplicated by the store (device + counter), before the MQTT
 * message is acknowledged: a crash means redelivery, and the store says whether the rules still have
 * to run. Status frames (heartbeats, positions) are de-duplicated by an in-memory replay window per
 * device and group-committed (event-writer.ts). Devices are cached in memory (key, site, last counter)
 * and forgotten when the registry changes.
 *
 * Gateways publish status frames on their device's shard topic (`statusUplink`) and the alarm class on
 * the one uplink topic. In a cluster (docs/scale.md) every worker receives every alarm-class uplink
 * (Aedes has no shared subscriptions) and the status shards of the buckets it owns (shards.ts); only
 * the owner of the device's bucket runs its rules, fenced by the bucket's lease. The others
 * store the frames whose rules must complete, unhandled (idempotent on device + counter), and
 * acknowledge: if the owner's copy is lost with it (the owner died), the new owner runs them when it
 * takes the bucket over, and the owner's sweep runs any it has not seen itself. Status frames are the
 * owner's alone: a heartbeat lost in a failover costs a last-seen time, never an alarm.
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { RetryLater } from '../../../common/bus';
import { advanceWindow, classifyCounter, decodeUplink, formatDeviceId, fromHex, parseDeviceId, parsePayload, parseShardLevel, parseTopic, positionPayload, uplinkShard, type MessageType, type ReplayState, type UplinkMessage } from '../../../protocol/src';
import type { DeviceRecord, EventRecord, Store } from '../store/types';
import { Counters } from '../../../common/counters';
import type { EventWriter } from './event-writer';
import { withoutFence } from '../store/fence';
import { KeyedSerial, type Ownership, SOLE_OWNER } from './ownership';
import { devicePartition } from './partition';

export type EventHandler = (event: EventRecord, device: DeviceRecord, msg: UplinkMessage | undefined) => Promise<void>;

/**
 * Frames whose rules must complete: stored as unhandled until they have (store.recordEvent). Exactly
 * those the gateways publish on the one uplink topic every worker receives (`travelsOnShard`).
 */
export const MUST_HANDLE: ReadonlySet<string> = new Set(['sos', 'fall', 'man_down', 'no_motion', 'duress', 'pre_alarm', 'cancel', 'check_in', 'protection_on', 'protection_off', 'low_battery']);

interface CachedDevice {
  device: DeviceRecord;
  key: Uint8Array;
  window: ReplayState | undefined;
}

export class Ingest {
  readonly counters = new Counters();
  private readonly cache = new Map<string, CachedDevice>();
  private readonly serial = new KeyedSerial();
  private readonly ownership: Ownership;

  /** The longest wait (gateway to here) of the frames of the current 5-s window, and of the one before. */
  private readonly lag = { start: 0, maxMs: 0, prevMaxMs: 0 };

  constructor(private readonly ctx: {
    store: Store; log: Logger; onEvent: EventHandler; writer?: EventWriter; positionAllowed?: (device: DeviceRecord, type: MessageType) => Promise<boolean>;
    /** For the intake's lag (`lagMs`); without it the lag is not measured. */
    clock?: Clock;
    /** Whose rules these are (a cluster's bucket leases); alone, every device is ours. */
    ownership?: Ownership;
  }) {
    this.ownership = ctx.ownership ?? SOLE_OWNER;
  }

  /** Forgets cached devices (registry changed: a key, site or worker may have changed, or a device was removed). */
  forget(deviceId?: string): void {
    if (deviceId === undefined) this.cache.clear();
    else this.cache.delete(deviceId);
  }

  /** Forgets the cached devices `which` selects (buckets that changed hands: the database is ahead). */
  forgetWhere(which: (deviceId: string) => boolean): void {
    for (const id of [...this.cache.keys()]) if (which(id)) this.cache.delete(id);
  }

  /** The device as the centre knows it now, including frames not yet group-committed. */
  known(deviceId: string): DeviceRecord | undefined {
    return this.cache.get(deviceId)?.device;
  }

  /**
   * How far behind the gateways this worker's intake runs: the longest time, from the gateway's
   * `receivedAt` to here, of the frames of the last 5–10 s; 0 when none came. Supervision waits that
   * long before calling a pendant silent, since its frames may be queued on their way (a backlog).
   */
  lagMs(): number {
    const now = this.ctx.clock?.now();
    if (now === undefined || now - this.lag.start >= 10_000) return 0;
    return now - this.lag.start >= 5_000 ? this.lag.maxMs : Math.max(this.lag.maxMs, this.lag.prevMaxMs);
  }

  private noteLag(receivedAt: number): void {
    const now = this.ctx.clock?.now();
    if (now === undefined) return;
    const l = this.lag;
    if (now - l.start >= 5_000) {
      l.prevMaxMs = now - l.start >= 10_000 ? 0 : l.maxMs;
      l.start = now;
      l.maxMs = 0;
    }
    l.maxMs = Math.max(l.maxMs, now - receivedAt);
  }

  async handle(topicName: string, raw: Uint8Array): Promise<void> {
    const parsedTopic = parseTopic(topicName);
    const parsed = parsePayload('uplink', raw);
    if (!parsedTopic || (parsedTopic.spec.name !== 'uplink' && parsedTopic.spec.name !== 'statusUplink') || !parsed.ok) {
      this.counters.inc('uplinks_invalid');
      this.ctx.log.warn('invalid uplink payload dropped', { topic: topicName, errors: parsed.ok ? ['topic'] : parsed.errors });
      return;
    }
    const p = parsed.value;
    if (p.siteId !== parsedTopic.params['siteId'] || p.gatewayId !== parsedTopic.params['gatewayId']) {
      this.counters.inc('uplinks_topic_mismatch');
      return;
    }
    this.noteLag(p.receivedAt);
    const deviceIdNum = parseDeviceId(p.frame.slice(2, 10));
    // A frame on another device's shard: handled all the same, counted (a gateway that shards wrongly starves the owner).
    if (parsedTopic.spec.name === 'statusUplink' && (deviceIdNum === undefined || parseShardLevel(parsedTopic.params['shard']) !== uplinkShard(formatDeviceId(deviceIdNum)))) this.counters.inc('uplinks_wrong_shard');
    // A status frame of a device another worker owns is that worker's alone: no lookup, no decryption.
    // The gateway's decoding only decides what this worker skips, never what it trusts: the owner
    // receives the same frame and verifies it (a frame mislabelled as a heartbeat loses only the copy
    // kept here in case the owner dies).
    if (deviceIdNum !== undefined && this.ctx.writer && !MUST_HANDLE.has(p.decoded.type) && !this.ownership.owns(devicePartition(formatDeviceId(deviceIdNum)))) {
      this.counters.inc('uplinks_left_to_owner');
      return;
    }
    let cached: CachedDevice | undefined;
    try {
      cached = deviceIdNum === undefined ? undefined : await this.lookup(formatDeviceId(deviceIdNum));
    } catch (e) {
      throw new RetryLater(`store unavailable: ${(e as Error).message}`);
    }
    const result = decodeUplink(fromHex(p.frame)!, (id) => (cached && deviceIdNum === id ? { key: cached.key, lastCounter: cached.device.lastCounter >= 0 ? cached.device.lastCounter : undefined } : undefined));
    if (!result.ok || !cached) {
      this.counters.inc(`uplinks_rejected_${result.ok ? 'unknown_device' : result.code}`);
      this.ctx.log.warn('uplink frame rejected by the centre', { code: result.ok ? 'unknown_device' : result.code, gatewayId: p.gatewayId });
      return;
    }
    const msg = result.frame;
    const device = cached.device;
    if (device.siteId !== null && device.siteId !== p.siteId) this.counters.inc('uplinks_foreign_site');
    const mustHandle = MUST_HANDLE.has(msg.type) || !this.ctx.writer;
    const partition = devicePartition(device.id);
    if (!this.ownership.owns(partition)) return this.forOwner(p, msg, cached, mustHandle);
    try {
      await this.ownership.run(partition, () => this.serial.run(device.id, () => this.asOwner(p, msg, cached, mustHandle)));
    } catch (e) {
      if (e instanceof RetryLater) throw e;
      // Not acknowledged: the broker redelivers, the store answers 'retry', the rules run again (here or at the new owner).
      throw new RetryLater(`event not handled: ${(e as Error).message}`);
    }
  }

  /**
   * Another worker owns the device: frames whose rules must complete are stored for it (unhandled),
   * so its death between the broker and the store loses nothing; status frames are its alone.
   */
  private async forOwner(p: Parameters<Ingest['event']>[0], msg: UplinkMessage, cached: CachedDevice, mustHandle: boolean): Promise<void> {
    this.seen(cached, { counter: msg.counter, receivedAt: p.receivedAt, batteryPct: msg.batteryPct });
    if (!mustHandle || !MUST_HANDLE.has(msg.type)) {
      this.counters.inc('uplinks_left_to_owner');
      return;
    }
    try {
      const verdict = await this.ctx.store.recordEvent(await this.event(p, msg, cached.device, true));
      this.counters.inc(verdict === 'new' ? 'uplinks_stored_for_owner' : 'uplinks_duplicate');
    } catch (e) {
      throw new RetryLater(`store unavailable: ${(e as Error).message}`);
    }
  }

  private async asOwner(p: Parameters<Ingest['event']>[0], msg: UplinkMessage, cached: CachedDevice, mustHandle: boolean): Promise<void> {
    const device = cached.device;
    if (!mustHandle) {
      // Status frame: the in-memory window decides; older than the window is not news.
      const verdict = classifyCounter(cached.window, msg.counter);
      if (verdict !== 'new') {
        this.counters.inc(verdict === 'duplicate' ? 'uplinks_duplicate' : 'uplinks_rejected_stale');
        return;
      }
    }
    const event = await this.event(p, msg, device, mustHandle);
    const before = { ...device };
    if (mustHandle) {
      const verdict = await this.ctx.store.recordEvent(event);
      if (verdict === 'duplicate' || verdict === 'stale') {
        this.counters.inc(verdict === 'duplicate' ? 'uplinks_duplicate' : 'uplinks_rejected_stale');
        return;
      }
      this.counters.inc(verdict === 'new' ? 'uplinks_accepted' : 'uplinks_rules_retried');
      this.seen(cached, event);
      await this.ctx.onEvent(event, before, msg);
      await this.ctx.store.markEventHandled(event.deviceId, event.counter);
      return;
    }
    this.seen(cached, event);
    // The group commit is shared by every device: its timer must not inherit this device's fence.
    withoutFence(() => this.ctx.writer!.add(event));
    this.counters.inc('uplinks_accepted');
    await this.ctx.onEvent(event, before, msg);
  }

  /**
   * Rules of events stored but never completed: at start-up (a crash), when a worker takes buckets over
   * (`owns`: their devices), and as the owner's periodic sweep. Each runs once: under the device's
   * turn, the store says again whether it is still unhandled ('retry').
   */
  async recover(owns: (partition: string) => boolean = () => true): Promise<number> {
    const events = (await this.ctx.store.listUnhandledEvents(10_000)).filter((e) => owns(devicePartition(e.deviceId)));
    let ran = 0;
    for (const e of events) {
      try {
        await this.ownership.run(devicePartition(e.deviceId), () => this.serial.run(e.deviceId, async () => {
          if ((await this.ctx.store.recordEvent(e)) !== 'retry') return;
          const device = await this.ctx.store.getDevice(e.deviceId);
          if (device) await this.ctx.onEvent(e, device, undefined);
          await this.ctx.store.markEventHandled(e.deviceId, e.counter);
          ran++;
        }));
      } catch (err) {
        // Left unhandled: tried again at the next pass, start or redelivery; the other events go on.
        this.ctx.log.error('rules failed again for a stored event', { deviceId: e.deviceId, counter: e.counter, error: err as Error });
      }
    }
    if (ran) this.ctx.log.warn('rules run for events stored but not handled (a crash, a takeover, or a frame only another worker heard)', { events: ran });
    return ran;
  }

  private async lookup(id: string): Promise<CachedDevice | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const device = await this.ctx.store.getDevice(id);
    if (!device) return undefined;
    const c = this.cacheEntry(device);
    if (this.cache.size > 200_000) this.cache.clear();
    this.cache.set(id, c);
    return c;
  }

  /**
   * Loads the devices `owns` selects in one query: a worker taking buckets over would otherwise look
   * each of thousands of pendants up at its first frame, one round trip at a time.
   */
  async warm(owns: (partition: string) => boolean): Promise<number> {
    let n = 0;
    for (const device of await this.ctx.store.listDevices()) {
      if (this.cache.has(device.id) || !owns(devicePartition(device.id)) || this.cache.size > 200_000) continue;
      this.cache.set(device.id, this.cacheEntry(device));
      n++;
    }
    return n;
  }

  private cacheEntry(device: DeviceRecord): CachedDevice {
    return { device, key: fromHex(device.key)!, window: device.lastCounter >= 0 ? { last: device.lastCounter, mask: 1 } : undefined };
  }

  private async event(p: { receivedAt: number; gatewayId: string; siteId: string; rssiDbm: number | null }, msg: UplinkMessage, device: DeviceRecord, mustHandle: boolean): Promise<EventRecord> {
    let position = positionPayload(msg);
    if (position && this.ctx.positionAllowed && !(await this.ctx.positionAllowed(device, msg.type))) {
      position = null;
      this.counters.inc('positions_withheld');
    }
    return {
      deviceId: device.id, counter: msg.counter, type: msg.type, receivedAt: p.receivedAt, gatewayId: p.gatewayId, siteId: p.siteId,
      rssiDbm: p.rssiDbm === null ? null : Math.round(p.rssiDbm), batteryPct: msg.batteryPct, position, detail: msg.detail, ref: msg.ref,
      mustHandle: MUST_HANDLE.has(msg.type) && mustHandle,
    };
  }

  /** What the store now knows, in the cache too (counter, last seen, battery, replay window). */
  private seen(c: CachedDevice, e: Pick<EventRecord, 'counter' | 'receivedAt' | 'batteryPct'>): void {
    const d = c.device; // updated in place: rules got their own copy (`before`)
    d.lastCounter = Math.max(d.lastCounter, e.counter);
    d.lastSeenAt = Math.max(d.lastSeenAt ?? 0, e.receivedAt);
    d.batteryPct = e.batteryPct ?? d.batteryPct;
    if (classifyCounter(c.window, e.counter) === 'new') c.window = advanceWindow(c.window, e.counter);
  }
}

/**
 * Uplinks from gateways: the payload is validated, the raw frame verified again with the centre's
 * own copy of the device key (a gateway cannot forge what the pendant did not send), stripped of its
 * position unless the worker is protected or in an alarm (privacy), stored once per device + counter
 * whatever the number of gateways that heard it, and then handed to the rules.
 */
import type { Logger } from '../../common/log';
import { RetryLater } from '../../common/bus';
import { decodeUplink, formatDeviceId, fromHex, parseDeviceId, parsePayload, parseTopic, positionPayload, type MessageType, type UplinkMessage } from '../../protocol/src';
import type { DeviceRecord, EventRecord, Store } from './store/types';
import { Counters } from '../../common/counters';

export type EventHandler = (event: EventRecord, device: DeviceRecord, msg: UplinkMessage | undefined) => Promise<void>;

/** Frames whose rules must complete: stored as unhandled until they have (store.recordEvent). */
const MUST_HANDLE: ReadonlySet<string> = new Set(['sos', 'fall', 'man_down', 'no_motion', 'duress', 'pre_alarm', 'cancel', 'check_in', 'protection_on', 'protection_off', 'low_battery']);

export class Ingest {
  readonly counters = new Counters();

  constructor(private readonly ctx: { store: Store; log: Logger; onEvent: EventHandler; positionAllowed?: (device: DeviceRecord, type: MessageType) => Promise<boolean> }) {}

  async handle(topicName: string, raw: Uint8Array): Promise<void> {
    const parsedTopic = parseTopic(topicName);
    const parsed = parsePayload('uplink', raw);
    if (!parsedTopic || parsedTopic.spec.name !== 'uplink' || !parsed.ok) {
      this.counters.inc('uplinks_invalid');
      this.ctx.log.warn('invalid uplink payload dropped', { topic: topicName, errors: parsed.ok ? ['topic'] : parsed.errors });
      return;
    }
    const p = parsed.value;
    if (p.siteId !== parsedTopic.params['siteId'] || p.gatewayId !== parsedTopic.params['gatewayId']) {
      this.counters.inc('uplinks_topic_mismatch');
      return;
    }
    const frameBytes = fromHex(p.frame)!;
    const deviceIdNum = parseDeviceId(p.frame.slice(2, 10));
    let device: DeviceRecord | undefined;
    try {
      device = deviceIdNum === undefined ? undefined : await this.ctx.store.getDevice(formatDeviceId(deviceIdNum));
    } catch (e) {
      throw new RetryLater(`store unavailable: ${(e as Error).message}`);
    }
    const result = decodeUplink(frameBytes, (id) => (device && parseDeviceId(device.id) === id ? { key: fromHex(device.key)!, lastCounter: device.lastCounter >= 0 ? device.lastCounter : undefined } : undefined));
    if (!result.ok || !device) {
      this.counters.inc(`uplinks_rejected_${result.ok ? 'unknown_device' : result.code}`);
      this.ctx.log.warn('uplink frame rejected by the centre', { code: result.ok ? 'unknown_device' : result.code, gatewayId: p.gatewayId });
      return;
    }
    const msg = result.frame;
    if (device.siteId !== null && device.siteId !== p.siteId) this.counters.inc('uplinks_foreign_site');
    let position = positionPayload(msg);
    let verdict: 'new' | 'duplicate' | 'retry' | 'stale';
    try {
      if (position && this.ctx.positionAllowed && !(await this.ctx.positionAllowed(device, msg.type))) {
        position = null;
        this.counters.inc('positions_withheld');
      }
      const event: EventRecord = {
        deviceId: device.id, counter: msg.counter, type: msg.type, receivedAt: p.receivedAt, gatewayId: p.gatewayId, siteId: p.siteId,
        rssiDbm: p.rssiDbm === null ? null : Math.round(p.rssiDbm), batteryPct: msg.batteryPct, position, detail: msg.detail, ref: msg.ref,
        mustHandle: MUST_HANDLE.has(msg.type),
      };
      verdict = await this.ctx.store.recordEvent(event);
      if (verdict === 'new' || verdict === 'retry') {
        this.counters.inc(verdict === 'new' ? 'uplinks_accepted' : 'uplinks_rules_retried');
        await this.ctx.onEvent(event, device, msg);
        if (event.mustHandle) await this.ctx.store.markEventHandled(event.deviceId, event.counter);
        return;
      }
    } catch (e) {
      if (e instanceof RetryLater) throw e;
      // Not acknowledged: the broker redelivers, the store answers 'retry', the rules run again.
      throw new RetryLater(`event not handled: ${(e as Error).message}`);
    }
    this.counters.inc(verdict === 'duplicate' ? 'uplinks_duplicate' : 'uplinks_rejected_stale');
  }

  /** Start-up: rules of events stored before a crash that never completed. */
  async recover(): Promise<number> {
    const events = await this.ctx.store.listUnhandledEvents(10_000);
    for (const e of events) {
      try {
        const device = await this.ctx.store.getDevice(e.deviceId);
        if (device) await this.ctx.onEvent(e, device, undefined);
        await this.ctx.store.markEventHandled(e.deviceId, e.counter);
      } catch (err) {
        // Left unhandled: tried again at the next start or on redelivery; the other events go on.
        this.ctx.log.error('rules failed again for a stored event', { deviceId: e.deviceId, counter: e.counter, error: err as Error });
      }
    }
    if (events.length) this.ctx.log.warn('rules re-run for events a previous process stored but did not finish', { events: events.length });
    return events.length;
  }
}

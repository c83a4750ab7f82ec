/**
 * Uplinks from gateways: the payload is validated, the raw frame verified again with the centre's
 * own copy of the device key (a gateway cannot forge what the pendant did not send), stored once per
 * device + counter whatever the number of gateways that heard it, and then handed to the rules.
 */
import type { Logger } from '../../common/log';
import { RetryLater } from '../../common/bus';
import { decodeUplink, formatDeviceId, fromHex, parseDeviceId, parsePayload, parseTopic, positionPayload, type UplinkMessage } from '../../protocol/src';
import type { DeviceRecord, EventRecord, Store } from './store/types';
import { Counters } from '../../common/counters';

export type EventHandler = (event: EventRecord, msg: UplinkMessage, device: DeviceRecord) => Promise<void>;

export class Ingest {
  readonly counters = new Counters();

  constructor(private readonly ctx: { store: Store; log: Logger; onEvent: EventHandler }) {}

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
    const event: EventRecord = {
      deviceId: device.id, counter: msg.counter, type: msg.type, receivedAt: p.receivedAt, gatewayId: p.gatewayId, siteId: p.siteId,
      rssiDbm: p.rssiDbm === null ? null : Math.round(p.rssiDbm), batteryPct: msg.batteryPct, position: positionPayload(msg), detail: msg.detail, ref: msg.ref,
    };
    let verdict: 'new' | 'duplicate';
    try {
      verdict = await this.ctx.store.recordEvent(event);
    } catch (e) {
      throw new RetryLater(`event not stored: ${(e as Error).message}`);
    }
    if (verdict === 'duplicate') {
      this.counters.inc('uplinks_duplicate');
      return;
    }
    this.counters.inc('uplinks_accepted');
    await this.ctx.onEvent(event, msg, device);
  }
}

/**
 * Turns what the centre sees into telemetry points: battery and RSSI per frame, the gap between a
 * protected pendant's frames, and one point per alarm raised. Tags are device, site, gateway and
 * alarm type — never a worker or a position: telemetry is not time tracking.
 */
import type { DeviceRecord, EventRecord } from '../store/types';
import type { Alarm } from '../store/types';
import { NullTelemetrySink, type TelemetryPoint, type TelemetrySink } from './types';

export class TelemetryCollector {
  /** Without InfluxDB nothing is built at all (this runs for every frame). */
  private readonly enabled: boolean;

  constructor(private readonly sink: TelemetrySink) {
    this.enabled = !(sink instanceof NullTelemetrySink);
  }

  /** `before` is the device as it was before this event (its previous last-seen time). */
  event(e: EventRecord, before: DeviceRecord): void {
    if (!this.enabled) return;
    const tags = { device: e.deviceId, site: e.siteId };
    const points: TelemetryPoint[] = [];
    if (e.batteryPct !== null) points.push({ measurement: 'battery', tags, fields: { pct: e.batteryPct }, at: e.receivedAt });
    if (e.rssiDbm !== null) points.push({ measurement: 'rssi', tags: { ...tags, gateway: e.gatewayId }, fields: { dbm: e.rssiDbm }, at: e.receivedAt });
    if (e.type === 'heartbeat' && before.lastSeenAt !== null && e.receivedAt > before.lastSeenAt) {
      points.push({ measurement: 'heartbeat_gap', tags, fields: { s: (e.receivedAt - before.lastSeenAt) / 1000 }, at: e.receivedAt });
    }
    if (points.length) void this.sink.write(points);
  }

  alarm(a: Alarm): void {
    if (!this.enabled) return;
    void this.sink.write([{ measurement: 'alarms', tags: { type: a.type, site: a.siteId ?? 'none' }, fields: { count: 1, priority: a.priority }, at: a.raisedAt ?? a.createdAt }]);
  }
}

/**
 * Positions: the latest GPS fix or beacon zone of a pendant, with its age, attached to alarms.
 * Privacy (principle 4): a position is kept only while the worker is protected or in an alarm — the
 * ingest strips it from every other frame before anything is stored — and only for the retention
 * period of the config (purged hourly). Beacon ids become zones (name, floor, coordinates) through
 * the registry, cached and refreshed when the registry version changes.
 *
 * Each kept position also goes to the live map (a `position` live event) — when it differs from the
 * last one sent for the device (another zone, or a fix 5 m or more away), or the last was sent a
 * minute ago or more (so the map's age stays honest): a cluster's live channel carries changes, not
 * every heartbeat of 50,000 pendants.
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { isAlarmType, type MessageType, type PositionPayload } from '../../../protocol/src';
import type { AlarmService } from './alarms';
import type { LiveHub } from './live';
import type { SessionService } from './sessions';
import type { Beacon, DeviceRecord, EventRecord, PositionRecord, Store, Zone } from '../store/types';
import type { Place, PlaceResolver } from './views';

const OPEN = ['pending', 'raised', 'acknowledged'] as const;
/** A position sent to the live map again after this long even if unchanged (its age restarts). */
export const LIVE_REFRESH_MS = 60_000;
/** A GPS fix this far from the last one sent is a move. */
export const LIVE_MOVE_M = 5;

function metresBetween(a: Place, b: Place): number {
  if (a.lat === null || a.lon === null || b.lat === null || b.lon === null) return a.zoneId === b.zoneId && a.label === b.label ? 0 : Infinity;
  const r = Math.PI / 180;
  const x = (b.lon - a.lon) * r * Math.cos(((a.lat + b.lat) / 2) * r);
  const y = (b.lat - a.lat) * r;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}

export class Positions implements PlaceResolver {
  private beacons = new Map<string, Beacon>();
  private zones = new Map<string, Zone>();
  /** What the live map was last told per device: the place and when it was sent. */
  private readonly sent = new Map<string, { place: Place; sentAt: number }>();

  constructor(private readonly ctx: { store: Store; clock: Clock; log: Logger; sessions: SessionService; alarms?: AlarmService; live?: LiveHub }) {}

  /** Re-reads beacons and zones (start, and whenever the registry version changes). */
  async refresh(): Promise<void> {
    this.beacons = new Map((await this.ctx.store.listEntities('beacon')).map((b) => [b.id, b]));
    this.zones = new Map((await this.ctx.store.listEntities('zone')).map((z) => [z.id, z]));
  }

  /** Whether a frame's position may be stored: protected, an alarm frame, or an alarm open for the device. */
  async allowed(device: DeviceRecord, type: MessageType): Promise<boolean> {
    if (this.ctx.sessions.isProtected(device.id) || isAlarmType(type) || type === 'pre_alarm') return true;
    return (await this.ctx.store.listAlarms({ deviceId: device.id, states: [...OPEN], limit: 1 })).length > 0;
  }

  /** A stored event with a position: keep it, and move every open alarm of the device to it. */
  async onEvent(event: EventRecord, device: DeviceRecord): Promise<void> {
    const p = event.position;
    if (!p) return;
    const at = event.receivedAt - (p.kind === 'beacon' ? (p.ageS ?? 0) * 1000 : 0);
    const zone = p.kind === 'beacon' && p.beaconId !== undefined ? this.beacons.get(String(p.beaconId))?.zoneId ?? null : null;
    const rec: PositionRecord = {
      deviceId: device.id, workerId: device.workerId, at, kind: p.kind, lat: p.lat ?? null, lon: p.lon ?? null,
      beaconId: p.beaconId === undefined ? null : String(p.beaconId), zoneId: zone, rssiDbm: p.rssiDbm ?? null,
    };
    await this.ctx.store.addPosition(rec);
    await this.toLiveMap(rec, device, p);
    if (!this.ctx.alarms || isAlarmType(event.type)) return; // alarm frames carry their own position into the alarm
    for (const a of await this.ctx.store.listAlarms({ deviceId: device.id, states: [...OPEN] })) await this.ctx.alarms.updatePosition(a, p, at);
  }

  private async toLiveMap(rec: PositionRecord, device: DeviceRecord, p: PositionPayload): Promise<void> {
    const { live, clock } = this.ctx;
    if (!live) return;
    const place = await this.describe(p);
    if (!place) return;
    const now = clock.now();
    const last = this.sent.get(device.id);
    if (last && now - last.sentAt < LIVE_REFRESH_MS && metresBetween(last.place, place) < LIVE_MOVE_M) return;
    this.sent.set(device.id, { place, sentAt: now });
    live.publish({ type: 'position', position: { deviceId: device.id, workerId: device.workerId, siteId: device.siteId, at: rec.at, place } });
  }

  /** The device's last stored position, as alarms carry it. */
  async last(deviceId: string): Promise<{ position: PositionPayload; at: number } | undefined> {
    const r = await this.ctx.store.latestPosition(deviceId);
    if (!r) return undefined;
    const position: PositionPayload = r.kind === 'gps'
      ? { kind: 'gps', lat: r.lat!, lon: r.lon! }
      : { kind: 'beacon', beaconId: Number(r.beaconId), ...(r.rssiDbm === null ? {} : { rssiDbm: r.rssiDbm }) };
    return { position, at: r.at };
  }

  async describe(position: PositionPayload | null): Promise<Place | null> {
    if (!position) return null;
    if (position.kind === 'gps' && position.lat !== undefined && position.lon !== undefined) {
      return { label: `GPS ${position.lat.toFixed(5)}, ${position.lon.toFixed(5)}`, zoneId: null, zoneName: null, floor: null, lat: position.lat, lon: position.lon, x: null, y: null };
    }
    if (position.kind === 'beacon' && position.beaconId !== undefined) {
      const beacon = this.beacons.get(String(position.beaconId));
      const zone = beacon?.zoneId ? this.zones.get(beacon.zoneId) : undefined;
      if (!zone) return { label: `beacon ${position.beaconId}${beacon?.name ? ` (${beacon.name})` : ''}`, zoneId: null, zoneName: null, floor: null, lat: null, lon: null, x: null, y: null };
      return { label: `${zone.name}${zone.floor ? `, floor ${zone.floor}` : ''}`, zoneId: zone.id, zoneName: zone.name, floor: zone.floor, lat: zone.lat, lon: zone.lon, x: zone.x, y: zone.y };
    }
    return null;
  }
}

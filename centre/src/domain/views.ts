/** What the API and the live stream show of an alarm: the stored alarm plus who, where and since when. */
import type { PositionPayload } from '../../../protocol/src';
import type { Alarm, Worker } from '../store/types';

/** A position made readable: the beacon's zone (name, floor, coordinates) or the GPS fix. */
export interface Place {
  label: string;
  zoneId: string | null;
  zoneName: string | null;
  floor: string | null;
  lat: number | null;
  lon: number | null;
  x: number | null;
  y: number | null;
}

export interface PlaceResolver {
  describe(position: PositionPayload | null): Promise<Place | null>;
}

export interface AlarmView extends Alarm {
  worker: { id: string; name: string; phone: string | null } | null;
  place: Place | null;
  /** Age of the position when the view was made, in seconds. */
  positionAgeS: number | null;
}

export function alarmView(alarm: Alarm, worker: Worker | undefined, place: Place | null = null, nowMs?: number): AlarmView {
  const ageS = alarm.positionAt !== null && nowMs !== undefined ? Math.max(0, Math.round((nowMs - alarm.positionAt) / 1000)) : null;
  return { ...alarm, worker: worker ? { id: worker.id, name: worker.name, phone: worker.phone } : null, place, positionAgeS: ageS };
}

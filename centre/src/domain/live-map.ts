/**
 * The live map's picture (docs/console.md "Live map"): where the protected workers a user may see are
 * now — a GPS fix or a beacon's zone, with the time it was taken — and what to draw them on: the
 * floor plans and zones of the user's sites.
 *
 * Only what the privacy rules allow (privacy.ts, principle 4): the workers' statuses already carry a
 * position only while the worker is protected or in an alarm (a supervisor: only in an alarm). The
 * map is stricter about protection still: a protected worker's position is shown only if it was
 * taken during the protection running now (give or take a beacon report's age) — the last fix of
 * yesterday's shift is not where they are,
 * and showing it would tell where they were. An alarm's position is the incident's and is shown
 * whatever its age. One position per worker: no trail, no history.
 */
import type { Scope } from '../auth/scope';
import type { FloorPlan, Session, Site, Store, Zone } from '../store/types';
import type { Place } from './views';

/** What the map needs of a worker's status (http/console/worker-status.ts). */
export interface MapWorkerStatus {
  id: string;
  name: string;
  siteId: string | null;
  status: 'alarm' | 'pending' | 'silent' | 'protected' | 'off';
  alarmId: string | null;
  positionAt: number | null;
  place: Place | null;
}

export interface LiveMapView {
  now: number;
  workers: (MapWorkerStatus & { place: Place; positionAt: number })[];
  sites: Pick<Site, 'id' | 'name'>[];
  plans: Pick<FloorPlan, 'siteId' | 'floor' | 'widthM' | 'heightM'>[];
  zones: Pick<Zone, 'id' | 'siteId' | 'name' | 'floor' | 'lat' | 'lon' | 'x' | 'y' | 'w' | 'h'>[];
}

const IN_ALARM = new Set(['alarm', 'pending']);
/**
 * A beacon sighting reaches the centre up to 255 s after it was made (its age is one byte on the wire,
 * protocol/src/uplink.ts): one reported just after protection began may predate it by that much.
 */
export const SIGHTING_AGE_MAX_MS = 255_000;

export async function liveMap(ctx: { store: Store; scope: Scope; now: number; statuses: MapWorkerStatus[] }): Promise<LiveMapView> {
  const { store, scope, now, statuses } = ctx;
  const active = new Map<string, Session>();
  for (const s of await store.listWorkSessions({ states: ['active'] })) if (s.workerId) active.set(s.workerId, s);
  const workers = statuses.filter((w): w is MapWorkerStatus & { place: Place; positionAt: number } => {
    if (!w.place || w.positionAt === null || !scope.worker(w.id)) return false;
    if (IN_ALARM.has(w.status) || w.alarmId !== null) return true;
    const s = active.get(w.id);
    return !!s && w.positionAt >= s.startedAt - SIGHTING_AGE_MAX_MS;
  });
  const visible = scope.visibleSites(await store.listWorkers());
  const sites = (await store.listSites()).filter((s) => visible(s.id)).map((s) => ({ id: s.id, name: s.name }));
  const siteIds = new Set(sites.map((s) => s.id));
  const plans = (await store.listFloorPlans()).filter((p) => siteIds.has(p.siteId)).map((p) => ({ siteId: p.siteId, floor: p.floor, widthM: p.widthM, heightM: p.heightM }));
  const zones = (await store.listEntities('zone')).filter((z) => z.siteId !== null && siteIds.has(z.siteId))
    .map((z) => ({ id: z.id, siteId: z.siteId, name: z.name, floor: z.floor, lat: z.lat, lon: z.lon, x: z.x, y: z.y, w: z.w ?? null, h: z.h ?? null }));
  return { now, workers, sites, plans, zones };
}

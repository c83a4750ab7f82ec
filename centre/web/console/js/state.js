// What the console knows: open alarms, workers with their status, sites and teams — loaded from
// /api/console/overview on start and after every (re)connection of the live stream, then kept current
// by live events. New alarms are remembered as `fresh` (highlighted, sounding) until acknowledged.
import { api } from './api.js';
import { syncClock } from './fmt.js';
import { beep } from './sound.js';

const OPEN = new Set(['pending', 'raised', 'acknowledged']);
const listeners = new Set();

export const state = {
  user: null,
  settings: null,
  alarms: new Map(),
  workers: [],
  sites: [],
  teams: [],
  /** Customer organisations the user sees: every one for the centre's staff, their own for a customer's user. */
  organisations: [],
  /** Alarm ids that arrived while the console was open and are not yet acknowledged. */
  fresh: new Set(),
  filters: {
    siteId: sessionStorage.getItem('vigil.filter.site') || '', teamId: sessionStorage.getItem('vigil.filter.team') || '',
    organisationId: sessionStorage.getItem('vigil.filter.queue-organisation') || '',
  },
  loaded: false,
};

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

let pending = null;
function changed() {
  if (pending) return;
  pending = requestAnimationFrame(() => {
    pending = null;
    for (const fn of [...listeners]) fn();
  });
}

export function setFilter(name, value) {
  state.filters[name] = value;
  sessionStorage.setItem('vigil.filter.' + (name === 'siteId' ? 'site' : name === 'teamId' ? 'team' : 'queue-organisation'), value);
  changed();
}

const urgent = (a) => a.type === 'duress';

/** Reads the whole picture again (start, reconnect, session changes). */
export async function refresh() {
  const o = await api.get('/api/console/overview');
  syncClock(o.now);
  const before = new Set(state.alarms.keys());
  state.alarms = new Map(o.alarms.map((a) => [a.id, a]));
  state.workers = o.workers;
  state.sites = o.sites;
  state.teams = o.teams;
  state.organisations = (await api.get('/api/organisations')).organisations;
  const fresh = state.loaded ? o.alarms.filter((a) => !before.has(a.id) && a.state !== 'acknowledged') : [];
  for (const a of fresh) state.fresh.add(a.id);
  for (const id of [...state.fresh]) if (!state.alarms.has(id) || state.alarms.get(id).state === 'acknowledged') state.fresh.delete(id);
  if (fresh.length) beep(fresh.some(urgent));
  state.loaded = true;
  changed();
}

let refreshTimer = null;
/** A refresh soon, once for a burst of events (a throttle, not a debounce: a steady stream of events must not postpone it forever). */
export function refreshSoon(ms = 300) {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void refresh().catch(() => undefined);
  }, ms);
}

/** An alarm from the live stream. */
export function applyAlarm(view) {
  const known = state.alarms.get(view.id);
  if (OPEN.has(view.state)) state.alarms.set(view.id, view);
  else state.alarms.delete(view.id);
  if (!known && (view.state === 'raised' || view.state === 'pending')) {
    state.fresh.add(view.id);
    beep(urgent(view));
  } else if (known && known.state === 'pending' && view.state === 'raised') {
    state.fresh.add(view.id);
    beep(urgent(view));
  }
  if (view.state !== 'raised' && view.state !== 'pending') state.fresh.delete(view.id);
  // The worker's status follows its alarms.
  refreshSoon(400);
  changed();
}

/** Whether an alarm waits for someone: 'urgent' (duress), true, or false. */
export function waitingAlarm() {
  let w = false;
  for (const a of state.alarms.values()) {
    if (a.state !== 'raised') continue;
    if (urgent(a)) return 'urgent';
    w = true;
  }
  return w;
}

const teamOf = (workerId) => {
  const w = state.workers.find((x) => x.id === workerId);
  return w ? w.teamId : null;
};

export function alarmShown(a) {
  const f = state.filters;
  if (f.siteId && a.siteId !== f.siteId) return false;
  if (f.teamId && teamOf(a.workerId) !== f.teamId) return false;
  if (f.organisationId && can.centre() && a.organisationId !== f.organisationId) return false;
  return true;
}

export function workerShown(w) {
  const f = state.filters;
  return (!f.siteId || w.siteId === f.siteId) && (!f.teamId || w.teamId === f.teamId) && (!f.organisationId || !can.centre() || w.organisationId === f.organisationId);
}

/** Open alarms by priority, then age (oldest first): the order operators work them. */
export function sortedAlarms() {
  return [...state.alarms.values()].filter(alarmShown).sort((a, b) => a.priority - b.priority || (a.raisedAt ?? a.createdAt) - (b.raisedAt ?? b.createdAt));
}

export const can = {
  act: () => !!state.user && ['admin', 'supervisor', 'operator'].includes(state.user.role),
  admin: () => !!state.user && state.user.role === 'admin',
  audit: () => !!state.user && ['admin', 'auditor'].includes(state.user.role),
  /** The centre's own staff (no customer organisation): they see every organisation and may pick one. */
  centre: () => !!state.user && !state.user.organisationId,
};

export const siteName = (id) => (state.sites.find((s) => s.id === id) || {}).name || id || '';
export const organisationName = (id) => (state.organisations.find((o) => o.id === id) || {}).name || id || '';
export const teamName = (id) => (state.teams.find((s) => s.id === id) || {}).name || id || '';

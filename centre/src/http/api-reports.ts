/**
 * History and reports: alarms searched by date range, worker, site, type, state and resolution (JSON
 * or CSV), and the statistics of a period (a month in the console): alarms by type, genuine vs false,
 * time to acknowledge p50/p95, per site — computed by the store. Everything within the user's scope.
 */
import { ALARM_STATES, ALARM_TYPE_NAMES, RESOLUTION_REASONS, type AlarmState, type AlarmType, type ResolutionReason } from '../../../protocol/src';
import { scopeOf } from '../auth-scope';
import type { AlarmSearch, Alarm } from '../store/types';
import { alarmView, type AlarmView } from '../views';
import type { ApiContext } from './api';
import { BOM, catalogue, csvHeader, csvRow, localTime } from './api-reports-csv';
import { arrayOf, ref } from './openapi';
import { type ApiRequest, HttpError, type Router } from './router';
import { WEB_DIR } from './server';

const MAX_EXPORT = 100_000;

function list<T extends string>(req: ApiRequest, name: string, allowed: readonly T[]): T[] | undefined {
  const raw = req.query.get(name);
  if (!raw) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (bad.length) throw new HttpError(400, 'invalid', `${name}: unknown ${bad.join(', ')} (one of ${allowed.join(', ')})`);
  return items as T[];
}

function time(req: ApiRequest, name: string, required = false): number | undefined {
  const raw = req.query.get(name);
  if (raw === null || raw === '') {
    if (required) throw new HttpError(400, 'invalid', `${name}: is required (epoch ms or an ISO date)`);
    return undefined;
  }
  const v = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(v)) throw new HttpError(400, 'invalid', `${name}: not a time (epoch ms or an ISO date)`);
  return v;
}

/** A whole number from the query, `dflt` when absent; anything else (`1e309`, `-1`, `x`) is a 400 naming it. */
function count(req: ApiRequest, name: string, dflt: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^\d{1,9}$/.test(raw)) throw new HttpError(400, 'invalid', `${name}: a whole number from 0 to 999999999`);
  return Number(raw);
}

const SEARCH_QUERY = {
  from: { description: 'Created at or after (epoch ms or ISO 8601)' }, to: { description: 'Created before (epoch ms or ISO 8601)' },
  workerId: { description: 'Worker id' }, siteId: { description: 'Site id' },
  type: { description: `Comma-separated alarm types (${ALARM_TYPE_NAMES.join(', ')})` }, state: { description: `Comma-separated states (${ALARM_STATES.join(', ')})` },
  resolution: { description: `One of ${RESOLUTION_REASONS.join(', ')}` },
};

export function registerReportsApi(router: Router, ctx: ApiContext): void {
  const { store } = ctx;
  const tags = ['reports'];

  const search = async (req: ApiRequest): Promise<AlarmSearch> => {
    const resolution = list<ResolutionReason>(req, 'resolution', RESOLUTION_REASONS)?.[0];
    const types = list<AlarmType>(req, 'type', ALARM_TYPE_NAMES);
    const states = list<AlarmState>(req, 'state', ALARM_STATES);
    const from = time(req, 'from');
    const to = time(req, 'to');
    const scope = (await scopeOf(req, store)).forStore();
    return {
      ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(types ? { types } : {}), ...(states ? { states } : {}), ...(resolution ? { resolution } : {}),
      ...(req.query.get('workerId') ? { workerId: req.query.get('workerId')! } : {}), ...(req.query.get('siteId') ? { siteId: req.query.get('siteId')! } : {}), ...(scope ? { scope } : {}),
    };
  };
  const views = async (alarms: Alarm[]): Promise<AlarmView[]> => {
    const workers = new Map((await store.listWorkers()).map((w) => [w.id, w]));
    return Promise.all(alarms.map(async (a) => alarmView(a, a.workerId ? workers.get(a.workerId) : undefined, await ctx.positions.describe(a.position ?? null))));
  };

  router.add('GET', '/api/reports/alarms', async (req) => {
    const q = await search(req);
    const limit = Math.min(1000, Math.max(1, count(req, 'limit', 100)));
    const offset = count(req, 'offset', 0);
    const { alarms, total } = await store.searchAlarms({ ...q, limit, offset });
    return { total, offset, limit, alarms: await views(alarms) };
  }, {
    auth: 'any',
    doc: {
      summary: 'Alarm history, newest first, with the number of matches', tags,
      query: { ...SEARCH_QUERY, limit: { description: '1–1000 (100)', schema: { type: 'integer' } }, offset: { description: 'Skip this many', schema: { type: 'integer' } } },
      response: { type: 'object', properties: { total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' }, alarms: arrayOf(ref('AlarmView')) } },
    },
  });

  router.add('GET', '/api/reports/alarms.csv', async (req) => {
    const q = await search(req);
    const tz = req.query.get('tz') ?? 'UTC';
    let timeOf: (ms: number | null) => string;
    try {
      timeOf = localTime(tz);
    } catch {
      throw new HttpError(400, 'invalid', `tz: unknown time zone '${tz}'`);
    }
    const delimiter = req.query.get('delimiter') === ';' ? ';' : ',';
    const sites = new Map((await store.listSites()).map((s) => [s.id, s.name]));
    const c = { delimiter, t: catalogue(WEB_DIR, req.query.get('lang') ?? 'en'), time: timeOf, siteName: (id: string | null) => (id ? sites.get(id) ?? id : '') } as const;
    const res = req.res;
    const day = new Date(ctx.clock.now()).toISOString().slice(0, 10);
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="vigil-alarms-${day}.csv"`, 'cache-control': 'no-store' });
    res.write(BOM + csvHeader(c));
    for (let offset = 0; offset < MAX_EXPORT; offset += 1000) {
      const page = await store.searchAlarms({ ...q, limit: 1000, offset });
      for (const v of await views(page.alarms)) res.write(csvRow(v, c));
      if (page.alarms.length < 1000) break;
    }
    res.end();
    return undefined;
  }, {
    auth: 'any',
    doc: {
      summary: 'The same search as CSV for spreadsheets: UTF-8 with a byte-order mark, RFC 4180 quoting, local times, headings in the user\'s language', tags, produces: 'text/csv',
      query: { ...SEARCH_QUERY, tz: { description: 'IANA time zone for the times (UTC)' }, lang: { description: 'Language of headings and names (en)' }, delimiter: { description: '`,` (default) or `;` (spreadsheets set to a decimal comma)' } },
    },
  });

  router.add('GET', '/api/reports/stats', async (req) => {
    const from = time(req, 'from', true)!;
    const to = time(req, 'to', true)!;
    if (to <= from) throw new HttpError(400, 'invalid', 'to: must be after from');
    const scope = (await scopeOf(req, store)).forStore();
    const siteId = req.query.get('siteId') ?? undefined;
    const stats = await store.alarmStats({ from, to, ...(siteId ? { siteId } : {}), ...(scope ? { scope } : {}) });
    const sites = new Map((await store.listSites()).map((s) => [s.id, s.name]));
    return { ...stats, bySite: stats.bySite.map((g) => ({ ...g, siteName: g.siteId ? sites.get(g.siteId) ?? g.siteId : null })) };
  }, {
    auth: 'any',
    doc: {
      summary: 'Statistics of a period (the console asks for a month): alarms by type, by resolution (genuine, false, dispatched, test), time to acknowledge p50/p95 (nearest rank), per site', tags,
      query: { from: { description: 'Start (epoch ms or ISO 8601)', required: true }, to: { description: 'End, exclusive', required: true }, siteId: { description: 'Only this site' } },
      response: { type: 'object' },
    },
  });
}

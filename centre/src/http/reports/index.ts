/**
 * History and reports: alarms searched by date range, worker, site, type, state and resolution (JSON
 * or CSV), and the statistics of a period (a month in the console): alarms by type, genuine vs false,
 * time to acknowledge p50/p95, per site — computed by the store. Everything within the user's scope.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ALARM_STATES, ALARM_TYPE_NAMES, RESOLUTION_REASONS, type AlarmState, type AlarmType, type ResolutionReason } from '../../../../protocol/src';
import { scopeOf } from '../../auth/scope';
import type { Alarm, AlarmSearch } from '../../store/types';
import { alarmView, type AlarmView } from '../../domain/views';
import type { RouteContext } from '../context';
import { HttpError } from '../errors';
import { arrayOf, produces, query, ref } from '../openapi';
import { WEB_DIR } from '../static';
import { auditRoutes } from './audit';
import { BOM, catalogue, csvHeader, csvRow, localTime } from './csv';
import { statsCsv } from './stats-csv';

const MAX_EXPORT = 100_000;
const TIME = { type: 'string', pattern: '^(\\d+|\\d{4}-\\d\\d-\\d\\d.*)$', description: 'epoch ms or an ISO 8601 date' };
const listOfNames = (names: readonly string[], what: string) => ({ type: 'array', items: { enum: [...names] }, description: `Comma-separated ${what} (${names.join(', ')})` });
const SEARCH = {
  from: { ...TIME, description: `${TIME.description} (created at or after)` }, to: { ...TIME, description: `${TIME.description} (created before)` },
  workerId: { type: 'string', description: 'Worker id' }, siteId: { type: 'string', description: 'Site id' },
  organisationId: { type: 'string', description: 'Customer organisation id (the centre\'s staff; a customer\'s user sees only theirs anyway)' },
  type: listOfNames(ALARM_TYPE_NAMES, 'alarm types'), state: listOfNames(ALARM_STATES, 'states'), resolution: { enum: [...RESOLUTION_REASONS] },
};
type Search = { from?: string; to?: string; workerId?: string; siteId?: string; organisationId?: string; type?: AlarmType[]; state?: AlarmState[]; resolution?: ResolutionReason };

/** Before validation: an empty parameter is no filter; `type=sos,fall` → `['sos', 'fall']`. */
async function readQuery(req: FastifyRequest): Promise<void> {
  const q = req.query as Record<string, unknown>;
  for (const [k, v] of Object.entries(q)) if (v === '') delete q[k];
  for (const name of ['type', 'state']) {
    const text = q[name];
    if (typeof text !== 'string') continue;
    const items = text.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length) q[name] = items;
    else delete q[name];
  }
}

/** Epoch ms, or an ISO date read by Date.parse. */
function time(q: Record<string, unknown>, name: string): number | undefined {
  const raw = q[name] as string | undefined;
  if (raw === undefined) return undefined;
  const v = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(v)) throw new HttpError(400, 'invalid', `${name}: not a time (epoch ms or an ISO date)`);
  return v;
}

export function reportRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ['reports'];

  const search = async (req: FastifyRequest<{ Querystring: Search }>): Promise<AlarmSearch> => {
    const { workerId, siteId, organisationId, type: types, state: states, resolution } = req.query;
    const [from, to] = [time(req.query, 'from'), time(req.query, 'to')];
    const scope = (await scopeOf(req, store)).forStore();
    return {
      ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(types ? { types } : {}), ...(states ? { states } : {}), ...(resolution ? { resolution } : {}),
      ...(workerId ? { workerId } : {}), ...(siteId ? { siteId } : {}), ...(organisationId ? { organisationId } : {}), ...(scope ? { scope } : {}),
    };
  };
  const views = async (alarms: Alarm[]): Promise<AlarmView[]> => {
    const workers = new Map((await store.listWorkers()).map((w) => [w.id, w]));
    return Promise.all(alarms.map(async (a) => alarmView(a, a.workerId ? workers.get(a.workerId) : undefined, await ctx.positions.describe(a.position ?? null))));
  };

  app.get<{ Querystring: Search & { limit: number; offset: number } }>('/api/reports/alarms', {
    config: { auth: 'any' }, preValidation: readQuery,
    schema: {
      summary: 'Alarm history, newest first, with the number of matches', tags,
      querystring: query({
        ...SEARCH, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: '1–1000 (100)' },
        // A maximum, or `1e309` would be read as Infinity and reach SQL (found by `make fuzz`).
        offset: { type: 'integer', minimum: 0, maximum: 999_999_999, default: 0, description: 'Skip this many (0–999999999)' },
      }),
      response: { 200: { type: 'object', properties: { total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' }, alarms: arrayOf(ref('AlarmView')) } } },
    },
  }, async (req) => {
    const { limit, offset } = req.query;
    const { alarms, total } = await store.searchAlarms({ ...(await search(req)), limit, offset });
    return { total, offset, limit, alarms: await views(alarms) };
  });

  app.get<{ Querystring: Search & { tz: string; lang: string; delimiter: ',' | ';' } }>('/api/reports/alarms.csv', {
    config: { auth: 'any' }, preValidation: readQuery,
    schema: {
      summary: 'The same search as CSV for spreadsheets: UTF-8 with a byte-order mark, RFC 4180 quoting, local times, headings in the user\'s language', tags,
      querystring: query({
        ...SEARCH, tz: {
          type: 'string', default: 'UTC', description: 'IANA time zone for the times (UTC)',
        }, lang: { type: 'string', default: 'en', description: 'Language of headings and names (en)' },
        delimiter: { enum: [',', ';'], default: ',', description: '`,` (default) or `;` (spreadsheets set to a decimal comma)' },
      }),
      response: { 200: produces('text/csv') },
    },
  }, async (req, reply) => {
    const q = await search(req);
    const { tz, lang, delimiter } = req.query;
    let timeOf: (ms: number | null) => string;
    try {
      timeOf = localTime(tz);
    } catch {
      throw new HttpError(400, 'invalid', `tz: unknown time zone '${tz}'`);
    }
    const sites = new Map((await store.listSites()).map((s) => [s.id, s.name]));
    const c = { delimiter, t: catalogue(WEB_DIR, lang), time: timeOf, siteName: (id: string | null) => (id ? sites.get(id) ?? id : '') } as const;
    const day = new Date(ctx.clock.now()).toISOString().slice(0, 10);
    // Written page by page as the store answers: up to 100,000 rows without holding them all.
    reply.hijack();
    const res = reply.raw;
    try {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="vigil-alarms-${day}.csv"`, 'cache-control': 'no-store' });
      res.write(BOM + csvHeader(c));
      for (let offset = 0; offset < MAX_EXPORT; offset += 1000) {
        const page = await store.searchAlarms({ ...q, limit: 1000, offset });
        for (const v of await views(page.alarms)) res.write(csvRow(v, c));
        if (page.alarms.length < 1000) break;
      }
      res.end();
    } catch (e) {
      ctx.log.error('CSV export failed', { error: e as Error });
      res.destroy();
    }
  });

  app.get<{ Querystring: { from: string; to: string; siteId?: string; organisationId?: string } }>('/api/reports/stats', {
    config: { auth: 'any' }, preValidation: readQuery,
    schema: {
      summary: 'Statistics of a period (the console asks for a month): alarms by type, by resolution (genuine, false, dispatched, test), time to acknowledge p50/p95 (nearest rank), per site', tags,
      querystring: query({
        from: { ...TIME, description: `${TIME.description} (the start)` }, to: { ...TIME, description: `${TIME.description} (the end, exclusive)` },
        siteId: { type: 'string', description: 'Only this site' }, organisationId: { type: 'string', description: 'Only this customer organisation' },
      }, ['from', 'to']),
      response: { 200: { type: 'object' } },
    },
  }, async (req) => {
    const [from, to] = [time(req.query, 'from')!, time(req.query, 'to')!];
    if (to <= from) throw new HttpError(400, 'invalid', 'to: must be after from');
    const scope = (await scopeOf(req, store)).forStore();
    const { siteId, organisationId } = req.query;
    const stats = await store.alarmStats({ from, to, ...(siteId ? { siteId } : {}), ...(organisationId ? { organisationId } : {}), ...(scope ? { scope } : {}) });
    const sites = new Map((await store.listSites()).map((s) => [s.id, s.name]));
    return { ...stats, bySite: stats.bySite.map((g) => ({ ...g, siteName: g.siteId ? sites.get(g.siteId) ?? g.siteId : null })) };
  });

  app.get<{ Querystring: { from: string; to: string; siteId?: string; organisationId?: string; lang: string; delimiter: ',' | ';' } }>('/api/reports/stats.csv', {
    config: { auth: 'any' }, preValidation: readQuery,
    schema: {
      summary: 'The statistics of a period as CSV: the whole period, each site, each type; verified vs false alarms; % of person alarms acknowledged within 30 s / 60 s / 3 min', tags,
      querystring: query({
        from: { ...TIME, description: `${TIME.description} (the start)` }, to: { ...TIME, description: `${TIME.description} (the end, exclusive)` },
        siteId: { type: 'string', description: 'Only this site' }, organisationId: { type: 'string', description: 'Only this customer organisation' },
        lang: { type: 'string', default: 'en', description: 'Language of headings and type names (en)' },
        delimiter: { enum: [',', ';'], default: ',', description: '`;` also writes decimal commas' },
      }, ['from', 'to']),
      response: { 200: produces('text/csv') },
    },
  }, async (req, reply) => {
    const [from, to] = [time(req.query, 'from')!, time(req.query, 'to')!];
    if (to <= from) throw new HttpError(400, 'invalid', 'to: must be after from');
    const scope = (await scopeOf(req, store)).forStore();
    const { siteId, organisationId, lang, delimiter } = req.query;
    const stats = await store.alarmStats({ from, to, ...(siteId ? { siteId } : {}), ...(organisationId ? { organisationId } : {}), ...(scope ? { scope } : {}) });
    const sites = new Map((await store.listSites()).map((s) => [s.id, s.name]));
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="vigil-stats-${day(from)}-${day(to - 1)}.csv"`).header('cache-control', 'no-store');
    const organisations = new Map((await store.listOrganisations()).map((o) => [o.id, o.name]));
    return statsCsv(stats, (id) => (id ? sites.get(id) ?? id : ''), delimiter, catalogue(WEB_DIR, lang), (id) => organisations.get(id) ?? id);
  });

  auditRoutes(app, ctx);
}

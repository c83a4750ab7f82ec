/**
 * The audit view (issue 21 part 4): who did what when — logins and failed logins, acknowledgements,
 * resolves, exports, erasures, admin changes, everything the services record — searched by time,
 * actor, action and entity, as JSON pages or CSV. For admins and auditors (the `auditor` role reads
 * like `readonly` and, unlike it, this log). Every CSV export is itself an entry of the log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditQuery, StoredAuditEntry, UserRole } from '../../store/types';
import { actorOf, organisationOf, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { produces, query } from '../openapi';
import { WEB_DIR } from '../static';
import { BOM, catalogue, csvField, csvLine, localTime } from './csv';

export const AUDITORS = ['admin', 'auditor'] as const satisfies readonly UserRole[];
const MAX_EXPORT = 100_000;
const TIME = { type: 'string', pattern: '^(\\d+|\\d{4}-\\d\\d-\\d\\d.*)$' };
const FILTERS = {
  from: { ...TIME, description: 'epoch ms or an ISO 8601 date (at or after)' }, to: { ...TIME, description: 'epoch ms or an ISO 8601 date (before)' },
  actor: { type: 'string', maxLength: 200, description: '`user:olga` exactly, or a bare name (`olga`) under any kind of actor' },
  action: { type: 'string', maxLength: 500, description: 'Comma-separated actions (login, login_failed, acknowledged, resolved, worker_data_exported, worker_erased, user_created, …)' },
  entity: { type: 'string', maxLength: 50, description: 'alarm, session, worker, user, device, escalation, …' }, entityId: { type: 'string', maxLength: 200 },
  organisationId: { type: 'string', maxLength: 64, description: 'Only what concerns this customer organisation (a customer\'s user: always theirs)' },
};
type Filters = { from?: string; to?: string; actor?: string; action?: string; entity?: string; entityId?: string; organisationId?: string };

/** The query within the user's organisation: a customer's user reads only what concerns theirs (another one named reads nothing). */
function withinOrganisation(req: { user: { organisationId?: string | null } | undefined }, q: AuditQuery, asked: string | undefined): AuditQuery {
  const org = organisationOf(req);
  if (org !== null && asked !== undefined && asked !== org) return { ...q, organisationId: org, entity: '(none)' };
  const organisationId = org ?? asked;
  return organisationId === undefined ? q : { ...q, organisationId };
}

const ENTRY = {
  type: 'object', properties: {
    seq: { type: 'integer' }, at: { type: 'integer' }, actor: { type: 'string' }, action: { type: 'string' }, entity: { type: 'string' }, entityId: { type: 'string' },
    data: { type: 'object', additionalProperties: true }, redactedAt: { type: 'integer', description: 'Set when an erasure redacted the entry' },
  },
};

function time(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const v = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(v)) throw new HttpError(400, 'invalid', `${name}: not a time (epoch ms or an ISO date)`);
  return v;
}

export function auditQuery(q: Filters): AuditQuery {
  const from = time(q.from, 'from');
  const to = time(q.to, 'to');
  const actions = (q.action ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(q.actor ? { actor: q.actor.trim() } : {}), ...(actions.length ? { actions } : {}),
    ...(q.entity ? { entity: q.entity } : {}), ...(q.entityId ? { entityId: q.entityId } : {}),
  };
}

/** The columns; their headings are `csv.audit.<column>` of the console's catalogue, in the export's language. */
const COLUMNS = ['seq', 'time', 'actor', 'action', 'entity', 'entityId', 'data', 'redacted'];

function csvEntry(e: StoredAuditEntry, time: (ms: number | null) => string, d: ',' | ';'): string {
  const values: [string | number, boolean][] = [
    [e.seq, false], [time(e.at), false], [e.actor, true], [e.action, false], [e.entity, false], [e.entityId, true], [e.data ? JSON.stringify(e.data) : '', true],
    [e.redactedAt ? time(e.redactedAt) : '', false],
  ];
  return csvLine(values.map(([v, free]) => csvField(v, d, free)), d);
}

export function auditRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ['audit'];

  app.get<{ Querystring: Filters & { limit: number; offset: number } }>('/api/audit', {
    config: { auth: AUDITORS },
    schema: {
      summary: 'The audit log, newest first, with the number of matches', tags,
      querystring: query({ ...FILTERS, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } }),
      response: { 200: { type: 'object', properties: { total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' }, entries: { type: 'array', items: ENTRY } } } },
    },
  }, async (req) => {
    const { limit, offset } = req.query;
    const page = await store.searchAudit({ ...withinOrganisation(req, auditQuery(req.query), req.query.organisationId), limit, offset });
    return { total: page.total, offset, limit, entries: page.entries };
  });

  app.get<{ Querystring: Filters & { tz: string; lang: string; delimiter: ',' | ';' } }>('/api/audit.csv', {
    config: { auth: AUDITORS },
    schema: {
      summary: 'The same search as CSV (UTF-8 with a byte-order mark, local times, headings in the user\'s language); the export is itself audited', tags,
      querystring: query({
        ...FILTERS, tz: { type: 'string', default: 'UTC', description: 'IANA time zone (UTC)' }, lang: { type: 'string', default: 'en', description: 'Language of the headings (en)' },
        delimiter: { enum: [',', ';'], default: ',' },
      }),
      response: { 200: produces('text/csv') },
    },
  }, async (req: FastifyRequest<{ Querystring: Filters & { tz: string; lang: string; delimiter: ',' | ';' } }>, reply) => {
    const q = withinOrganisation(req, auditQuery(req.query), req.query.organisationId);
    const { tz, lang, delimiter } = req.query;
    const t = catalogue(WEB_DIR, lang);
    let timeOf: (ms: number | null) => string;
    try {
      timeOf = localTime(tz);
    } catch {
      throw new HttpError(400, 'invalid', `tz: unknown time zone '${tz}'`);
    }
    const now = ctx.clock.now();
    await store.appendAudit({ at: now, actor: actorOf(req), action: 'audit_exported', entity: 'audit', entityId: 'csv', data: { format: 'csv', filter: { ...q } } });
    reply.hijack();
    const res = reply.raw;
    try {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="vigil-audit-${new Date(now).toISOString().slice(0, 10)}.csv"`, 'cache-control': 'no-store' });
      res.write(BOM + csvLine(COLUMNS.map((k) => csvField(t(`csv.audit.${k}`), delimiter)), delimiter));
      // `to` pins the pages to the export's start (its own entry included): entries written meanwhile do not shift them
      for (let offset = 0; offset < MAX_EXPORT; offset += 1000) {
        const page = await store.searchAudit({ ...q, to: Math.min(q.to ?? Infinity, now + 1), limit: 1000, offset });
        for (const e of page.entries) res.write(csvEntry(e, timeOf, delimiter));
        if (page.entries.length < 1000) break;
      }
      res.end();
    } catch (e) {
      ctx.log.error('audit CSV export failed', { error: e as Error });
      res.destroy();
    }
  });
}

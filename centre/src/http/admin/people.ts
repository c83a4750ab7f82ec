/**
 * One person's data (issue 21 part 3; GDPR articles 15 and 17), for admins: everything the centre
 * holds about a worker as JSON or CSV, and the worker's erasure — which keeps the alarm statistics
 * (types, times, who answered, the reasons) under a random pseudonym and removes the person. Both are
 * audited (ops/people.ts, which `npx vigil centre person` uses too). A worker whose registry record is
 * gone still has their alarms and sessions: the routes take the id as it is, not only a registered worker.
 */
import type { FastifyInstance } from 'fastify';
import { erasePerson, exportPerson, notHeld, type Reach } from '../../ops/people';
import type { Owned, User, WorkerData } from '../../store/types';
import { actorOf, ADMIN, organisationOf, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { params, produces, query } from '../openapi';
import { BOM, csvField, csvLine, localTime } from '../reports/csv';

const ID = params({ id: 'Worker id (also of a worker no longer in the registry)' });
const tags = ['people'];
type One = { Params: { id: string } };

/** One row per record: its kind, time, id and the rest as JSON (one file a spreadsheet opens). */
export function workerDataCsv(d: WorkerData, time: (ms: number | null) => string, delimiter: ',' | ';'): string {
  const rows: [string, number | null, string, unknown][] = [];
  if (d.worker) rows.push(['worker', null, d.worker.id, d.worker]);
  if (d.appLogin) rows.push(['app_login', d.appLogin.createdAt, d.appLogin.username, d.appLogin]);
  for (const x of d.appSessions) rows.push(['app_session', x.createdAt, '', x]);
  for (const x of d.appActions) rows.push(['app_action', x.at, '', x]);
  for (const x of d.devices) rows.push(['device', x.createdAt, x.id, x]);
  for (const x of d.sessions) rows.push(['session', x.startedAt, x.id, x]);
  for (const x of d.alarms) rows.push(['alarm', x.createdAt, x.number, x]);
  for (const x of d.positions) rows.push(['position', x.at, x.deviceId, x]);
  for (const x of d.notifications) rows.push(['notification', x.at, x.alarmId ?? '', x]);
  for (const x of d.attempts) rows.push(['attempt', x.at, String(x.seq), x]);
  for (const x of d.audit) rows.push(['audit', x.at, String(x.seq), x]);
  const head = csvLine(['record', 'time', 'id', 'data'], delimiter);
  return BOM + head + rows.map(([kind, at, id, data]) => csvLine([kind, time(at), csvField(id, delimiter, true), csvField(JSON.stringify(data), delimiter, true)], delimiter)).join('');
}

export function peopleRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { clock } = ctx;
  /**
   * For an organisation's admin, what is held must be their organisation's: the worker's record, or
   * once it is gone every alarm and session held about them. The centre's staff reach every worker.
   */
  const reach = (req: { user: User | undefined }): Reach => (d: WorkerData) => {
    const org = organisationOf(req);
    if (org === null) return true;
    if (d.worker) return d.worker.organisationId === org;
    const records: Owned[] = [...d.alarms, ...d.sessions];
    return records.length > 0 && records.every((r) => r.organisationId === org);
  };

  app.get<One>('/api/workers/:id/data', {
    config: { auth: ADMIN },
    schema: { summary: 'Everything the centre holds about a worker (GDPR article 15), as JSON; audited', tags, params: ID, response: { 200: { type: 'object', additionalProperties: true } } },
  }, async (req, reply) => {
    const d = await exportPerson(ctx, req.params.id, 'json', actorOf(req), reach(req));
    if (!d) throw new HttpError(404, 'not_found', notHeld(req.params.id));
    void reply.header('content-disposition', `attachment; filename="vigil-worker-${req.params.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.json"`).header('cache-control', 'no-store');
    return { exportedAt: clock.now(), ...d };
  });

  app.get<One & { Querystring: { tz: string; delimiter: ',' | ';' } }>('/api/workers/:id/data.csv', {
    config: { auth: ADMIN },
    schema: {
      summary: 'The same as CSV: one row per record (kind, local time, id, the record as JSON); audited', tags, params: ID,
      querystring: query({ tz: { type: 'string', default: 'UTC' }, delimiter: { enum: [',', ';'], default: ',' } }), response: { 200: produces('text/csv') },
    },
  }, async (req, reply) => {
    let timeOf: (ms: number | null) => string;
    try {
      timeOf = localTime(req.query.tz);
    } catch {
      throw new HttpError(400, 'invalid', `tz: unknown time zone '${req.query.tz}'`);
    }
    const d = await exportPerson(ctx, req.params.id, 'csv', actorOf(req), reach(req));
    if (!d) throw new HttpError(404, 'not_found', notHeld(req.params.id));
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="vigil-worker-${req.params.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv"`).header('cache-control', 'no-store');
    return workerDataCsv(d, timeOf, req.query.delimiter);
  });

  app.post<One & { Body: { confirm: string } }>('/api/workers/:id/erase', {
    config: { auth: ADMIN },
    schema: {
      summary: 'Erase a worker (GDPR article 17): the alarm statistics stay under a random pseudonym, the person goes; audited. Refused while an alarm of theirs is open or a session runs', tags, params: ID,
      body: { type: 'object', required: ['confirm'], additionalProperties: false, properties: { confirm: { type: 'string', description: 'The worker id again' } } },
      response: { 200: { type: 'object', properties: { pseudonym: { type: 'string' }, counts: { type: 'object', additionalProperties: { type: 'integer' } } } }, 409: 'An alarm is open or a session runs' },
    },
  }, async (req) => {
    const id = req.params.id;
    if (req.body.confirm !== id) throw new HttpError(400, 'invalid', 'confirm: must repeat the worker id');
    const r = await erasePerson(ctx, id, actorOf(req), reach(req));
    if (!r.ok) throw new HttpError(r.code === 'not_found' ? 404 : 409, r.code, r.message);
    for (const d of r.devices) ctx.devicesChanged(d); // unassigned: caches forget the worker at once
    ctx.log.info('worker erased', { pseudonym: r.pseudonym, counts: r.counts });
    return { pseudonym: r.pseudonym, counts: r.counts };
  });
}

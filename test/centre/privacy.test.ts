/**
 * Whereabouts for supervisors (centre/src/domain/privacy.ts, issue 11 §4): a supervisor learns a worker's
 * position and the session's times, note and call list only while an alarm of that worker is open;
 * an operator sees them while the worker is protected. The worker list, the sessions API, the
 * position route and the live stream all follow the same rule.
 */
import { startHarness, SITE, type Harness } from '../helpers/centre-harness';
import { call, login } from '../helpers/http';

interface WorkerRow { id: string; positionAt: number | null; place: unknown; session: Record<string, unknown> | null }

describe('whereabouts: a supervisor sees them only during an alarm', () => {
  let h: Harness;
  let operator: string;
  let supervisor: string;

  beforeAll(async () => {
    h = await startHarness({ http: true });
    await h.centre.auth.createUser({ username: 'olga', password: 'olga-password', role: 'operator' });
    await h.centre.auth.createUser({ username: 'sven', password: 'sven-password', role: 'supervisor', scope: { siteIds: [SITE], teamIds: [] } });
    operator = await login(h.base, 'olga', 'olga-password');
    supervisor = await login(h.base, 'sven', 'sven-password');
  });
  afterAll(() => h.stop());

  const w1 = async (token: string): Promise<WorkerRow> =>
    (await call<{ workers: WorkerRow[] }>(h.base, 'GET', '/api/console/overview', { token })).body.workers.find((w) => w.id === 'w1')!;

  it('withholds position, session times and note outside an alarm, and shows them during one', async () => {
    const start = await call<{ session: { id: string } }>(h.base, 'POST', '/api/sessions', { token: operator, body: { workerId: 'w1', durationMin: 120, note: 'Boiler room, level -2', callList: [{ name: 'Porter', phone: '+33600000099' }] } });
    expect(start.status).toBe(201);
    const id = start.body.session.id;
    await h.frame('heartbeat', { position: { kind: 'gps', lat: 48.8, lon: 2.3 } });

    // Operator: the protected worker's position and session, whole.
    const seenByOperator = await w1(operator);
    expect(seenByOperator.positionAt).not.toBeNull();
    expect(seenByOperator.session).toMatchObject({ id, note: 'Boiler room, level -2' });
    expect((await call(h.base, 'GET', '/api/workers/w1/position', { token: operator })).status).toBe(200);

    // Supervisor: that a session runs, nothing of when, where or why.
    const seenBySupervisor = await w1(supervisor);
    expect(seenBySupervisor).toMatchObject({ positionAt: null, place: null, session: { id, withheld: true } });
    expect(seenBySupervisor.session).not.toHaveProperty('startedAt');
    const listed = (await call<{ sessions: Record<string, unknown>[] }>(h.base, 'GET', '/api/sessions', { token: supervisor })).body.sessions;
    expect(listed).toEqual([{ id, workerId: 'w1', deviceId: h.device.id, siteId: SITE, kind: 'timed', state: 'active', withheld: true }]);
    expect((await call<{ session: Record<string, unknown> }>(h.base, 'GET', `/api/sessions/${id}`, { token: supervisor })).body.session).not.toHaveProperty('note');
    expect(await call(h.base, 'GET', '/api/workers/w1/position', { token: supervisor })).toMatchObject({ status: 403, body: { error: { code: 'not_shared' } } });

    // An alarm opens: the supervisor sees everything while it is open.
    await h.frame('sos', { position: { kind: 'gps', lat: 48.81, lon: 2.31 } });
    const [alarm] = await h.centre.store.listAlarms({ states: ['raised'] });
    expect(alarm).toBeDefined();
    expect((await w1(supervisor)).session).toMatchObject({ id, note: 'Boiler room, level -2' });
    expect((await w1(supervisor)).positionAt).not.toBeNull();
    expect((await call<{ sessions: Record<string, unknown>[] }>(h.base, 'GET', '/api/sessions', { token: supervisor })).body.sessions[0]).toMatchObject({ id, note: 'Boiler room, level -2' });
    expect((await call(h.base, 'GET', '/api/workers/w1/position', { token: supervisor })).status).toBe(200);

    // Resolved: withheld again, though the worker is still protected.
    expect((await call(h.base, 'POST', `/api/alarms/${alarm!.id}/resolve`, { token: operator, body: { reason: 'genuine', comment: 'Reached, fine' } })).status).toBe(200);
    expect(await w1(supervisor)).toMatchObject({ positionAt: null, session: { id, withheld: true } });
    expect((await call(h.base, 'GET', '/api/workers/w1/position', { token: supervisor })).status).toBe(403);
    expect((await w1(operator)).positionAt).not.toBeNull();
  });

  it('streams a supervisor session events without times or note outside an alarm', async () => {
    const ticket = (await call<{ ticket: string }>(h.base, 'POST', '/api/stream/ticket', { token: supervisor })).body.ticket;
    const ac = new AbortController();
    const res = await fetch(`${h.base}/api/stream?ticket=${ticket}`, { signal: ac.signal });
    const reader = res.body!.getReader();
    let text = '';
    const until = async (re: RegExp): Promise<void> => {
      while (!re.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${re}; got: ${text}`);
        text += Buffer.from(value).toString('utf8');
      }
    };
    await until(/event: hello/);
    const active = (await h.centre.store.listWorkSessions({ states: ['active'] }))[0]!;
    expect((await call(h.base, 'POST', `/api/sessions/${active.id}/extend`, { token: operator, body: { addMin: 30 } })).status).toBe(200);
    await until(/event: session\ndata: .*\n\n/);
    ac.abort();
    const data = /event: session\ndata: (.*)\n\n/.exec(text)![1]!;
    expect(JSON.parse(data)).toMatchObject({ type: 'session', session: { id: active.id, withheld: true } });
    expect(data).not.toContain('Boiler room');
  });
});

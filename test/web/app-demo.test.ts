/**
 * `make demo` gives the worker app a demo login (printed next to the console's): a worker with only
 * a phone, who can sign in to /app/ and start a session on the demo site.
 */
import { addDemoAppWorker, DEMO_APP_WORKER } from '../../cli/demo';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { call } from '../helpers/http';

describe('demo worker app login', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ http: true });
  });
  afterEach(async () => h.stop());

  it('signs in to the app and starts a session', async () => {
    await addDemoAppWorker(h.centre.store, SITE, h.clock.now());
    const login = await call<{ token: string }>(h.base, 'POST', '/api/app/login', { body: { username: DEMO_APP_WORKER.username, password: DEMO_APP_WORKER.password } });
    expect(login.status).toBe(200);
    const state = await call<{ worker: { id: string }; pendants: unknown[] }>(h.base, 'GET', '/api/app/state', { token: login.body.token });
    expect(state.body).toMatchObject({ worker: { id: DEMO_APP_WORKER.id }, pendants: [] });
    const started = await call(h.base, 'POST', '/api/app/sessions', { token: login.body.token, body: { key: 'demo-key-000001', durationMin: 60 } });
    expect(started.status).toBe(201);
    // The console login stays apart: the worker's password does not open the console.
    expect((await call(h.base, 'POST', '/api/login', { body: { username: DEMO_APP_WORKER.username, password: DEMO_APP_WORKER.password } })).status).toBe(401);
  });
});

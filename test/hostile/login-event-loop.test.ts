/**
 * A password check costs 50–100 ms of CPU (scrypt, N=16384) and logins are what a stranger can ask
 * for. Checked inline, a burst of logins held the event loop — and with it every alarm in the
 * process — for the sum of their checks. Checks now run on libuv's thread pool: the loop stays free.
 * An unknown user name costs the same check, so the answer's timing does not reveal which exist.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { call } from '../helpers/http';
import { hashPassword } from '../../common/passwords';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ http: true });
  await h.centre.auth.createUser({ username: 'ann', password: 'ann-password-1', role: 'operator' });
});
afterAll(() => h.stop());

it('sixteen logins at once leave the event loop free: no block as long as four checks', async () => {
  const one = performance.now();
  hashPassword('what one check costs');
  const checkMs = performance.now() - one;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const answers = await Promise.all(Array.from({ length: 16 }, () => call(h.base, 'POST', '/api/login', { body: { username: 'ann', password: 'ann-password-1' } })));
  lag.disable();
  expect(answers.every((a) => a.status === 200)).toBe(true);
  expect(lag.max / 1e6).toBeLessThan(Math.max(100, 4 * checkMs));
});

it('an unknown user name takes as long to refuse as a wrong password', async () => {
  const time = async (username: string): Promise<number> => {
    const t0 = performance.now();
    await h.centre.auth.login('timing', username, 'not-the-password');
    return performance.now() - t0;
  };
  const known = Math.min(await time('ann'), await time('ann'));
  const unknown = Math.min(await time('nobody'), await time('nobody'));
  expect(unknown).toBeGreaterThan(known / 3);
});

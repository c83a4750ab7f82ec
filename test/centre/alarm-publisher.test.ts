/** What the world hears about alarms: the site's retained state for sirens, and pendant commands that never reuse a nonce. */
import { DownlinkGuard } from '../../centre/src/domain/alarm-publisher';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';

describe('alarm publication', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
    await h.centre.store.addDevice({ ...h.device, id: '0000cafe', workerId: null });
  });

  afterEach(async () => {
    await h.stop();
  });

  const states = () => h.bus.sent.filter((m) => m.topic === `vigil/v1/sites/${SITE}/state`);

  it('publishes the site state at once for the first alarm, and a burst as one update 250 ms later', async () => {
    await h.frame('sos');
    expect(states().map((m) => [m.payload['openAlarms'], m.opts.retain])).toEqual([[1, true]]);
    await h.advance(100);
    await h.frame('fall', {}, { ...h.device, id: '0000cafe' });
    await h.frame('duress'); // takes the SOS of the same pendant over: one incident (issue 20)
    expect(states()).toHaveLength(1);
    await h.advance(149);
    expect(states()).toHaveLength(1);
    await h.advance(1);
    expect(states().map((m) => m.payload)).toEqual([
      expect.objectContaining({ openAlarms: 1, types: ['sos'] }),
      expect.objectContaining({ openAlarms: 2, types: ['duress', 'fall'] }),
    ]);
  });

  it('lets one status command answer each counter, repeats of it included, and holds any other', () => {
    const g = new DownlinkGuard();
    expect(g.allow('d', 7, 'protection', 1)).toBe(true);
    expect(g.allow('d', 7, 'protection', 1)).toBe(true); // the same frame again is fine
    expect(g.allow('d', 7, 'protection', 0)).toBe(false);
    expect(g.allow('d', 7, 'session_reminder', 5)).toBe(false); // the pendant would ignore it (SPEC §4.6)
    expect(g.allow('d', 8, 'protection', 0)).toBe(true);
    expect(g.allow('e', 7, 'session_reminder', 5)).toBe(true);
    expect(g.held).toBe(2);
  });
});

/**
 * Remote pendant settings end to end through real sockets: an admin changes a pendant's settings over
 * the HTTP API → the centre sends `setting` downlinks over MQTT/TCP → the gateway's bridge encodes
 * them with the site keyring and writes them over GATT on the virtual air → the built Puck.js
 * firmware in the stand-in saves, applies and acknowledges each one → the acknowledgement comes back
 * as an advert through the gateway to the centre, which shows the settings applied, with the
 * firmware version and the pendant's hash; the pendant behaves by the new values without a reboot.
 */
import { SystemClock } from '../../common/clock';
import type { SingleBox } from '../../cli/singlebox';
import type { LiveEvent } from '../../centre/src/domain/live';
import type { DeviceSettingsView } from '../../centre/src/settings/view';
import { defaultSettings, settingsHash } from '../../protocol/src';
import { VirtualPendant } from '../../simulator/src/pendant';
import { startE2eBox, type E2eBox } from '../helpers/e2e-box';
import { call, login } from '../helpers/http';

describe('pendant settings from the console API to a simulated pendant and back', () => {
  const clock = new SystemClock();
  let e2e: E2eBox;
  let box: SingleBox;
  let pendant: VirtualPendant;
  let base: string;
  let deviceId: string;

  /** Resolves with the device's settings view once `ready` holds, re-read at every live device event. */
  const settingsWhen = (token: string, ready: (v: DeviceSettingsView) => boolean, what: string): Promise<DeviceSettingsView> =>
    new Promise((resolve, reject) => {
      let done = false;
      const check = async (): Promise<void> => {
        const r = await call<DeviceSettingsView>(base, 'GET', `/api/devices/${deviceId}/settings`, { token });
        if (!done && r.status === 200 && ready(r.body)) {
          done = true;
          off();
          clearTimeout(timer);
          resolve(r.body);
        }
      };
      const off = box.centre.live.subscribe((e: LiveEvent) => {
        if (e.type === 'device' && e.deviceId === deviceId) void check();
      });
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out waiting for ${what}`));
      }, 15_000);
      void check();
    });

  beforeAll(async () => {
    e2e = await startE2eBox({
      clock, seed: 4, worker: { id: 'w1', name: 'Wendy Worker', phone: null },
      users: [{ username: 'ana', password: 'ana-pass', role: 'admin' }, { username: 'op', password: 'op-pass', role: 'operator' }],
    });
    ({ box, base } = e2e);
    deviceId = e2e.device.id;
    // a short heartbeat so the centre hears the firmware soon; no beacons, so every heartbeat carries it
    pendant = new VirtualPendant({ board: 'puckjs', deviceId, key: e2e.device.key, clock, air: e2e.air, position: { x: 2, y: 1 }, settings: { hb: 10, scan: 0, fall: false, still: false } });
  });

  afterAll(async () => {
    pendant?.stop();
    await e2e?.stop();
  });

  it('are applied on the pendant, acknowledged, and shown as applied with its firmware and hash', async () => {
    const admin = await login(base, 'ana', 'ana-pass');
    const operator = await login(base, 'op', 'op-pass');
    const before = await call<DeviceSettingsView>(base, 'GET', `/api/devices/${deviceId}/settings`, { token: operator });
    expect(before.body).toMatchObject({ firmware: null, state: 'unknown' });

    const reported = settingsWhen(operator, (v) => v.firmware !== null, 'the pendant\'s firmware version');
    pendant.start();
    const first = await reported;
    const flashed = { ...defaultSettings(), hb: 10, scan: 0, fall: 0, still: 0 };
    expect(first).toMatchObject({ firmware: '1.1', settingsHash: settingsHash(flashed), state: 'unmanaged', defaults: false });

    // the pendant's firmware clamps are the API's: refused whole, nothing stored
    const refused = await call<{ error: { code: string; message: string } }>(base, 'PUT', `/api/devices/${deviceId}/settings`, { token: admin, body: { settings: { tiltS: 3, sens: 4 } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('tiltS must be between 5 and 300 s');
    expect((await call(base, 'PUT', `/api/devices/${deviceId}/settings`, { token: operator, body: { settings: { sens: 4 } } })).status).toBe(403);

    const applied = settingsWhen(operator, (v) => v.state === 'applied', 'every setting acknowledged');
    const changed = await call<DeviceSettingsView>(base, 'PUT', `/api/devices/${deviceId}/settings`, { token: admin, body: { settings: { tiltS: 6, tiltDeg: 40, sens: 4, stillG: 0.08 } } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ state: 'pending', pending: 4 });
    const view = await applied;

    const now = { ...flashed, tiltS: 6, tiltDeg: 40, sens: 4, stillG: 8 };
    expect(view).toMatchObject({ firmware: '1.1', settingsHash: settingsHash(now), pending: 0 });
    expect(view.settings.find((s) => s.name === 'stillG')).toMatchObject({ desired: 0.08, reported: 0.08, inForce: 0.08, state: 'applied' });
    // flashed with hb 10: the hash is not the defaults' with the acknowledged values over them, so what
    // the centre never set is not known (test/centre/pendant-settings.test.ts: proven when it is)
    expect(view.settings.find((s) => s.name === 'hb')).toMatchObject({ desired: null, inForce: null, state: 'unmanaged' });
    expect(pendant.board.evaluate('[VSet.tiltS, VSet.tiltDeg, VSet.sens, VSet.stillG].join()')).toBe('6,40,4,0.08');

    const fleet = await call<{ devices: { id: string; settings: { state: string; firmware: string } }[] }>(base, 'GET', '/api/fleet', { token: operator });
    expect(fleet.body.devices).toEqual([expect.objectContaining({ id: deviceId, settings: expect.objectContaining({ state: 'applied', firmware: '1.1' }) })]);
    const audit = await box.centre.store.listAudit('device', deviceId);
    expect(audit.map((a) => [a.action, a.actor])).toContainEqual(['device_settings', 'user:ana']);
    expect(pendant.board.errors).toEqual([]);
  });
});

/**
 * The settings service (centre/src/settings/service.ts) on its seams: desired values checked against
 * the pendant's clamps, one setting per status frame answering it, the chain carried by the
 * acknowledgements, retries, nothing to pendants that never reported a firmware, nothing during an
 * alarm, and drift (the pendant's hash changed outside the centre) sending everything again.
 */
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { DownlinkGuard } from '../../centre/src/domain/alarm-publisher';
import { PendantSettings, SettingsError } from '../../centre/src/settings/service';
import { settingsView } from '../../centre/src/settings/view';
import type { AuditEntry, DeviceRecord, EventRecord } from '../../centre/src/store/types';
import { defaultSettings, defaultSettingsHash, type DeviceInfo, type MessageType, type SettingName, settingsHash, type UplinkMessage } from '../../protocol/src';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { MemorySettingsStore } from '../helpers/memory-settings-store';
import { describeSettingsStore } from './settings-store-contract';

describeSettingsStore('memory (the unit tests\' stand-in)', async () => ({ store: new MemorySettingsStore(), devices: async () => undefined, close: async () => undefined }));

const DEV = '0000beef';

function rig() {
  const clock = new VirtualClock(1_000_000);
  const settings = new MemorySettingsStore();
  const device: DeviceRecord = { id: DEV, key: '0f'.repeat(16), board: 'puckjs', workerId: 'w1', siteId: 'site-a', createdAt: 0, lastCounter: 10, lastSeenAt: clock.now(), batteryPct: 80 };
  const sent: { counter: number; setting: string; param: number }[] = [];
  const audit: AuditEntry[] = [];
  const guard = new DownlinkGuard();
  const publisher = {
    command: (_site: string, deviceId: string, counter: number, command: 'setting', param: number, setting?: SettingName) => {
      if (!guard.allow(deviceId, counter, command, param, setting)) return false;
      sent.push({ counter, setting: setting!, param });
      return true;
    },
  };
  const svc = new PendantSettings({
    settings, clock, log: createLogger('settings', 'silent'), publisher: publisher,
    store: { getDevice: async (id: string) => (id === DEV ? device : undefined), appendAudit: async (e: AuditEntry) => void audit.push(e) },
  });
  let counter = 10;
  const frame = async (type: MessageType, o: { device?: DeviceInfo | null; detail?: number; ref?: number } = {}): Promise<number> => {
    counter++;
    device.lastCounter = counter;
    device.lastSeenAt = clock.now();
    const event: EventRecord = { deviceId: DEV, counter, type, receivedAt: clock.now(), gatewayId: 'gw', siteId: 'site-a', rssiDbm: -60, batteryPct: 80, position: null, detail: o.detail ?? 0, ref: o.ref ?? counter };
    const msg = { device: o.device ?? null } as UplinkMessage;
    await svc.onFrame(event, device, msg);
    return counter;
  };
  /** What the pendant would answer: it applies the value and acknowledges with its new hash. */
  const held = defaultSettings();
  const ack = async (): Promise<number> => {
    const s = sent[sent.length - 1]!;
    held[s.setting as SettingName] = s.param;
    const id = ['hb', 'low', 'slow', 'keep', 'pre', 'sosC', 'sosH', 'fall', 'tilt', 'still', 'sens', 'tiltDeg', 'tiltS', 'recoverS', 'stillS', 'stillG', 'duress', 'ciS', 'scan', 'scanMs'].indexOf(s.setting) + 1;
    return frame('setting', { detail: id, ref: s.counter, device: { firmware: '1.1', settingsHash: settingsHash(held) } });
  };
  const hb = (hash = settingsHash(held)) => frame('heartbeat', { device: { firmware: '1.1', settingsHash: hash } });
  const view = async () => {
    const { settings: rows, firmware } = await settings.deviceSettings(DEV);
    return settingsView(DEV, rows, firmware);
  };
  return { clock, settings, svc, sent, audit, frame, ack, hb, held, view, device };
}

describe('pendant settings at the centre', () => {
  it('refuses values outside the pendant\'s clamps, all at once, storing nothing', async () => {
    const r = rig();
    await expect(r.svc.change(DEV, { pre: 50, stillG: 0.085, sens: 3, bogus: 1 }, 'user:ana')).rejects.toMatchObject({
      code: 'invalid', errors: ['pre: pre must be between 15 and 45 s', 'stillG: stillG goes in steps of 0.01 g', "bogus: Unknown setting 'bogus'"],
    });
    await expect(r.svc.change('00000bad', { sens: 3 }, 'user:ana')).rejects.toBeInstanceOf(SettingsError);
    expect((await r.settings.deviceSettings(DEV)).settings).toEqual([]);
    expect(r.audit).toEqual([]);
  });

  it('sends nothing to a pendant that never reported a firmware version, then carries the change one setting per acknowledgement', async () => {
    const r = rig();
    await r.svc.change(DEV, { sens: 4, tiltDeg: 60, stillG: 0.08 }, 'user:ana');
    expect(r.audit).toEqual([expect.objectContaining({ actor: 'user:ana', action: 'device_settings', entity: 'device', entityId: DEV, data: { sens: 4, tiltDeg: 60, stillG: 8 } })]);
    await r.frame('heartbeat'); // a pendant from before firmware 1.1: no kind `device`
    expect(r.sent).toEqual([]);
    expect((await r.view()).state).toBe('pending');
    const hb = await r.hb();
    expect(r.sent).toEqual([{ counter: hb, setting: 'sens', param: 4 }]); // in id order
    const a1 = await r.ack();
    expect(r.sent[1]).toEqual({ counter: a1, setting: 'tiltDeg', param: 60 });
    const a2 = await r.ack();
    expect(r.sent[2]).toEqual({ counter: a2, setting: 'stillG', param: 8 });
    await r.ack();
    expect(r.sent).toHaveLength(3);
    const v = await r.view();
    expect(v).toMatchObject({ state: 'applied', pending: 0, firmware: '1.1', defaults: false });
    expect(v.settings.find((s) => s.name === 'stillG')).toMatchObject({ desired: 0.08, reported: 0.08, inForce: 0.08, state: 'applied' });
    // every other value is proven by the hash: the defaults
    expect(v.settings.find((s) => s.name === 'hb')).toMatchObject({ desired: null, inForce: 60, state: 'unmanaged' });
    await r.hb();
    expect(r.sent).toHaveLength(3);
  });

  it('answers only status frames: nothing during an alarm, nothing after protection_off', async () => {
    const r = rig();
    await r.hb();
    await r.svc.change(DEV, { pre: 30 }, 'user:ana');
    r.sent.length = 0; // sent at once, answering the heartbeat: lost
    r.clock.advance(31_000);
    await r.frame('sos');
    await r.frame('pre_alarm', { detail: 3 });
    await r.frame('protection_off');
    expect(r.sent).toEqual([]);
    const c = await r.frame('check_in');
    expect(r.sent).toEqual([{ counter: c, setting: 'pre', param: 30 }]);
  });

  it('sends at once when the pendant was heard lately, and again after the retry time when unacknowledged', async () => {
    const r = rig();
    const first = await r.hb();
    await r.svc.change(DEV, { hb: 120 }, 'user:ana');
    expect(r.sent).toEqual([{ counter: first, setting: 'hb', param: 120 }]);
    await r.hb(); // within the retry time: one is in flight
    expect(r.sent).toHaveLength(1);
    r.clock.advance(30_000);
    const c = await r.hb();
    expect(r.sent[1]).toEqual({ counter: c, setting: 'hb', param: 120 });
    // an acknowledgement of the first send still counts: the same value went out both times
    await r.frame('setting', { detail: 1, ref: first, device: { firmware: '1.1', settingsHash: settingsHash({ ...defaultSettings(), hb: 120 }) } });
    expect((await r.view()).state).toBe('applied');
  });

  it('waits for a pendant not heard within the gateways\' route time', async () => {
    const r = rig();
    await r.hb();
    r.clock.advance(11 * 60_000);
    await r.svc.change(DEV, { sens: 5 }, 'user:ana');
    expect(r.sent).toEqual([]);
    const c = await r.hb();
    expect(r.sent).toEqual([{ counter: c, setting: 'sens', param: 5 }]);
  });

  it('a newer desired value replaces one in flight; the acknowledgement of the old one does not count as the new', async () => {
    const r = rig();
    await r.hb();
    await r.svc.change(DEV, { sens: 5 }, 'user:ana');
    const first = r.sent[0]!;
    await r.svc.change(DEV, { sens: 2 }, 'user:bo');
    expect(r.sent).toHaveLength(1); // the same counter is answered already (SPEC §4.6)
    await r.frame('setting', { detail: 11, ref: first.counter, device: { firmware: '1.1', settingsHash: settingsHash({ ...defaultSettings(), sens: 5 }) } });
    expect((await r.view()).settings.find((s) => s.name === 'sens')).toMatchObject({ desired: 2, reported: null, state: 'pending' });
    expect(r.sent[1]).toMatchObject({ setting: 'sens', param: 2 });
  });

  it('notices settings changed on the pendant (a reflash) and sends the desired values again', async () => {
    const r = rig();
    await r.hb();
    await r.svc.change(DEV, { tiltS: 15 }, 'user:ana');
    await r.ack();
    expect((await r.view()).state).toBe('applied');
    await r.hb(); // the same hash: nothing to do
    expect(r.sent).toHaveLength(1);
    const c = await r.hb(defaultSettingsHash); // reflashed: vigil.set is gone
    expect(r.sent[1]).toEqual({ counter: c, setting: 'tiltS', param: 15 });
    expect((await r.view()).state).toBe('pending');
  });

  it('stops managing a setting with null: no longer pending, the pendant keeps what it has', async () => {
    const r = rig();
    await r.svc.change(DEV, { sens: 5 }, 'user:ana');
    await r.svc.change(DEV, { sens: null }, 'user:ana');
    expect((await r.view()).state).toBe('unknown');
    await r.hb();
    expect(r.sent).toEqual([]);
    expect((await r.view())).toMatchObject({ state: 'unmanaged', defaults: true });
  });
});

describe('pendant settings in the whole centre (real ingest and store, virtual time)', () => {
  let h: Harness;
  const INFO = { firmware: '1.1', settingsHash: defaultSettingsHash };

  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.stop());

  it('a status command held for the pendant answers its frame first; the setting goes with the next one, then rides the acknowledgements', async () => {
    await h.frame('heartbeat', { device: INFO });
    await h.centre.settings.change('0000beef', { sens: 4, pre: 30 }, 'user:ana');
    await h.settle();
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: 1, command: 'setting', setting: 'pre', param: 30 }]); // id order
    h.bus.clear();
    // a protection command for the same counter is held by the guard (one command per counter, SPEC §4.6) …
    h.centre.services.publisher.command('site-a', '0000beef', 1, 'protection', 0);
    expect(h.bus.on('/downlink')).toEqual([]);
    // … and answers the next frame; the setting (sent 0 s ago) does not go again before the retry time
    const c2 = await h.frame('heartbeat', { device: INFO });
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: c2, command: 'protection', param: 0 }]);
    h.bus.clear();
    const ack = await h.frame('setting', { detail: 5, ref: 1, device: { firmware: '1.1', settingsHash: settingsHash({ ...defaultSettings(), pre: 30 }) } });
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: ack, command: 'setting', setting: 'sens', param: 4 }]);
    await h.frame('setting', { detail: 11, ref: ack, device: { firmware: '1.1', settingsHash: settingsHash({ ...defaultSettings(), sens: 4, pre: 30 }) } });
    expect(await h.centre.settings.view('0000beef')).toMatchObject({ state: 'applied', pending: 0, firmware: '1.1' });
    // the acknowledgements are stored events like any other frame
    expect((await h.centre.store.listAudit('device', '0000beef')).map((a) => a.action)).toEqual(['device_settings']);
  });

  it('reloads what is still to be sent (start, registry change) and sends it at the next frame after the retry time', async () => {
    await h.frame('heartbeat', { device: INFO });
    await h.centre.settings.change('0000beef', { tiltS: 20 }, 'user:ana');
    await h.settle();
    await h.centre.settings.reload();
    h.bus.clear();
    h.clock.advance(31_000);
    const c = await h.frame('heartbeat', { device: INFO });
    expect(h.bus.on('/downlink')).toEqual([{ v: 1, deviceId: '0000beef', counter: c, command: 'setting', setting: 'tiltS', param: 20 }]);
  });
});

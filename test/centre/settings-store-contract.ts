/**
 * The contract every pendant-settings store passes (centre/src/settings/types.ts): desired values,
 * sends, acknowledgements matched to the send they answer, the firmware record, and forgetting.
 */
import type { PendantSettingsStore } from '../../centre/src/settings/types';

const INFO = { firmware: '1.1', settingsHash: 'a1b2c3d4' };

type SettingsStore = PendantSettingsStore & { deleteDevice(id: string): Promise<boolean> };

export function describeSettingsStore(name: string, build: () => Promise<{ store: SettingsStore; devices: (ids: string[]) => Promise<void>; close(): Promise<void> }>): void {
  describe(`pendant settings store: ${name}`, () => {
    let store: SettingsStore;
    let devices: (ids: string[]) => Promise<void>;
    let close: () => Promise<void>;
    beforeEach(async () => {
      const b = await build();
      store = b.store;
      close = b.close;
      devices = b.devices;
      await b.devices(['0000000a', '0000000b']);
    });
    afterEach(async () => close());

    it('keeps desired values; a changed one is to be sent anew, an unchanged one keeps its send', async () => {
      await store.setDesired('0000000a', [{ name: 'sens', desired: 4 }, { name: 'tiltS', desired: 20 }], 'user:ana', 1000);
      expect((await store.deviceSettings('0000000a')).settings.map((s) => [s.name, s.desired, s.desiredBy, s.sentFrom]).sort()).toEqual([['sens', 4, 'user:ana', null], ['tiltS', 20, 'user:ana', null]]);
      expect(await store.devicesWithPending()).toEqual(['0000000a']);
      await store.markSent('0000000a', 'sens', 50, 2000);
      await store.markSent('0000000a', 'sens', 60, 3000);
      await store.setDesired('0000000a', [{ name: 'sens', desired: 4 }, { name: 'tiltS', desired: 25 }], 'user:bo', 4000);
      const rows = (await store.deviceSettings('0000000a')).settings;
      expect(rows.find((r) => r.name === 'sens')).toMatchObject({ desired: 4, sentFrom: 50, sentCounter: 60, sentAt: 3000 });
      expect(rows.find((r) => r.name === 'tiltS')).toMatchObject({ desired: 25, sentFrom: null, desiredBy: 'user:bo' });
      expect((await store.deviceSettings('0000000b')).settings).toEqual([]);
    });

    it('matches an acknowledgement to the send it answers', async () => {
      await store.setDesired('0000000a', [{ name: 'sens', desired: 4 }], 'user:ana', 1000);
      expect(await store.acknowledge('0000000a', 'sens', 40, INFO, 41, 1500)).toBe('unknown'); // nothing sent yet
      await store.markSent('0000000a', 'sens', 50, 2000);
      expect(await store.acknowledge('0000000a', 'sens', 49, INFO, 51, 2100)).toBe('older');
      expect((await store.deviceSettings('0000000a')).settings[0]).toMatchObject({ reported: null });
      expect(await store.acknowledge('0000000a', 'sens', 50, INFO, 52, 2200)).toBe('applied');
      const { settings, firmware } = await store.deviceSettings('0000000a');
      expect(settings[0]).toMatchObject({ reported: 4, reportedAt: 2200 });
      expect(firmware).toEqual({ deviceId: '0000000a', firmware: '1.1', settingsHash: 'a1b2c3d4', at: 2200, counter: 52, ackHash: 'a1b2c3d4', ackCounter: 52 });
      expect(await store.devicesWithPending()).toEqual([]);
    });

    it('keeps the newest firmware report and the newest acknowledgement apart', async () => {
      await store.reportFirmware('0000000b', { firmware: '1.1', settingsHash: '00000001' }, 10, 100);
      await store.reportFirmware('0000000b', { firmware: '1.0', settingsHash: '00000000' }, 9, 200); // an older frame, late
      expect((await store.deviceSettings('0000000b')).firmware).toMatchObject({ settingsHash: '00000001', counter: 10, ackHash: null });
      await store.acknowledge('0000000b', 'hb', 10, { firmware: '1.1', settingsHash: '00000002' }, 11, 300);
      await store.reportFirmware('0000000b', { firmware: '1.2', settingsHash: '00000003' }, 12, 400);
      expect((await store.deviceSettings('0000000b')).firmware).toMatchObject({ firmware: '1.2', settingsHash: '00000003', counter: 12, ackHash: '00000002', ackCounter: 11 });
      expect([...(await store.firmwareOf(['0000000a', '0000000b'])).keys()]).toEqual(['0000000b']);
    });

    it('forgets what was acknowledged, so everything desired goes out again', async () => {
      await store.setDesired('0000000a', [{ name: 'pre', desired: 30 }, { name: 'fall', desired: null }], 'user:ana', 1000);
      await store.markSent('0000000a', 'pre', 5, 1100);
      await store.acknowledge('0000000a', 'pre', 5, INFO, 6, 1200);
      expect(await store.devicesWithPending()).toEqual([]);
      await store.forgetReported('0000000a');
      const { settings, firmware } = await store.deviceSettings('0000000a');
      expect(settings.find((s) => s.name === 'pre')).toMatchObject({ desired: 30, reported: null, sentFrom: null, sentAt: null });
      expect(firmware).toMatchObject({ ackHash: null, ackCounter: null, settingsHash: INFO.settingsHash });
      expect(await store.devicesWithPending()).toEqual(['0000000a']);
      expect((await store.settingsOf(['0000000a', '0000000b'])).map((s) => s.name).sort()).toEqual(['fall', 'pre']);
    });

    it('reads a fleet larger than one IN list, and none; a deleted pendant takes its rows with it', async () => {
      const ids = Array.from({ length: 620 }, (_, i) => `f${String(i).padStart(7, '0')}`);
      await devices(ids);
      for (const id of ids) await store.reportFirmware(id, INFO, 1, 100);
      await store.setDesired(ids[0]!, [{ name: 'sens', desired: 2 }], 'user:ana', 100);
      await store.setDesired(ids[619]!, [{ name: 'sens', desired: 3 }], 'user:ana', 100);
      expect((await store.firmwareOf(ids)).size).toBe(620);
      expect((await store.settingsOf(ids)).map((s) => [s.deviceId, s.desired]).sort()).toEqual([[ids[0], 2], [ids[619], 3]]);
      expect((await store.firmwareOf([])).size).toBe(0);
      expect(await store.settingsOf([])).toEqual([]);
      expect((await store.devicesWithPending()).sort()).toEqual([ids[0], ids[619]]);
      expect(await store.deleteDevice(ids[0]!)).toBe(true);
      expect(await store.deviceSettings(ids[0]!)).toEqual({ settings: [], firmware: null });
      expect(await store.devicesWithPending()).toEqual([ids[619]]);
    });
  });
}

/**
 * The pendant-settings store seam in memory, for the settings service's unit tests; it passes the same
 * contract suite as the real stores (test/centre/settings-store-contract.ts).
 */
import type { DeviceInfo, SettingName } from '../../protocol/src';
import type { AckVerdict, DeviceFirmwareRecord, DeviceSettingRecord, PendantSettingsStore } from '../../centre/src/settings/types';

export class MemorySettingsStore implements PendantSettingsStore {
  private readonly rows = new Map<string, DeviceSettingRecord>();
  private readonly firmware = new Map<string, DeviceFirmwareRecord>();

  private row(deviceId: string, name: SettingName): DeviceSettingRecord {
    const k = `${deviceId}|${name}`;
    let r = this.rows.get(k);
    if (!r) {
      r = { deviceId, name, desired: null, desiredAt: null, desiredBy: null, sentFrom: null, sentCounter: null, sentAt: null, reported: null, reportedAt: null };
      this.rows.set(k, r);
    }
    return r;
  }

  async deviceSettings(deviceId: string) {
    return { settings: [...this.rows.values()].filter((r) => r.deviceId === deviceId).map((r) => ({ ...r })), firmware: this.copy(this.firmware.get(deviceId)) };
  }

  async firmwareOf(deviceIds: readonly string[]) {
    return new Map(deviceIds.filter((id) => this.firmware.has(id)).map((id) => [id, this.copy(this.firmware.get(id))!]));
  }

  async settingsOf(deviceIds: readonly string[]) {
    const ids = new Set(deviceIds);
    return [...this.rows.values()].filter((r) => ids.has(r.deviceId)).map((r) => ({ ...r }));
  }

  async setDesired(deviceId: string, values: ReadonlyArray<{ name: SettingName; desired: number | null }>, by: string, at: number) {
    for (const v of values) {
      const r = this.row(deviceId, v.name);
      if (r.desired !== v.desired) Object.assign(r, { sentFrom: null, sentCounter: null, sentAt: null });
      Object.assign(r, { desired: v.desired, desiredAt: at, desiredBy: by });
    }
  }

  async markSent(deviceId: string, name: SettingName, counter: number, at: number) {
    const r = this.row(deviceId, name);
    Object.assign(r, { sentFrom: r.sentFrom ?? counter, sentCounter: counter, sentAt: at });
  }

  async acknowledge(deviceId: string, name: SettingName, answered: number, info: DeviceInfo, counter: number, at: number): Promise<AckVerdict> {
    const f = this.firmware.get(deviceId);
    const newest = !f || counter > f.counter;
    const newestAck = !f || f.ackCounter === null || counter > f.ackCounter;
    this.firmware.set(deviceId, {
      deviceId, ...(newest ? { firmware: info.firmware, settingsHash: info.settingsHash, at, counter } : { firmware: f.firmware, settingsHash: f.settingsHash, at: f.at, counter: f.counter }),
      ...(newestAck ? { ackHash: info.settingsHash, ackCounter: counter } : { ackHash: f.ackHash, ackCounter: f.ackCounter }),
    });
    const r = this.row(deviceId, name);
    if (r.sentFrom === null) {
      Object.assign(r, { reported: null, reportedAt: at });
      return 'unknown';
    }
    if (answered < r.sentFrom) {
      Object.assign(r, { reported: null, reportedAt: at });
      return 'older';
    }
    Object.assign(r, { reported: r.desired, reportedAt: at });
    return 'applied';
  }

  async reportFirmware(deviceId: string, info: DeviceInfo, counter: number, at: number) {
    const f = this.firmware.get(deviceId);
    if (f && f.counter > counter) return;
    this.firmware.set(deviceId, { deviceId, firmware: info.firmware, settingsHash: info.settingsHash, at, counter, ackHash: f?.ackHash ?? null, ackCounter: f?.ackCounter ?? null });
  }

  async forgetReported(deviceId: string) {
    for (const r of this.rows.values()) if (r.deviceId === deviceId) Object.assign(r, { reported: null, reportedAt: null, sentFrom: null, sentCounter: null, sentAt: null });
    const f = this.firmware.get(deviceId);
    if (f) Object.assign(f, { ackHash: null, ackCounter: null });
  }

  async devicesWithPending() {
    return [...new Set([...this.rows.values()].filter((r) => r.desired !== null && r.reported !== r.desired).map((r) => r.deviceId))];
  }

  /** The store's devices table is not here: deleting a pendant only takes its settings rows with it. */
  async deleteDevice(deviceId: string): Promise<boolean> {
    for (const [k, r] of this.rows) if (r.deviceId === deviceId) this.rows.delete(k);
    return this.firmware.delete(deviceId);
  }

  private copy(f: DeviceFirmwareRecord | undefined): DeviceFirmwareRecord | null {
    return f ? { ...f } : null;
  }
}

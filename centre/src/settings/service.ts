/**
 * Remote pendant settings (protocol SPEC §4.2): an admin or supervisor sets values for a device; the
 * centre sends each one as a `setting` downlink answering one of the pendant's status frames, the
 * pendant saves, applies and acknowledges it, and the acknowledgement's own counter carries the next
 * one — so several settings travel one frame after the other, each confirmed end to end.
 *
 * Rules:
 * - Only to pendants that reported a firmware version (position kind `device`, firmware 1.1 on):
 *   an older pendant drops the command and would be sent it for ever.
 * - Only in answer to status frames: during an alarm the pendant holds its status frames and ignores
 *   settings, and the alarm's answers come first. A status command held for the pendant (a check-in
 *   prompt, protection) answers the frame first; the setting waits for the next one (DownlinkGuard).
 * - An unacknowledged setting is sent again at the pendant's next frame after `retryMs`.
 * - A heartbeat whose settings hash differs from the last acknowledgement's (and is newer) means the
 *   settings changed on the pendant (reflashed, re-provisioned, reset): what it acknowledged is no
 *   longer known, and every desired value goes out again.
 * The owner of a device (cluster) sends; another worker only stores what is desired and tells the
 * owner (`changed`).
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { checkSetting, type DeviceInfo, messageTypeByName, settingById, settingByName, SETTINGS, type SettingName, type UplinkMessage } from '../../../protocol/src';
import type { AlarmPublisher } from '../domain/alarm-publisher';
import { devicePartition } from '../domain/partition';
import type { Ownership } from '../domain/ownership';
import type { LiveHub } from '../domain/live';
import type { DeviceRecord, EventRecord, Store } from '../store/types';
import type { DeviceSettingRecord, PendantSettingsStore } from './types';
import { type DeviceSettingsSummary, type DeviceSettingsView, isPending, settingsSummary, settingsView } from './view';

export const SETTING_RETRY_MS = 30_000;
/** Gateways keep a route to a pendant this long (gateway/src/bridge.ts): a change is sent at once only within it. */
const ROUTE_MS = 10 * 60_000;

export type SettingsChange = Record<string, unknown>;

export class SettingsError extends Error {
  constructor(readonly code: 'invalid' | 'not_found', message: string, readonly errors: string[] = []) {
    super(message);
  }
}

export class PendantSettings {
  /** Devices with a desired value not yet acknowledged (the owner's work list). */
  private pending = new Set<string>();

  constructor(private readonly ctx: {
    settings: PendantSettingsStore;
    store: Pick<Store, 'getDevice' | 'appendAudit'>;
    publisher: Pick<AlarmPublisher, 'command'>;
    clock: Clock;
    log: Logger;
    ownership?: Ownership;
    /** Consoles hear of a change of state (a value acknowledged, another firmware or hash): the fleet view follows. */
    live?: Pick<LiveHub, 'publish'>;
    retryMs?: number;
    /** The device as the centre knows it now, frames not yet group-committed included (ingest's cache). */
    currentDevice?: (id: string) => Promise<DeviceRecord | undefined>;
  }) {}

  private notify(deviceId: string): void {
    this.ctx.live?.publish({ type: 'device', deviceId });
  }

  /** Start, and after a registry change seen by polling: the devices with work to do. */
  async reload(): Promise<void> {
    this.pending = new Set(await this.ctx.settings.devicesWithPending());
  }

  /**
   * Sets values for a device, in the pendant's units (`{"sens": 4, "stillG": 0.08}`; null stops
   * managing one). Every value is checked against the pendant's clamp first; nothing is stored unless
   * all are good. Sent at once when this worker owns the device and heard it recently.
   */
  async change(deviceId: string, values: SettingsChange, actor: string): Promise<void> {
    const device = await this.ctx.store.getDevice(deviceId);
    if (!device || device.board === 'phone') throw new SettingsError('not_found', `Unknown pendant '${deviceId}'`);
    const errors: string[] = [];
    const rows: { name: SettingName; desired: number | null }[] = [];
    for (const [name, v] of Object.entries(values)) {
      if (v === null && settingByName(name)) {
        rows.push({ name: name as SettingName, desired: null });
        continue;
      }
      const r = checkSetting(name, v);
      if (r.ok) rows.push({ name: name as SettingName, desired: r.wire });
      else errors.push(`${name}: ${r.message}`);
    }
    if (errors.length) throw new SettingsError('invalid', errors.join('; '), errors);
    if (!rows.length) throw new SettingsError('invalid', 'no settings given');
    const at = this.ctx.clock.now();
    await this.ctx.settings.setDesired(deviceId, rows, actor, at);
    await this.ctx.store.appendAudit({ at, actor, action: 'device_settings', entity: 'device', entityId: deviceId, data: Object.fromEntries(rows.map((r) => [r.name, r.desired])) });
    this.notify(deviceId);
    await this.changed(deviceId, device);
  }

  /** One pendant's settings as the console shows them. */
  async view(deviceId: string): Promise<DeviceSettingsView> {
    const { settings, firmware } = await this.ctx.settings.deviceSettings(deviceId);
    return settingsView(deviceId, settings, firmware);
  }

  /** The fleet list's summaries, by device id. */
  async summaries(deviceIds: readonly string[]): Promise<Map<string, DeviceSettingsSummary>> {
    const [firmware, rows] = await Promise.all([this.ctx.settings.firmwareOf(deviceIds), this.ctx.settings.settingsOf(deviceIds)]);
    const byDevice = new Map<string, DeviceSettingRecord[]>();
    for (const r of rows) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
    return new Map(deviceIds.map((id) => [id, settingsSummary(id, byDevice.get(id) ?? [], firmware.get(id) ?? null)]));
  }

  /** A device's desired values changed (here, or at another worker): the owner sends what is pending now. */
  async changed(deviceId: string, known?: DeviceRecord): Promise<void> {
    const { settings } = await this.ctx.settings.deviceSettings(deviceId);
    if (!settings.some(isPending)) {
      this.pending.delete(deviceId);
      return;
    }
    this.pending.add(deviceId);
    if (!this.owns(deviceId)) return;
    const device = (await this.ctx.currentDevice?.(deviceId)) ?? known ?? (await this.ctx.store.getDevice(deviceId));
    if (!device?.siteId || device.lastCounter < 0 || this.ctx.clock.now() - (device.lastSeenAt ?? 0) > ROUTE_MS) return;
    await this.sendNext(device.id, device.siteId, device.lastCounter);
  }

  /** Every frame of a device (rules, after the frame is stored): version and hash, acknowledgements, the next setting. */
  async onFrame(event: EventRecord, device: DeviceRecord, msg: UplinkMessage | undefined): Promise<void> {
    try {
      await this.frame(event, device, msg);
    } catch (e) {
      // Never in the way of the frame's other rules: the next frame tries again.
      this.ctx.log.error('pendant settings not handled for a frame', { deviceId: device.id, counter: event.counter, error: e as Error });
    }
  }

  private async frame(event: EventRecord, device: DeviceRecord, msg: UplinkMessage | undefined): Promise<void> {
    const info = msg?.device ?? null;
    if (event.type === 'setting' && info) await this.acknowledged(device.id, event, info);
    else if (info) await this.reported(device.id, event, info);
    if (!this.pending.has(device.id) || messageTypeByName(event.type)?.cls !== 'status' || event.type === 'protection_off') return;
    await this.sendNext(device.id, event.siteId, event.counter);
  }

  private async acknowledged(deviceId: string, event: EventRecord, info: DeviceInfo): Promise<void> {
    const name = settingById(event.detail)?.name as SettingName | undefined;
    if (!name) return;
    const verdict = await this.ctx.settings.acknowledge(deviceId, name, event.ref, info, event.counter, event.receivedAt);
    this.ctx.log.info('pendant setting acknowledged', { deviceId, setting: name, answered: event.ref, verdict, settingsHash: info.settingsHash });
    this.notify(deviceId);
    const { settings } = await this.ctx.settings.deviceSettings(deviceId);
    if (settings.some(isPending)) this.pending.add(deviceId);
    else this.pending.delete(deviceId);
  }

  private async reported(deviceId: string, event: EventRecord, info: DeviceInfo): Promise<void> {
    const { firmware, settings } = await this.ctx.settings.deviceSettings(deviceId);
    await this.ctx.settings.reportFirmware(deviceId, info, event.counter, event.receivedAt);
    if (firmware?.firmware !== info.firmware || firmware.settingsHash !== info.settingsHash) this.notify(deviceId);
    const drifted = firmware?.ackHash != null && firmware.ackCounter !== null && event.counter > firmware.ackCounter && info.settingsHash !== firmware.ackHash;
    if (!drifted) {
      // The first report of a pendant with values waiting: they can go now.
      if (!firmware && settings.some(isPending)) this.pending.add(deviceId);
      return;
    }
    this.ctx.log.warn('pendant settings changed outside the centre: sending the desired values again', { deviceId, acknowledged: firmware.ackHash, now: info.settingsHash });
    await this.ctx.settings.forgetReported(deviceId);
    if (settings.some((s) => s.desired !== null)) this.pending.add(deviceId);
  }

  /** The first pending setting (in id order) not sent within the retry time, answering `counter`. */
  private async sendNext(deviceId: string, siteId: string, counter: number): Promise<void> {
    const { settings, firmware } = await this.ctx.settings.deviceSettings(deviceId);
    if (!firmware) return; // not known to take settings (SPEC §12.1)
    const now = this.ctx.clock.now();
    const retry = this.ctx.retryMs ?? SETTING_RETRY_MS;
    const byName = new Map(settings.map((s) => [s.name, s]));
    for (const spec of SETTINGS) {
      const s = byName.get(spec.name);
      if (!s || !isPending(s)) continue;
      if (s.sentCounter !== null && s.sentCounter >= counter) return; // already answering this frame
      if (s.sentAt !== null && now - s.sentAt < retry) return; // one in flight: the chain goes on with its acknowledgement
      if (!this.ctx.publisher.command(siteId, deviceId, counter, 'setting', s.desired!, spec.name)) return;
      await this.ctx.settings.markSent(deviceId, spec.name, counter, now);
      return;
    }
    this.pending.delete(deviceId);
  }

  private owns(deviceId: string): boolean {
    return this.ctx.ownership?.owns(devicePartition(deviceId)) ?? true;
  }
}

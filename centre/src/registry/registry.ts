/**
 * Sites, workers and pendants. Provisioning a pendant generates its id and 128-bit key, stores them,
 * and returns the settings line to paste into the pendant; every change republishes the site's
 * retained keyring for its gateways (SPEC §7).
 */
import { languageOf, watchTexts } from '../escalation/language';
import { randomBytes } from 'node:crypto';
import { type Clock, every } from '../../../common/clock';
import type { MessageBus } from '../../../common/bus';
import type { Logger } from '../../../common/log';
import { formatDeviceId, type KeyringPayload, topic } from '../../../protocol/src';
import { type BoardKind, DEFAULT_ORGANISATION, type DeviceRecord, type Store } from '../store/types';

export interface ProvisionRequest {
  board: BoardKind;
  workerId?: string | null;
  siteId?: string | null;
  /** Fixed id (tests, re-provisioning); random when absent. */
  deviceId?: string;
  /** Fixed key (tests); random when absent. */
  key?: string;
  /** The customer organisation (the centre's staff only); absent = the worker's, else the site's, else `default`. */
  organisationId?: string;
}

export class RegistryError extends Error {
  constructor(
    readonly code: 'unknown_worker' | 'unknown_site' | 'unknown_organisation' | 'duplicate_device' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export class Registry {
  constructor(private readonly ctx: { store: Store; clock: Clock; log: Logger; bus?: MessageBus | undefined }) {}

  /**
   * `org`: the organisation the caller acts in (an organisation's admin), null for the centre's staff.
   * The device is of one organisation, with its worker and site (another organisation's are unknown).
   */
  async provision(req: ProvisionRequest, org: string | null = null): Promise<{ device: DeviceRecord; settings: string }> {
    const { store } = this.ctx;
    let siteId = req.siteId ?? null;
    const worker = req.workerId ? await store.getWorker(req.workerId) : undefined;
    const site = siteId ? await store.getSite(siteId) : undefined;
    if (org !== null && req.organisationId !== undefined && req.organisationId !== org) throw new RegistryError('unknown_organisation', `Unknown organisation '${req.organisationId}'`);
    const organisationId = org ?? req.organisationId ?? worker?.organisationId ?? site?.organisationId ?? DEFAULT_ORGANISATION;
    if (!(await store.getOrganisation(organisationId))) throw new RegistryError('unknown_organisation', `Unknown organisation '${organisationId}'`);
    if (req.workerId) {
      if (!worker || worker.organisationId !== organisationId) throw new RegistryError('unknown_worker', `Unknown worker '${req.workerId}'`);
      siteId = siteId ?? worker.siteId;
    }
    const placed = siteId ? (site ?? (await store.getSite(siteId))) : undefined;
    if (siteId && (!placed || placed.organisationId !== organisationId)) throw new RegistryError('unknown_site', `Unknown site '${siteId}'`);
    let id = req.deviceId;
    if (id !== undefined) {
      if (!/^[0-9a-f]{8}$/.test(id)) throw new RegistryError('invalid', `Device id must be 8 hex digits, got '${id}'`);
      if (await store.getDevice(id)) throw new RegistryError('duplicate_device', `Device '${id}' already exists`);
    } else {
      do {
        id = formatDeviceId(randomBytes(4).readUInt32BE(0));
      } while (id === '00000000' || id === 'ffffffff' || (await store.getDevice(id)));
    }
    const key = req.key ?? randomBytes(16).toString('hex');
    if (!/^[0-9a-f]{32}$/.test(key)) throw new RegistryError('invalid', 'Key must be 32 hex digits');
    const device: DeviceRecord = {
      id, key, board: req.board, workerId: req.workerId ?? null, siteId, createdAt: this.ctx.clock.now(),
      lastCounter: -1, lastSeenAt: null, batteryPct: null, organisationId,
    };
    await store.addDevice(device);
    await store.appendAudit({ at: device.createdAt, actor: 'system', action: 'device_provisioned', entity: 'device', entityId: id, data: { board: req.board, workerId: device.workerId, siteId } });
    if (siteId) await this.publishKeyring(siteId);
    const lang = req.board === 'bangle2' && worker ? languageOf(worker.language) : undefined;
    return { device, settings: settingsLine(device, lang && lang !== 'en' ? watchTexts(lang) : undefined) };
  }

  /** Publishes the retained keyring of one site; gateways of that site subscribe to it. */
  async publishKeyring(siteId: string): Promise<void> {
    const bus = this.ctx.bus;
    if (!bus) return;
    const devices = await this.ctx.store.listDevices({ siteId });
    const payload: KeyringPayload = {
      v: 1,
      siteId,
      at: this.ctx.clock.now(),
      devices: devices.filter((d) => d.board !== 'phone').map((d) => ({ deviceId: d.id, key: d.key, ...(d.lastCounter >= 0 ? { lastCounter: d.lastCounter } : {}) })),
    };
    await bus.publish(topic.keyring(siteId), JSON.stringify(payload), { qos: 1, retain: true });
  }

  async publishAllKeyrings(): Promise<void> {
    for (const site of await this.ctx.store.listSites()) await this.publishKeyring(site.id);
  }

  /**
   * Another process (`vigil device add` on the same database) may change the registry while the centre
   * runs: every `periodMs` the registry version is compared, and on a change every site's keyring is
   * republished (gateways learn new pendants within a period) and `onChange` refreshes caches.
   */
  watch(periodMs: number, onChange: () => Promise<void>): () => void {
    let last: number | undefined;
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        const v = await this.ctx.store.registryVersion();
        if (last !== undefined && v !== last) {
          this.ctx.log.info('registry changed; republishing keyrings', { version: v });
          await this.publishAllKeyrings();
          await onChange();
        }
        last = v;
      } catch (e) {
        this.ctx.log.warn('registry check failed', { error: e as Error });
      } finally {
        busy = false;
      }
    };
    void tick();
    return every(this.ctx.clock, periodMs, () => void tick());
  }
}

/**
 * The line a technician pastes into the Espruino IDE's console (or sends with `espruino -e`): it
 * writes the pendant's id and key, and clears the message counter that belongs to the old key and
 * the settings changed over the air for the old device (SPEC §4.2.1: the new device's settings at the
 * centre start from what vigil.json says).
 */
export function settingsLine(d: { id: string; key: string }, watchText?: string[]): string {
  // A Bangle.js 2 of a worker with a language gets its screen texts too (`txt`, bangle2.js); non-ASCII
  // as \xNN escapes, so the line survives any console and Espruino stores the Latin-1 its fonts draw.
  const txt = watchText ? `,txt:${JSON.stringify(watchText).replace(/[\u0080-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`)}` : '';
  return `require("Storage").writeJSON("vigil.json",Object.assign(require("Storage").readJSON("vigil.json",1)||{},{id:"${d.id}",key:"${d.key}"${txt}}));require("Storage").erase("vctr0");require("Storage").erase("vctr1");require("Storage").erase("vigil.set");`;
}

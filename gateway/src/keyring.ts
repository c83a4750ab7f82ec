/**
 * The device keys a gateway verifies frames with, as published by the centre on the site's retained
 * keyring topic (SPEC §7). A cache keeps the last keyring so a restarted gateway works offline.
 */
import { EventEmitter } from 'node:events';
import { fromHex, type KeyringPayload, parseDeviceId } from '../../protocol/src';

export interface KeyringCache {
  load(): KeyringPayload | undefined;
  save(payload: KeyringPayload): void;
}

export class Keyring extends EventEmitter<{ applied: [] }> {
  private devices = new Map<number, Uint8Array>();
  private lastCounters = new Map<number, number>();
  private at = 0;

  constructor(private cache?: KeyringCache) {
    super();
    const cached = cache?.load();
    if (cached) this.apply(cached, false);
  }

  /** Keeps future keyrings in `cache` and loads the one it holds, unless a newer one is here already. */
  useCache(cache: KeyringCache): void {
    this.cache = cache;
    const cached = cache.load();
    if (cached) this.apply(cached, false);
  }

  /** Replaces the keyring; an older keyring than the one held is ignored. Returns whether it applied. */
  apply(payload: KeyringPayload, persist = true): boolean {
    if (payload.at < this.at) return false;
    const next = new Map<number, Uint8Array>();
    const counters = new Map<number, number>();
    for (const d of payload.devices) {
      const id = parseDeviceId(d.deviceId);
      const key = fromHex(d.key);
      if (id === undefined || !key || key.length !== 16) continue;
      next.set(id, key);
      if (d.lastCounter !== undefined) counters.set(id, d.lastCounter);
    }
    this.devices = next;
    this.lastCounters = counters;
    this.at = payload.at;
    if (persist) this.cache?.save(payload);
    this.emit('applied');
    return true;
  }

  key(deviceId: number): Uint8Array | undefined {
    return this.devices.get(deviceId);
  }

  /**
   * The last counter the centre accepted from this device, when it said so: a gateway that has never
   * heard the device rebuilds full counters from it (SPEC §3.4.1) and refuses anything at or below it.
   */
  lastCounter(deviceId: number): number | undefined {
    return this.lastCounters.get(deviceId);
  }

  get size(): number {
    return this.devices.size;
  }
}

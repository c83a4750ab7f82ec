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
  private at = 0;

  constructor(private readonly cache?: KeyringCache) {
    super();
    const cached = cache?.load();
    if (cached) this.apply(cached, false);
  }

  /** Replaces the keyring; an older keyring than the one held is ignored. Returns whether it applied. */
  apply(payload: KeyringPayload, persist = true): boolean {
    if (payload.at < this.at) return false;
    const next = new Map<number, Uint8Array>();
    for (const d of payload.devices) {
      const id = parseDeviceId(d.deviceId);
      const key = fromHex(d.key);
      if (id !== undefined && key && key.length === 16) next.set(id, key);
    }
    this.devices = next;
    this.at = payload.at;
    if (persist) this.cache?.save(payload);
    this.emit('applied');
    return true;
  }

  key(deviceId: number): Uint8Array | undefined {
    return this.devices.get(deviceId);
  }

  get size(): number {
    return this.devices.size;
  }
}

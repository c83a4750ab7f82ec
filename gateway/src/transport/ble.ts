/**
 * BLE transport over a host Bluetooth adapter with @stoprocent/noble (HCI sockets on Linux).
 * Noble is loaded only when the transport starts, so a gateway without BLE never touches it.
 * Uplinks: a continuous scan with duplicates allowed (every advert is a frame — SPEC §4.3), Vigil
 * manufacturer data picked out by company id, RSSI from the advert report. Downlinks: connect to
 * the pendant, write the downlink characteristic, disconnect — one connection at a time, each step
 * bounded by a timeout. Without a usable adapter the transport reports `unavailable` with the reason,
 * tries again every 30 s, and starts scanning by itself once the adapter is there.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from '../../../common/clock';
import { Counters } from '../../../common/counters';
import type { Logger } from '../../../common/log';
import { BLE_COMPANY_ID, GATT_DOWNLINK_UUID, GATT_SERVICE_UUID, vigilPayload } from '../../../protocol/src';
import { TransportError, type RadioTransport, type TransportEvents, type TransportStatus } from './types';

type Noble = import('@stoprocent/noble').Noble;
type Peripheral = import('@stoprocent/noble').Peripheral;
type AdapterState = import('@stoprocent/noble').AdapterState;

export interface BleTransportOptions {
  id: string;
  clock: Clock;
  log: Logger;
  companyId?: number;
  /** Linux HCI device number (0 = hci0). */
  hciDeviceId?: number;
  /** How long to wait for the adapter to report its state at start. */
  powerOnTimeoutMs?: number;
  /** Connect, discover, write: each step gets this long. */
  gattStepTimeoutMs?: number;
  /** While the adapter is unavailable, how often to try again from scratch. */
  retryMs?: number;
  /** Downlinks waiting for the radio beyond this many are refused with `busy`. */
  maxQueuedDownlinks?: number;
  /** The noble seam: only the BLE transport's own test replaces it (fake HCI bindings). */
  loadNoble?: (hciDeviceId: number | undefined) => Noble;
}

const UNAVAILABLE_REASON: Record<Exclude<AdapterState, 'poweredOn'>, string> = {
  unsupported: 'no Bluetooth LE adapter found (plug in a USB BLE adapter; `hciconfig` should list hci0)',
  unauthorized: 'not allowed to use the Bluetooth adapter (the service needs CAP_NET_RAW and CAP_NET_ADMIN)',
  poweredOff: 'the Bluetooth adapter is powered off (`rfkill unblock bluetooth`, `hciconfig hci0 up`)',
  resetting: 'the Bluetooth adapter is resetting',
  unknown: 'the Bluetooth adapter state is unknown',
};

const compactUuid = (uuid: string): string => uuid.replace(/-/g, '').toLowerCase();

export function defaultLoadNoble(hciDeviceId: number | undefined): Noble {
  const noble = require('@stoprocent/noble') as typeof import('@stoprocent/noble');
  return noble.withBindings('default', hciDeviceId === undefined ? {} : { deviceId: hciDeviceId });
}

export class BleTransport extends EventEmitter<TransportEvents> implements RadioTransport {
  readonly id: string;
  readonly kind = 'ble' as const;
  readonly counters = new Counters();
  private state: TransportStatus = { state: 'stopped' };
  private noble: Noble | undefined;
  private wanted = false;
  private scanning = false;
  private lastAdapterState: AdapterState | undefined;
  private retryTimer: TimerId | undefined;
  /** Adapter reports so far, to tell a silent adapter from one that answered. */
  private stateChanges = 0;
  private readonly peripherals = new Map<string, Peripheral>();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private readonly companyId: number;

  private readonly onStateChange = (s: AdapterState): void => void this.adapterState(s);
  private readonly onDiscover = (p: Peripheral): void => this.discovered(p);
  private readonly onScanStop = (): void => {
    this.scanning = false;
    // HCI stops scanning while it connects; listen again as soon as the radio is free.
    if (this.wanted && this.state.state === 'running' && this.queued === 0) void this.scan();
  };
  private readonly onWarning = (message: string): void => this.opts.log.debug('noble warning', { transport: this.id, message });

  constructor(private readonly opts: BleTransportOptions) {
    super();
    this.id = opts.id;
    this.companyId = opts.companyId ?? BLE_COMPANY_ID;
  }

  async start(): Promise<void> {
    if (this.wanted) return;
    this.wanted = true;
    this.setState({ state: 'starting', detail: 'waiting for the Bluetooth adapter' });
    await this.open();
  }

  async stop(): Promise<void> {
    if (!this.wanted) return;
    this.wanted = false;
    this.opts.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.noble && this.scanning) await this.noble.stopScanningAsync().catch(() => undefined);
    this.detach();
    this.setState({ state: 'stopped' });
  }

  /** Loads noble, opens the adapter and waits (bounded) until it says what state it is in. */
  private async open(): Promise<void> {
    let noble: Noble;
    try {
      noble = this.noble = this.load();
    } catch (e) {
      this.setState({ state: 'unavailable', detail: `Bluetooth stack could not be loaded: ${(e as Error).message}` });
      return this.retryLater();
    }
    noble.removeAllListeners('warning');
    noble.on('warning', this.onWarning);
    noble.on('discover', this.onDiscover);
    noble.on('scanStop', this.onScanStop);
    const waitMs = this.opts.powerOnTimeoutMs ?? 5000;
    const settled = new Promise<void>((resolve) => {
      const seen = this.stateChanges;
      const timer: TimerId = this.opts.clock.setTimeout(() => {
        this.off('status', onStatus);
        if (this.stateChanges === seen) {
          this.setState({ state: 'unavailable', detail: `the Bluetooth adapter did not report its state within ${waitMs} ms` });
          this.retryLater();
        }
        resolve();
      }, waitMs);
      const onStatus = (): void => {
        this.opts.clock.clearTimeout(timer);
        this.off('status', onStatus);
        resolve();
      };
      this.on('status', onStatus);
    });
    noble.on('stateChange', this.onStateChange); // the first listener makes noble open the adapter
    if (noble.state !== 'unknown') void this.adapterState(noble.state);
    await settled;
  }

  /** Lets go of the adapter (noble's HCI socket) so the next `open` starts afresh. */
  private detach(): void {
    const noble = this.noble;
    this.noble = undefined;
    this.scanning = false;
    this.lastAdapterState = undefined;
    if (!noble) return;
    noble.off('stateChange', this.onStateChange);
    noble.off('discover', this.onDiscover);
    noble.off('scanStop', this.onScanStop);
    try {
      noble.stop();
    } catch {
      // already closed
    }
  }

  /**
   * An adapter plugged in after start, or a permission fixed, is only seen by a fresh HCI socket:
   * try again from scratch every `retryMs` while unavailable.
   */
  private retryLater(): void {
    if (!this.wanted || this.retryTimer !== undefined) return;
    this.retryTimer = this.opts.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.wanted || this.state.state === 'running') return;
      this.counters.inc('adapter_retries');
      this.detach();
      void this.open();
    }, this.opts.retryMs ?? 30_000);
  }

  status(): TransportStatus {
    return this.state;
  }

  send(address: string, payload: Uint8Array): Promise<void> {
    if (this.state.state !== 'running' || !this.noble) return Promise.reject(new TransportError('not_running', `${this.id} is ${this.state.state}`));
    const peripheral = this.peripherals.get(address);
    if (!peripheral) return Promise.reject(new TransportError('unreachable', `${address} was never heard by ${this.id}`));
    if (this.queued >= (this.opts.maxQueuedDownlinks ?? 16)) return Promise.reject(new TransportError('busy', `${this.id} has ${this.queued} downlinks waiting`));
    this.queued++;
    const run = this.queue.then(() => this.write(peripheral, payload));
    this.queue = run.catch(() => undefined).then(() => {
      this.queued--;
      if (this.queued === 0 && this.wanted && !this.scanning && this.state.state === 'running') void this.scan();
    });
    return run;
  }

  private load(): Noble {
    // noble's HCI bindings exit the process on SIGINT if theirs is the last handler; the gateway
    // stops its transports itself on a signal, so keep only the handlers that were there before.
    const before = new Set(process.listeners('SIGINT'));
    const noble = (this.opts.loadNoble ?? defaultLoadNoble)(this.opts.hciDeviceId);
    const dropNobleSigint = (): void => {
      for (const l of process.listeners('SIGINT')) if (!before.has(l)) process.off('SIGINT', l);
    };
    dropNobleSigint();
    noble.once('stateChange', dropNobleSigint);
    return noble;
  }

  private async adapterState(s: AdapterState): Promise<void> {
    if (!this.wanted) return;
    this.stateChanges++;
    if (s === 'poweredOn') {
      this.lastAdapterState = s;
      if (await this.scan()) this.setState({ state: 'running', detail: `scanning on ${this.opts.hciDeviceId === undefined ? 'the default adapter' : `hci${this.opts.hciDeviceId}`}` });
      return;
    }
    this.scanning = false;
    if (s === 'unknown' || s === 'resetting') {
      if (this.state.state !== 'starting') this.setState({ state: 'reconnecting', detail: UNAVAILABLE_REASON[s] });
      return;
    }
    // Without an adapter the HCI layer reports `unsupported`, then `poweredOff`: the first says why.
    if (s === 'poweredOff' && this.lastAdapterState === 'unsupported') return;
    this.lastAdapterState = s;
    this.counters.inc('adapter_unavailable');
    this.setState({ state: 'unavailable', detail: UNAVAILABLE_REASON[s] });
    this.retryLater();
    this.opts.log.warn('bluetooth adapter unavailable', { transport: this.id, state: s });
  }

  /** Starts the scan; false (with the reason reported) when the adapter refuses. */
  private async scan(): Promise<boolean> {
    const noble = this.noble;
    if (!noble || this.scanning) return this.scanning;
    try {
      await noble.startScanningAsync([], true);
      this.scanning = true;
      return true;
    } catch (e) {
      this.setState({ state: 'unavailable', detail: `scanning refused: ${(e as Error).message}` });
      return false;
    }
  }

  private discovered(p: Peripheral): void {
    const payload = vigilPayload(p.advertisement?.manufacturerData, this.companyId);
    if (!payload) {
      this.counters.inc('adverts_ignored');
      return;
    }
    const address = p.address && p.address !== 'unknown' ? p.address.toLowerCase() : p.id;
    this.peripherals.set(address, p);
    this.counters.inc('frames');
    this.emit('frame', { payload, kind: 'ble', transportId: this.id, address, rssiDbm: Number.isFinite(p.rssi) && p.rssi < 0 ? p.rssi : null, snrDb: null, receivedAt: this.opts.clock.now() });
  }

  /** Connect → find the downlink characteristic → write with response → disconnect. */
  private async write(p: Peripheral, payload: Uint8Array): Promise<void> {
    if (!this.noble || this.state.state !== 'running') throw new TransportError('not_running', `${this.id} is ${this.state.state}`);
    const step = this.opts.gattStepTimeoutMs ?? 5000;
    try {
      await this.within(step, `connect to ${p.address}`, p.connectAsync(), () => p.cancelConnect());
      const { characteristics } = await this.within(step, `discover the downlink characteristic of ${p.address}`, p.discoverSomeServicesAndCharacteristicsAsync([compactUuid(GATT_SERVICE_UUID)], [compactUuid(GATT_DOWNLINK_UUID)]));
      const ch = characteristics.find((c) => c.uuid === compactUuid(GATT_DOWNLINK_UUID));
      if (!ch) throw new TransportError('unreachable', `${p.address} has no Vigil downlink characteristic`);
      await this.within(step, `write the downlink to ${p.address}`, ch.writeAsync(Buffer.from(payload), false));
      this.counters.inc('downlinks_sent');
    } catch (e) {
      this.counters.inc('downlinks_failed');
      throw e instanceof TransportError ? e : new TransportError('unreachable', `${p.address}: ${(e as Error).message}`);
    } finally {
      if (p.state === 'connected' || p.state === 'connecting') await this.within(step, 'disconnect', p.disconnectAsync()).catch(() => undefined);
    }
  }

  private within<T>(timeoutMs: number, what: string, work: Promise<T>, onTimeout?: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.opts.clock.setTimeout(() => {
        onTimeout?.();
        reject(new TransportError('timeout', `${this.id}: ${what} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      work.then(
        (v) => {
          this.opts.clock.clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          this.opts.clock.clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private setState(s: TransportStatus): void {
    this.state = s;
    this.emit('status', s);
  }
}

/**
 * Radio → MQTT bridge: every frame heard by any transport is decoded and verified (SPEC §2–§3),
 * checked against the device's replay window (duplicates from other transports or retransmissions
 * are counted, never published twice), and handed to the uplink sink with QoS 1. Downlink commands
 * from the centre go out through the transport that heard the pendant last. Bad input is counted by
 * reason and dropped; nothing here throws on radio data.
 */
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/log';
import {
  classifyCounter,
  decodeUplink,
  type DownlinkPayload,
  encodeDownlink,
  formatDeviceId,
  parseDeviceId,
  positionPayload,
  type ReplayState,
  toHex,
  type UplinkMessage,
  type UplinkPayload,
} from '../../protocol/src';
import { Counters } from '../../common/counters';
import type { Keyring } from './keyring';
import type { ReplayStore } from './replay';
import type { RadioFrame, RadioTransport } from './transport/types';

/** Where verified uplinks go: the broker directly, or the store-and-forward queue. */
export type UplinkSink = (payload: UplinkPayload) => Promise<void>;

export interface BridgeOptions {
  siteId: string;
  gatewayId: string;
  clock: Clock;
  log: Logger;
  transports: RadioTransport[];
  keyring: Keyring;
  replay: ReplayStore;
  sink: UplinkSink;
  /** How long a route to a pendant stays usable for downlinks. */
  routeTtlMs?: number;
}

interface Route {
  transport: RadioTransport;
  address: string;
  atMs: number;
  rssiDbm: number | null;
}

export type DownlinkOutcome = 'sent' | 'no_route' | 'unknown_device' | 'invalid' | 'failed';

export class Bridge {
  readonly counters = new Counters();
  private readonly routes = new Map<number, Route>();
  private readonly inflight = new Set<string>();
  private readonly onFrame = (f: RadioFrame): void => {
    void this.handleFrame(f);
  };

  constructor(private readonly opts: BridgeOptions) {}

  start(): void {
    for (const t of this.opts.transports) t.on('frame', this.onFrame);
  }

  stop(): void {
    for (const t of this.opts.transports) t.off('frame', this.onFrame);
  }

  /** Handles one frame; resolves once it is handed to the sink (or dropped). */
  async handleFrame(f: RadioFrame): Promise<void> {
    this.counters.inc('frames_received');
    this.counters.inc(`frames_received_${f.transportId}`);
    let window: ReplayState | undefined;
    const result = decodeUplink(f.payload, (id) => {
      const key = this.opts.keyring.key(id);
      if (!key) return undefined;
      window = this.window(id);
      return { key, lastCounter: window?.last };
    });
    if (!result.ok) {
      this.counters.inc(`dropped_${result.code}`);
      this.opts.log.debug('frame dropped', { code: result.code, detail: result.detail, transport: f.transportId });
      return;
    }
    const msg = result.frame;
    this.learnRoute(msg.deviceId, f);
    // The window advances only once the sink holds the frame, so a failed hand-over leaves the next
    // retransmission acceptable; copies arriving meanwhile are held off by the in-flight set.
    const key = `${msg.deviceId}:${msg.counter}`;
    const verdict = classifyCounter(window, msg.counter);
    if (verdict !== 'new' || this.inflight.has(key)) {
      this.counters.inc(verdict === 'replay' ? 'dropped_replay' : 'duplicates');
      return;
    }
    this.inflight.add(key);
    this.counters.inc('frames_accepted');
    try {
      await this.opts.sink(this.toPayload(msg, f));
      this.opts.replay.accept(msg.deviceId, msg.counter);
      this.counters.inc('uplinks_forwarded');
    } catch (e) {
      this.counters.inc('uplink_sink_errors');
      this.opts.log.error('uplink could not be queued', { deviceId: formatDeviceId(msg.deviceId), counter: msg.counter, error: e as Error });
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Sends a centre command to a pendant through the transport that heard it last. */
  async handleDownlink(cmd: DownlinkPayload): Promise<DownlinkOutcome> {
    const deviceId = parseDeviceId(cmd.deviceId)!;
    const key = this.opts.keyring.key(deviceId);
    if (!key) {
      this.counters.inc('downlinks_unknown_device');
      return 'unknown_device';
    }
    const route = this.routes.get(deviceId);
    if (!route || this.opts.clock.now() - route.atMs > (this.opts.routeTtlMs ?? 10 * 60_000)) {
      this.counters.inc('downlinks_no_route');
      return 'no_route';
    }
    let frame: Uint8Array;
    try {
      frame = encodeDownlink({ deviceId, counter: cmd.counter, command: cmd.command, param: cmd.param, ...(cmd.setting === undefined ? {} : { setting: cmd.setting }) }, key);
    } catch (e) {
      // The schema let it through, the table did not: a setting without its name or outside the pendant's range (SPEC §4.2.1).
      this.counters.inc('downlinks_invalid');
      this.opts.log.warn('downlink refused', { deviceId: cmd.deviceId, command: cmd.command, error: e as Error });
      return 'invalid';
    }
    try {
      await route.transport.send(route.address, frame);
      this.counters.inc('downlinks_sent');
      return 'sent';
    } catch (e) {
      this.counters.inc('downlinks_failed');
      this.opts.log.warn('downlink failed', { deviceId: cmd.deviceId, command: cmd.command, transport: route.transport.id, error: e as Error });
      return 'failed';
    }
  }

  /** The device's replay window; for a device this gateway never accepted, the centre's last counter. */
  private window(deviceId: number): ReplayState | undefined {
    const own = this.opts.replay.get(deviceId);
    if (own) return own;
    const last = this.opts.keyring.lastCounter(deviceId);
    return last === undefined ? undefined : { last, mask: 0xffffffff };
  }

  private learnRoute(deviceId: number, f: RadioFrame): void {
    const transport = this.opts.transports.find((t) => t.id === f.transportId);
    if (!transport) return;
    const cur = this.routes.get(deviceId);
    // A copy of the same moment heard better elsewhere wins; otherwise the newest hearing wins.
    const sameMoment = cur !== undefined && f.receivedAt - cur.atMs < 1000;
    if (cur && sameMoment && (cur.rssiDbm ?? -999) >= (f.rssiDbm ?? -999) && cur.transport !== transport) return;
    this.routes.set(deviceId, { transport, address: f.address, atMs: f.receivedAt, rssiDbm: f.rssiDbm });
  }

  private toPayload(msg: UplinkMessage, f: RadioFrame): UplinkPayload {
    return {
      v: 1,
      siteId: this.opts.siteId,
      gatewayId: this.opts.gatewayId,
      transport: f.kind,
      rssiDbm: f.rssiDbm,
      snrDb: f.snrDb,
      receivedAt: f.receivedAt,
      frame: toHex(f.payload),
      decoded: {
        deviceId: formatDeviceId(msg.deviceId),
        counter: msg.counter,
        type: msg.type,
        batteryPct: msg.batteryPct,
        position: positionPayload(msg),
      },
    };
  }
}

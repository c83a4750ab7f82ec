/**
 * Site I/O over Modbus: outputs (sirens, strobes, door release) follow the site's open alarms as the
 * centre publishes them (retained `vigil/v1/sites/<site>/state`), and wired inputs (panic buttons,
 * pull-cords) are polled and reported as `input` events. Coils are written when the wanted state
 * changes and re-asserted on every poll, so a module that lost power comes back in the right state.
 * A module that stops answering is reported (`reconnecting`, with the reason) and retried with
 * backoff; outputs keep their last wanted state meanwhile. Inputs are debounced: a level must hold
 * for `debounceMs` before it is reported.
 */
import { EventEmitter } from 'node:events';
import { type Clock, every, type TimerId } from '../../../common/clock';
import { Counters } from '../../../common/counters';
import type { Logger } from '../../../common/log';
import type { AlarmType, SiteStatePayload } from '../../../protocol/src';
import type { TransportStatus } from '../transport/types';
import { type ModbusEndpoint, type ModbusLink, ModbusSerialLink } from './modbus-link';

export interface OutputConfig {
  id: string;
  coil: number;
  /** `any` = any open alarm at the site; or only these alarm types. */
  when: 'any' | AlarmType[];
  /** Coil off means active (fail-safe wiring, e.g. a door held locked while energised). */
  activeLow?: boolean;
}

export interface InputConfig {
  id: string;
  discreteInput: number;
  /** Input off means active (normally-closed contacts: a cut wire raises the alarm). */
  activeLow?: boolean;
  debounceMs?: number;
}

export type SiteIoConfig = { id: string; unitId: number; pollMs: number; timeoutMs: number; outputs: OutputConfig[]; inputs: InputConfig[] } & ModbusEndpoint;

export interface InputEvent {
  inputId: string;
  active: boolean;
  at: number;
}

export interface SiteIoOptions {
  config: SiteIoConfig;
  clock: Clock;
  log: Logger;
  /** The Modbus seam (tests use real servers through the default). */
  link?: ModbusLink;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
}

type Events = { input: [InputEvent]; status: [TransportStatus]; poll: [ok: boolean] };

interface InputState {
  reported: boolean | undefined;
  candidate: boolean | undefined;
  since: number;
}

export class SiteIoModule extends EventEmitter<Events> {
  readonly id: string;
  readonly counters = new Counters();
  private state: TransportStatus = { state: 'stopped' };
  private readonly link: ModbusLink;
  private openAlarmTypes: AlarmType[] | undefined;
  private readonly inputs = new Map<string, InputState>();
  private stopPolling: (() => void) | undefined;
  private retryTimer: TimerId | undefined;
  private backoffMs: number;
  private busy = false;
  private again = false;
  /** Bumped on every (re)connection: a poll that started on an older connection cannot fail this one. */
  private epoch = 0;
  private wanted = false;

  constructor(private readonly opts: SiteIoOptions) {
    super();
    this.id = opts.config.id;
    this.link = opts.link ?? new ModbusSerialLink(opts.config, opts.config.unitId, opts.config.timeoutMs);
    this.backoffMs = opts.reconnectInitialMs ?? 1000;
    this.link.on('close', () => void this.failed(new Error('connection closed')));
  }

  status(): TransportStatus {
    return this.state;
  }

  /** Which outputs are wanted on, by id. */
  wantedOutputs(): Record<string, boolean> {
    return Object.fromEntries(this.opts.config.outputs.map((o) => [o.id, this.outputActive(o)]));
  }

  async start(): Promise<void> {
    this.wanted = true;
    this.setState({ state: 'starting', detail: this.where() });
    await this.connect();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    this.stopPolling?.();
    this.stopPolling = undefined;
    this.opts.clock.clearTimeout(this.retryTimer);
    await this.link.close().catch(() => undefined);
    this.setState({ state: 'stopped' });
  }

  /** The centre's view of the site changed: outputs follow at once. */
  setSiteState(s: SiteStatePayload): void {
    this.openAlarmTypes = s.openAlarms > 0 ? [...s.types] : [];
    if (this.state.state === 'running') void this.cycle();
  }

  private outputActive(o: OutputConfig): boolean {
    const open = this.openAlarmTypes ?? [];
    if (open.length === 0) return false;
    return o.when === 'any' || open.some((t) => (o.when as AlarmType[]).includes(t));
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    this.epoch++;
    this.busy = false;
    try {
      await this.link.open();
      if (!this.wanted) return;
      this.backoffMs = this.opts.reconnectInitialMs ?? 1000;
      this.setState({ state: 'running', detail: this.where() });
      await this.cycle();
      if (!this.wanted || this.state.state !== 'running') return;
      this.stopPolling = every(this.opts.clock, this.opts.config.pollMs, () => void this.cycle());
    } catch (e) {
      await this.failed(e as Error);
    }
  }

  private async failed(e: Error): Promise<void> {
    if (!this.wanted || this.retryTimer !== undefined) return;
    this.stopPolling?.();
    this.stopPolling = undefined;
    this.counters.inc('link_failures');
    await this.link.close().catch(() => undefined);
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.reconnectMaxMs ?? 30_000);
    this.setState({ state: this.state.state === 'starting' ? 'unavailable' : 'reconnecting', detail: `${this.where()}: ${e.message}; retrying in ${delayMs / 1000} s` });
    this.opts.log.warn('site I/O module unreachable', { module: this.id, error: e.message, retryInMs: delayMs });
    this.retryTimer = this.opts.clock.setTimeout(() => void this.connect(), delayMs);
  }

  /** One poll: write every output as wanted, read the inputs. */
  private async cycle(): Promise<void> {
    if (this.busy) {
      this.again = true; // e.g. the site state changed mid-poll: write it right after
      return;
    }
    this.busy = true;
    this.again = false;
    const epoch = this.epoch;
    try {
      if (this.openAlarmTypes !== undefined) {
        // Until the centre has told us the site state, leave the outputs as they are.
        for (const o of this.opts.config.outputs) await this.link.writeCoil(o.coil, this.outputActive(o) !== (o.activeLow ?? false));
        this.counters.inc('output_writes', this.opts.config.outputs.length);
      }
      if (this.opts.config.inputs.length > 0) await this.readInputs();
      if (epoch !== this.epoch) return;
      this.counters.inc('polls');
      this.busy = false;
      this.emit('poll', true);
      if (this.again) void this.cycle();
    } catch (e) {
      if (epoch !== this.epoch) return; // that connection is gone already
      this.counters.inc('poll_failures');
      this.busy = false;
      await this.failed(e as Error);
      this.emit('poll', false);
    }
  }

  private async readInputs(): Promise<void> {
    const addresses = this.opts.config.inputs.map((i) => i.discreteInput);
    const first = Math.min(...addresses);
    const bits = await this.link.readDiscreteInputs(first, Math.max(...addresses) - first + 1);
    const now = this.opts.clock.now();
    for (const input of this.opts.config.inputs) {
      const raw = bits[input.discreteInput - first] ?? false;
      const active = raw !== (input.activeLow ?? false);
      const s = this.inputs.get(input.id) ?? { reported: undefined, candidate: undefined, since: now };
      this.inputs.set(input.id, s);
      if (s.candidate !== active) {
        s.candidate = active;
        s.since = now;
      }
      const settled = now - s.since >= (input.debounceMs ?? 0);
      if (settled && s.reported !== active) {
        s.reported = active;
        this.counters.inc(active ? 'inputs_activated' : 'inputs_released');
        this.emit('input', { inputId: input.id, active, at: now });
      }
    }
  }

  private where(): string {
    const c = this.opts.config;
    return 'tcp' in c ? `modbus tcp ${c.tcp.host}:${c.tcp.port} unit ${c.unitId}` : `modbus rtu ${c.rtu.path} unit ${c.unitId}`;
  }

  private setState(s: TransportStatus): void {
    this.state = s;
    this.emit('status', s);
  }
}

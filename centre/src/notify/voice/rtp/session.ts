/**
 * One call's media: a UDP port from the configured range, G.711 sent in 20 ms packets paced by the
 * injected clock (packet n is due at start + n·20 ms, so a late timer never stretches the prompt), and
 * DTMF read from RFC 4733 telephone-events (one key per event timestamp, whether or not its start
 * packet was lost). The stream is continuous from the first play to close: one SSRC, sequence numbers
 * and timestamps that only advance — silence is sent between prompts so that the callee's equipment
 * (and NATs on the way) see a live call.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from '../../../../../common/clock';
import { Counters } from '../../../../../common/counters';
import { decodeRtp, decodeTelephoneEvent, encodeRtp } from './packet';

export const SAMPLES_PER_PACKET = 160;
export const PACKET_MS = 20;

export interface RtpTarget {
  host: string;
  port: number;
  payloadType: number;
  /** Telephone-event payload types we accept (the one we offered and the one the callee named). */
  dtmfPayloadTypes: number[];
}

export type PlayResult = 'played' | 'interrupted' | 'closed';

export class RtpSession extends EventEmitter<{ dtmf: [key: string] }> {
  readonly counters = new Counters();
  private target: RtpTarget | undefined;
  private seq = randomInt(0, 0x10000);
  private ts = randomInt(0, 0x100000000);
  private readonly ssrc = randomInt(0, 0x100000000);
  private first = true;
  private lastEventTs: number | undefined;
  private playing: { timer: TimerId | undefined; finish: (r: PlayResult) => void } | undefined;
  private closed = false;

  private constructor(private readonly socket: Socket, readonly port: number, private readonly clock: Clock) {
    super();
    socket.on('message', (buf) => this.received(buf));
    socket.on('error', () => this.counters.inc('socket_errors'));
  }

  /** Binds an even port in [portMin, portMax] (RFC 3550 §11: RTP on even ports). */
  static async open(opts: { portMin: number; portMax: number; clock: Clock; family?: 'udp4' | 'udp6' }): Promise<RtpSession> {
    const span = Math.floor((opts.portMax - opts.portMin) / 2) + 1;
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = opts.portMin + 2 * randomInt(0, span);
      const socket = createSocket(opts.family ?? 'udp4');
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, () => resolve(true));
      });
      if (ok) return new RtpSession(socket, port, opts.clock);
      socket.close();
    }
    throw new Error(`no free RTP port in ${opts.portMin}-${opts.portMax}`);
  }

  setTarget(t: RtpTarget): void {
    this.target = t;
  }

  /**
   * Sends `audio` (G.711 bytes, 8000 per second) in 20 ms packets; resolves when all are sent, when
   * `interrupt()` is called (a key was pressed) or when the session closes.
   */
  play(audio: Uint8Array): Promise<PlayResult> {
    if (this.closed) return Promise.resolve('closed');
    this.interrupt();
    const packets = Math.ceil(audio.length / SAMPLES_PER_PACKET);
    const startMs = this.clock.now();
    let n = 0;
    return new Promise<PlayResult>((resolve) => {
      const state = { timer: undefined as TimerId | undefined, finish: (r: PlayResult) => {
        this.clock.clearTimeout(state.timer);
        if (this.playing === state) this.playing = undefined;
        resolve(r);
      } };
      this.playing = state;
      const tick = (): void => {
        if (this.playing !== state) return;
        // Everything due by now goes out (a late timer sends its backlog rather than drifting).
        while (n < packets && startMs + n * PACKET_MS <= this.clock.now()) {
          this.sendFrame(audio.subarray(n * SAMPLES_PER_PACKET, (n + 1) * SAMPLES_PER_PACKET));
          n++;
        }
        if (n >= packets) return state.finish('played');
        state.timer = this.clock.setTimeout(tick, startMs + n * PACKET_MS - this.clock.now());
      };
      tick();
    });
  }

  /** Stops the current play (its promise resolves 'interrupted'). */
  interrupt(): void {
    this.playing?.finish('interrupted');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.playing?.finish('closed');
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private sendFrame(frame: Uint8Array): void {
    const t = this.target;
    if (!t) return;
    const payload = Buffer.alloc(SAMPLES_PER_PACKET, silenceByte(t.payloadType));
    payload.set(frame.subarray(0, SAMPLES_PER_PACKET));
    const packet = encodeRtp({ marker: this.first, payloadType: t.payloadType, sequence: this.seq, timestamp: this.ts, ssrc: this.ssrc, payload });
    this.first = false;
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + SAMPLES_PER_PACKET) >>> 0;
    this.socket.send(packet, t.port, t.host, (e) => this.counters.inc(e ? 'send_errors' : 'sent'));
  }

  private received(buf: Buffer): void {
    const d = decodeRtp(buf);
    if (!d.ok) return void this.counters.inc(`dropped_${d.code}`);
    const p = d.packet;
    if (!this.target?.dtmfPayloadTypes.includes(p.payloadType)) return void this.counters.inc('received_audio');
    const e = decodeTelephoneEvent(p.payload);
    if (!e) return void this.counters.inc('received_other_events');
    if (p.timestamp === this.lastEventTs) return; // the same key press, continued or its end repeated
    this.lastEventTs = p.timestamp;
    this.counters.inc('received_dtmf');
    this.emit('dtmf', e.key);
  }
}

/** The silence byte of each G.711 law (µ-law 0xFF, A-law 0xD5 encode zero). */
export function silenceByte(payloadType: number): number {
  return payloadType === 8 ? 0xd5 : 0xff;
}

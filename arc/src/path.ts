/**
 * One receiver path (primary, backup…) of an ARC link: its channel, its state for the integration
 * status, and the clock offset learned from the receiver's NAKs. `exchange` sends one message and
 * classifies the answer; when a NAK carries a receiver time that disagrees with ours, the offset is
 * learned and the same message (same sequence number) is sent again with a corrected timestamp
 * (DC-09 §5.5.3.2: the NAK carries the receiver's time exactly for this).
 */
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/log';
import type { Channel } from './channel';
import type { ArcPathConfig } from './config';
import { type Dc09Message, encodeFrame } from './dc09';
import { type DecodedResponse, decodeResponse } from './response';

export type PathState = 'unknown' | 'up' | 'down';

/**
 * ack: delivered. duh: the receiver got it and cannot process it. nak: the receiver answered and did
 * not take it (damaged on the way, wrong key or account, or a message it cannot parse). fail: no
 * usable answer — `code` says which: connect_failed, timeout, closed, send_failed, or the decoder's.
 */
export type ExchangeOutcome = { kind: 'ack' } | { kind: 'duh'; detail: string } | { kind: 'nak'; detail: string } | { kind: 'fail'; code: string; detail: string };

/** What one transmission did, for logs and tests. */
export interface ExchangeRecord {
  path: string;
  token: string;
  seq: number;
  /** ACK, NAK, DUH, RSP, or the failure code (timeout, connect_failed, bad_crc…). */
  result: string;
  detail?: string;
  timestampMs: number;
}

/** A disagreement smaller than this is not a clock problem (timestamps have 1 s resolution). */
const RESYNC_TOLERANCE_MS = 5_000;
/** Corrections per message, so that a stream of NAKs cannot keep us resending forever. */
const MAX_RESYNCS = 2;

export interface PathContext {
  clock: Clock;
  log: Logger;
  key: Buffer | undefined;
  ackTimeoutMs: number;
  onExchange: (r: ExchangeRecord) => void;
  onResync: (path: string, offsetMs: number) => void;
}

export class ArcPath {
  state: PathState = 'unknown';
  detail: string | undefined;
  /** Receiver clock minus ours, learned from NAKs; added to every timestamp we send on this path. */
  offsetMs = 0;
  lastOkAt = 0;
  probeDelayMs: number;
  timer: number | undefined;

  constructor(
    readonly cfg: ArcPathConfig,
    readonly channel: Channel,
    private readonly ctx: PathContext,
    retryInitialMs: number,
  ) {
    this.probeDelayMs = retryInitialMs;
  }

  get name(): string {
    return this.cfg.name;
  }

  async exchange(msg: Omit<Dc09Message, 'receiver' | 'line'>): Promise<ExchangeOutcome> {
    const { clock, key } = this.ctx;
    const full: Dc09Message = { ...msg, line: this.cfg.line, ...(this.cfg.receiver === undefined ? {} : { receiver: this.cfg.receiver }) };
    const expect = { seq: msg.seq, account: msg.account, ...(key ? { key } : {}) };
    for (let resyncs = 0; ; resyncs++) {
      const frame = encodeFrame(full, { timestampMs: clock.now() + this.offsetMs, ...(key ? { key } : {}) });
      let answer: DecodedResponse | undefined;
      const res = await this.channel.request(frame, this.ctx.ackTimeoutMs, (raw) => {
        const d = decodeResponse(raw, expect);
        if (!d.ok && d.code === 'seq_mismatch') return false; // a late answer to an earlier message
        answer = d;
        return true;
      });
      const record = (result: string, detail?: string): void =>
        this.ctx.onExchange({ path: this.name, token: msg.token, seq: msg.seq, result, ...(detail === undefined ? {} : { detail }), timestampMs: clock.now() });
      if (!res.ok) {
        record(res.code, res.detail);
        return { kind: 'fail', code: res.code, detail: `${res.code}: ${res.detail}` };
      }
      const d = answer!;
      if (!d.ok) {
        record(d.code, d.detail);
        return { kind: 'fail', code: d.code, detail: `unusable answer (${d.code}): ${d.detail}` };
      }
      record(d.kind);
      switch (d.kind) {
        case 'ACK':
        case 'RSP':
          return { kind: 'ack' };
        case 'DUH':
          return { kind: 'duh', detail: 'the receiver cannot process this message (DUH)' };
        case 'NAK': {
          if (d.timestampMs !== undefined && resyncs < MAX_RESYNCS) {
            const measured = Math.round((d.timestampMs - clock.now()) / 1000) * 1000;
            if (Math.abs(measured - this.offsetMs) > RESYNC_TOLERANCE_MS) {
              this.ctx.log.warn('receiver clock differs from ours: resending with its time', { path: this.name, offsetMs: measured, previousOffsetMs: this.offsetMs });
              this.offsetMs = measured;
              this.ctx.onResync(this.name, measured);
              continue;
            }
          }
          if (d.unframed) return { kind: 'nak', detail: `a bare "NAK" without framing: the receiver does not know account ${msg.account}` };
          return { kind: 'nak', detail: d.timestampMs === undefined ? 'NAK' : 'NAK with the receiver clock in agreement: wrong key or account, a message it cannot read, or corrupted on the way' };
        }
      }
    }
  }
}

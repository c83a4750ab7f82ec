/**
 * Client transactions (RFC 3261 §17.1) and the response cache of server transactions (§17.2), on the
 * injected clock. INVITE: Timer A retransmits (unreliable transports only) until a provisional
 * response, Timer B gives up after 64·T1, a non-2xx final is ACKed here with the INVITE's branch and
 * retransmitted finals are ACKed again for 32 s (Timer D). Non-INVITE: Timer E (capped at T2), Timer F.
 * A 2xx to an INVITE ends the transaction (its ACK is the dialog's business, RFC 6026).
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerId } from '../../../../../common/clock';
import { header, parseCSeq, parseVia, type SipRequest, type SipResponse } from './message';
import type { Peer, SipTransport } from './transport';

export const T1_MS = 500;
const T2_MS = 4000;
const LINGER_MS = 32_000;

export type TxFinal = { kind: 'response'; response: SipResponse } | { kind: 'timeout' } | { kind: 'transport_error'; detail: string };

export const newBranch = (): string => `z9hG4bK${randomBytes(10).toString('hex')}`;
export const newTag = (): string => randomBytes(6).toString('hex');

interface Tx {
  req: SipRequest;
  provisional: boolean;
  done: boolean;
  timers: TimerId[];
  onProvisional: ((r: SipResponse) => void) | undefined;
  resolve: (f: TxFinal) => void;
}

const keyOf = (branch: string | undefined, method: string | undefined): string => `${branch ?? ''}|${method ?? ''}`;

export class Transactions {
  private readonly client = new Map<string, Tx>();
  private readonly served = new Map<string, { res: SipResponse; to: Peer }>();
  private readonly lingering = new Set<TimerId>();

  constructor(private readonly ctx: { transport: SipTransport; clock: Clock; server: Peer; t1Ms?: number }) {}

  private get t1(): number {
    return this.ctx.t1Ms ?? T1_MS;
  }

  /** Sends `req` (whose top Via carries a fresh branch) and resolves with its final outcome. */
  request(req: SipRequest, onProvisional?: (r: SipResponse) => void): Promise<TxFinal> {
    const branch = parseVia(header(req, 'Via') ?? '')?.params.get('branch');
    const key = keyOf(branch, req.method);
    return new Promise<TxFinal>((resolve) => {
      const tx: Tx = { req, provisional: false, done: false, timers: [], onProvisional, resolve };
      this.client.set(key, tx);
      const finish = (f: TxFinal): void => {
        if (tx.done) return;
        tx.done = true;
        for (const t of tx.timers) this.ctx.clock.clearTimeout(t);
        tx.timers = [];
        resolve(f);
      };
      tx.resolve = finish;
      const send = (): void => void this.ctx.transport.send(req, this.ctx.server).catch((e: unknown) => {
        finish({ kind: 'transport_error', detail: (e as Error).message });
        this.client.delete(key);
      });
      send();
      if (!this.ctx.transport.reliable) {
        const retransmit = (interval: number): void => {
          tx.timers.push(this.ctx.clock.setTimeout(() => {
            if (tx.done || (req.method === 'INVITE' && tx.provisional)) return;
            send();
            retransmit(req.method === 'INVITE' ? interval * 2 : Math.min(interval * 2, T2_MS));
          }, tx.provisional ? T2_MS : interval));
        };
        retransmit(this.t1);
      }
      tx.timers.push(this.ctx.clock.setTimeout(() => {
        finish({ kind: 'timeout' });
        this.client.delete(key);
      }, 64 * this.t1));
    });
  }

  /** Routes a response to its transaction; false when none matches (a 2xx retransmission, a stray). */
  onResponse(res: SipResponse): boolean {
    const branch = parseVia(header(res, 'Via') ?? '')?.params.get('branch');
    const cseq = parseCSeq(header(res, 'CSeq'));
    const key = keyOf(branch, cseq?.method);
    const tx = this.client.get(key);
    if (!tx) return false;
    if (res.status < 200) {
      if (!tx.done) {
        tx.provisional = true;
        tx.onProvisional?.(res);
      }
      return true;
    }
    if (tx.req.method === 'INVITE' && res.status >= 300) void this.ctx.transport.send(ackFor(tx.req, res), this.ctx.server).catch(() => undefined);
    if (tx.done) return true; // a retransmitted final: ACKed again above, nothing else to do
    tx.resolve({ kind: 'response', response: res });
    if (tx.req.method === 'INVITE' && res.status >= 300 && !this.ctx.transport.reliable) {
      this.linger(() => this.client.delete(key));
    } else this.client.delete(key);
    return true;
  }

  /** A request we received: true (and the cached answer re-sent) when it is a retransmission. */
  isRetransmission(req: SipRequest): boolean {
    const key = keyOf(parseVia(header(req, 'Via') ?? '')?.params.get('branch'), req.method);
    const s = this.served.get(key);
    if (!s) return false;
    void this.ctx.transport.send(s.res, s.to).catch(() => undefined);
    return true;
  }

  /** Answers a received request and remembers the answer for its retransmissions. */
  respond(req: SipRequest, res: SipResponse, to: Peer): void {
    const key = keyOf(parseVia(header(req, 'Via') ?? '')?.params.get('branch'), req.method);
    this.served.set(key, { res, to });
    this.linger(() => this.served.delete(key));
    void this.ctx.transport.send(res, to).catch(() => undefined);
  }

  private linger(fn: () => void): void {
    const id = this.ctx.clock.setTimeout(() => {
      this.lingering.delete(id);
      fn();
    }, LINGER_MS);
    this.lingering.add(id);
  }

  close(): void {
    for (const t of this.lingering) this.ctx.clock.clearTimeout(t);
    this.lingering.clear();
    for (const tx of this.client.values()) tx.resolve({ kind: 'transport_error', detail: 'user agent stopped' });
    this.client.clear();
    this.served.clear();
  }
}

/** §17.1.1.3: the ACK of a non-2xx final response, in the INVITE's transaction. */
function ackFor(invite: SipRequest, res: SipResponse): SipRequest {
  const pick = (n: string): [string, string][] => invite.headers.filter(([h]) => h === n);
  return {
    kind: 'request', method: 'ACK', uri: invite.uri, body: Buffer.alloc(0),
    headers: [
      pick('Via')[0]!, ...pick('Route'), ...pick('From'), ['To', header(res, 'To') ?? header(invite, 'To') ?? ''], ...pick('Call-ID'),
      ['CSeq', `${parseCSeq(header(invite, 'CSeq'))?.seq ?? 1} ACK`], ['Max-Forwards', '70'],
    ],
  };
}

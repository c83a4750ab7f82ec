/**
 * The SIP user agent of the voice channel: the subset a caller needs and nothing more — INVITE with
 * digest authentication (401/407), CANCEL after the ring timeout, ACK, BYE both ways, INFO and session
 * refreshes inside a call, and REGISTER (with refresh) for trunks that want the centre registered.
 * Every request goes to the configured server, used as outbound proxy. It places calls only: an
 * incoming INVITE is declined.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerId } from '../../../../../common/clock';
import type { Logger } from '../../../../../common/log';
import { type Challenge, digestAuthorization, parseChallenge } from './digest';
import { Dialog } from './dialog';
import { type Header, header, headerValues, parseCSeq, parseNameAddr, responseTo, type SipMessage, type SipRequest, type SipResponse } from './message';
import { newBranch, newTag, Transactions, type TxFinal } from './transactions';
import type { Peer, SipTransport } from './transport';

export interface SipAccount {
  server: Peer;
  /** Domain of our and the callee's SIP URIs (the trunk's, usually the server's name). */
  domain: string;
  username: string | null;
  password: string | null;
  /** The number or name the callee sees (From user part); the username when null. */
  callerId: string | null;
  displayName: string | null;
  /** Address written in Via, Contact and SDP instead of the local one (a public address behind NAT). */
  publicAddress: string | null;
  userAgent: string;
}

export type InviteOutcome =
  | { kind: 'answered'; dialog: Dialog; sdp: string }
  | { kind: 'declined'; status: number; reason: string }
  | { kind: 'no_answer'; detail: string }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'auth_failed'; detail: string };

export interface InviteOptions {
  /** Callee: a phone number (made `sip:<number>@<domain>`) or a full sip: URI. */
  to: string;
  sdp: string;
  ringTimeoutMs: number;
  /** The first response of any kind from the server (the call is placed). */
  onProvisional?: (status: number) => void;
}

export class SipUserAgent {
  readonly tx: Transactions;
  private readonly dialogs = new Map<string, Dialog>();
  private readonly nonceUses = new Map<string, number>();
  private readonly regCallId = `${randomBytes(8).toString('hex')}@vigil`;
  private regSeq = 0;
  private regTimer: TimerId | undefined;
  private registeredUntil = 0;

  constructor(private readonly account: SipAccount, private readonly ctx: { clock: Clock; log: Logger; transport: SipTransport; t1Ms?: number }) {
    this.tx = new Transactions({ transport: ctx.transport, clock: ctx.clock, server: account.server, ...(ctx.t1Ms ? { t1Ms: ctx.t1Ms } : {}) });
    ctx.transport.onMessage((m, from) => this.dispatch(m, from));
  }

  get registered(): boolean {
    return this.registeredUntil > this.ctx.clock.now();
  }

  get activeCalls(): number {
    return this.dialogs.size;
  }

  /** Our address for Via, Contact and SDP. */
  local(): Peer {
    const l = this.ctx.transport.local();
    return { host: this.account.publicAddress ?? l.host, port: l.port };
  }

  via(branch = newBranch()): string {
    const l = this.local();
    return `SIP/2.0/${this.ctx.transport.protocol} ${l.host}:${l.port};branch=${branch};rport`;
  }

  private contact(): string {
    const l = this.local();
    const user = this.account.username ?? 'vigil';
    return `<sip:${user}@${l.host}:${l.port}${this.ctx.transport.protocol === 'TCP' ? ';transport=tcp' : ''}>`;
  }

  private common(): Header[] {
    return [['Contact', this.contact()], ['User-Agent', this.account.userAgent]];
  }

  async invite(o: InviteOptions): Promise<InviteOutcome> {
    const { clock } = this.ctx;
    const uri = o.to.startsWith('sip:') || o.to.startsWith('sips:') ? o.to : `sip:${o.to}@${this.account.domain}`;
    const callId = `${randomBytes(10).toString('hex')}@vigil`;
    const fromUser = this.account.callerId ?? this.account.username ?? 'vigil';
    const from = `${this.account.displayName ? `"${this.account.displayName.replace(/["\\]/g, '')}" ` : ''}<sip:${fromUser}@${this.account.domain}>;tag=${newTag()}`;
    let cseq = 0;
    let auth: Header | undefined;
    const tried = new Set<string>();
    let provisional = false;
    let cancelWanted = false;
    let current: SipRequest | undefined;
    let cancelSent = false;
    const cancel = (): void => {
      if (cancelSent || !current || !provisional) return; // §9.1: no CANCEL before a provisional response
      cancelSent = true;
      void this.tx.request(cancelFor(current)).catch(() => undefined);
    };
    let ringTimer: TimerId | undefined;
    try {
      for (;;) {
        cseq++;
        const body = Buffer.from(o.sdp);
        current = {
          kind: 'request', method: 'INVITE', uri, body,
          headers: [
            ['Via', this.via()], ['Max-Forwards', '70'], ['From', from], ['To', `<${uri}>`], ['Call-ID', callId], ['CSeq', `${cseq} INVITE`],
            ...this.common(), ['Allow', 'INVITE, ACK, CANCEL, BYE, INFO, OPTIONS, UPDATE'], ['Content-Type', 'application/sdp'], ...(auth ? [auth] : []),
          ],
        };
        clock.clearTimeout(ringTimer);
        provisional = false;
        ringTimer = clock.setTimeout(() => {
          cancelWanted = true;
          cancel();
        }, o.ringTimeoutMs);
        const final: TxFinal = await this.tx.request(current, (r) => {
          provisional = true;
          o.onProvisional?.(r.status);
          if (cancelWanted) cancel();
        });
        if (final.kind === 'transport_error') return { kind: 'unreachable', detail: final.detail };
        if (final.kind === 'timeout') return provisional ? { kind: 'no_answer', detail: 'the call was not answered (Timer B)' } : { kind: 'unreachable', detail: `no response from ${this.account.server.host}:${this.account.server.port}` };
        const res = final.response;
        if (res.status >= 200 && res.status < 300) return { kind: 'answered', dialog: this.confirm(current, res, auth, o.sdp), sdp: res.body.toString('utf8') };
        if (res.status === 401 || res.status === 407) {
          const next = this.authorize(res, current, tried);
          if (!next.ok) return { kind: 'auth_failed', detail: `${res.status} ${res.reason}: ${next.detail}` };
          o.onProvisional?.(res.status);
          auth = next.header;
          continue;
        }
        if (cancelWanted && res.status === 487) return { kind: 'no_answer', detail: `not answered within ${Math.round(o.ringTimeoutMs / 1000)} s (cancelled)` };
        return { kind: 'declined', status: res.status, reason: res.reason };
      }
    } finally {
      clock.clearTimeout(ringTimer);
    }
  }

  /** REGISTER (Expires `expiresS`, 0 = unregister); true when the registrar accepted it. */
  async register(expiresS: number): Promise<{ ok: true; expiresS: number } | { ok: false; detail: string }> {
    const aor = `sip:${this.account.username ?? 'vigil'}@${this.account.domain}`;
    const tried = new Set<string>();
    let auth: Header | undefined;
    let expires = expiresS;
    for (let i = 0; i < 4; i++) {
      const req: SipRequest = {
        kind: 'request', method: 'REGISTER', uri: `sip:${this.account.domain}`, body: Buffer.alloc(0),
        headers: [
          ['Via', this.via()], ['Max-Forwards', '70'], ['From', `<${aor}>;tag=${newTag()}`], ['To', `<${aor}>`], ['Call-ID', this.regCallId],
          ['CSeq', `${++this.regSeq} REGISTER`], ...this.common(), ['Expires', String(expires)], ...(auth ? [auth] : []),
        ],
      };
      const final = await this.tx.request(req);
      if (final.kind !== 'response') return { ok: false, detail: final.kind === 'timeout' ? 'no response from the registrar' : final.detail };
      const res = final.response;
      if (res.status === 401 || res.status === 407) {
        const next = this.authorize(res, req, tried);
        if (!next.ok) return { ok: false, detail: `${res.status} ${res.reason}: ${next.detail}` };
        auth = next.header;
        continue;
      }
      if (res.status === 423) {
        expires = Number(header(res, 'Min-Expires') ?? expires * 2);
        continue;
      }
      if (res.status >= 300) return { ok: false, detail: `${res.status} ${res.reason}` };
      const granted = Number(parseNameAddr(headerValues(res, 'Contact')[0] ?? '')?.params.get('expires') ?? header(res, 'Expires') ?? expires);
      this.registeredUntil = expiresS === 0 ? 0 : this.ctx.clock.now() + granted * 1000;
      return { ok: true, expiresS: granted };
    }
    return { ok: false, detail: 'the registrar kept challenging' };
  }

  /** Registers now and again before each registration runs out; failures retry every 30 s. */
  keepRegistered(expiresS: number, onResult: (r: { ok: boolean; detail?: string }) => void): void {
    const attempt = async (): Promise<void> => {
      const r = await this.register(expiresS);
      onResult(r.ok ? { ok: true } : { ok: false, detail: r.detail });
      this.regTimer = this.ctx.clock.setTimeout(() => void attempt(), r.ok ? Math.max(5, r.expiresS * 0.8) * 1000 : 30_000);
    };
    void attempt();
  }

  async stop(): Promise<void> {
    this.ctx.clock.clearTimeout(this.regTimer);
    await Promise.all([...this.dialogs.values()].map((d) => d.hangUp(this.via())));
    this.tx.close();
  }

  /** The next Authorization header for a challenge, unless this nonce already failed. */
  private authorize(res: SipResponse, req: SipRequest, tried: Set<string>): { ok: true; header: Header } | { ok: false; detail: string } {
    if (this.account.username === null || this.account.password === null) return { ok: false, detail: 'the server asks for credentials and none are configured' };
    const name = res.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const challenges = res.headers.filter(([n]) => n === name).map(([, v]) => parseChallenge(v));
    const c = challenges.find((x): x is { ok: true; challenge: Challenge } => x.ok)?.challenge;
    if (!c) {
      const bad = challenges.find((x): x is { ok: false; detail: string } => !x.ok);
      return { ok: false, detail: bad ? bad.detail : `no ${name} header` };
    }
    if (tried.has(c.nonce) || (tried.size > 0 && !c.stale)) return { ok: false, detail: 'credentials refused' };
    tried.add(c.nonce);
    const nc = (this.nonceUses.get(c.nonce) ?? 0) + 1;
    this.nonceUses.set(c.nonce, nc);
    const value = digestAuthorization(c, { username: this.account.username, password: this.account.password }, req.method, req.uri, nc);
    return { ok: true, header: [res.status === 407 ? 'Proxy-Authorization' : 'Authorization', value] };
  }

  /** A 2xx to our INVITE: the dialog, and its ACK (§13.2.2.4). */
  private confirm(invite: SipRequest, res: SipResponse, auth: Header | undefined, localSdp: string): Dialog {
    const callId = header(invite, 'Call-ID')!;
    const target = parseNameAddr(headerValues(res, 'Contact')[0] ?? '')?.uri ?? invite.uri;
    const dialog = new Dialog({
      callId, local: header(invite, 'From')!, remote: header(res, 'To')!, remoteTarget: target,
      routeSet: headerValues(res, 'Record-Route').reverse(), cseq: parseCSeq(header(invite, 'CSeq'))!.seq,
    }, {
      send: (req) => this.tx.request(req), headers: () => this.common(), localSdp,
      onEnd: () => {
        this.dialogs.delete(callId);
        this.reAck.delete(callId);
      },
    });
    this.dialogs.set(callId, dialog);
    const ack = (): void => void this.ctx.transport.send(dialog.build('ACK', this.via(), auth ? [auth] : [], Buffer.alloc(0), dialog.ids.cseq), this.account.server).catch(() => undefined);
    ack();
    this.reAck.set(callId, ack);
    return dialog;
  }

  private readonly reAck = new Map<string, () => void>();

  private dispatch(m: SipMessage, from: Peer): void {
    if (m.kind === 'response') {
      if (this.tx.onResponse(m)) return;
      // A retransmitted 2xx means our ACK was lost (§13.2.2.4): ACK again.
      const callId = header(m, 'Call-ID') ?? '';
      if (m.status >= 200 && m.status < 300 && parseCSeq(header(m, 'CSeq'))?.method === 'INVITE') this.reAck.get(callId)?.();
      return;
    }
    if (this.tx.isRetransmission(m)) return;
    const dialog = this.dialogs.get(header(m, 'Call-ID') ?? '');
    const answer = dialog
      ? dialog.onRequest(m)
      : m.method === 'ACK' ? undefined
      : m.method === 'OPTIONS' ? responseTo(m, 200, 'OK', { toTag: newTag(), headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, INFO, OPTIONS, UPDATE']] })
      : m.method === 'INVITE' ? responseTo(m, 603, 'Decline', { toTag: newTag() })
      : responseTo(m, 481, 'Call/Transaction Does Not Exist', { toTag: newTag() });
    if (answer) this.tx.respond(m, answer, from);
  }
}

/** §9.1: CANCEL carries the INVITE's Request-URI, top Via (same branch), Route, From, To, Call-ID, CSeq number. */
function cancelFor(invite: SipRequest): SipRequest {
  const pick = (n: string): Header[] => invite.headers.filter(([h]) => h === n);
  return {
    kind: 'request', method: 'CANCEL', uri: invite.uri, body: Buffer.alloc(0),
    headers: [pick('Via')[0]!, ...pick('Route'), ['Max-Forwards', '70'], ...pick('From'), ...pick('To'), ...pick('Call-ID'), ['CSeq', `${parseCSeq(header(invite, 'CSeq'))?.seq ?? 1} CANCEL`]],
  };
}

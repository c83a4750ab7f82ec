/**
 * One established call (RFC 3261 §12) from the caller's side: the identifiers, the route set and the
 * remote target taken from the 2xx, our CSeq, and what the callee may send inside it — BYE (they hung
 * up), INFO (DTMF relayed as SIP INFO), a session refresh (re-INVITE or UPDATE, answered with the
 * session we have), OPTIONS. Anything else gets 501 rather than silence.
 */
import { EventEmitter } from 'node:events';
import type { Header, SipRequest, SipResponse } from './message';
import { responseTo } from './message';
import type { TxFinal } from './transactions';

export interface DialogIds {
  callId: string;
  /** Our From header (with our tag). */
  local: string;
  /** Their To header (with their tag). */
  remote: string;
  remoteTarget: string;
  /** Record-Route of the 2xx, reversed (§12.1.2). */
  routeSet: string[];
  cseq: number;
}

export type InDialogSend = (req: SipRequest) => Promise<TxFinal>;

export class Dialog extends EventEmitter<{ bye: []; info: [req: SipRequest] }> {
  private ended = false;

  constructor(readonly ids: DialogIds, private readonly ctx: { send: InDialogSend; headers: () => Header[]; localSdp: string; onEnd: () => void }) {
    super();
  }

  get active(): boolean {
    return !this.ended;
  }

  /** A request inside the dialog: our next CSeq, the route set, the remote target as Request-URI. */
  build(method: string, via: string, extra: Header[] = [], body = Buffer.alloc(0), cseq?: number): SipRequest {
    const seq = cseq ?? ++this.ids.cseq;
    return {
      kind: 'request', method, uri: this.ids.remoteTarget, body,
      headers: [
        ['Via', via], ...this.ids.routeSet.map((r): Header => ['Route', r]), ['Max-Forwards', '70'], ['From', this.ids.local], ['To', this.ids.remote],
        ['Call-ID', this.ids.callId], ['CSeq', `${seq} ${method}`], ...this.ctx.headers(), ...extra,
      ],
    };
  }

  /** Hangs up (BYE); resolves when the callee answered it or the transaction gave up. */
  async hangUp(via: string): Promise<TxFinal | undefined> {
    if (this.ended) return undefined;
    this.end();
    return this.ctx.send(this.build('BYE', via));
  }

  /** What the callee sent us inside this dialog; undefined = no answer (ACK). */
  onRequest(req: SipRequest): SipResponse | undefined {
    switch (req.method) {
      case 'ACK':
        return undefined;
      case 'BYE':
        this.end();
        this.emit('bye');
        return responseTo(req, 200, 'OK');
      case 'INFO':
        this.emit('info', req);
        return responseTo(req, 200, 'OK');
      case 'INVITE':
        // A session refresh (RFC 4028) or hold: the session stays as negotiated.
        return responseTo(req, 200, 'OK', { headers: [['Content-Type', 'application/sdp'], ...this.ctx.headers()], body: Buffer.from(this.ctx.localSdp) });
      case 'UPDATE':
      case 'OPTIONS':
      case 'NOTIFY':
        return responseTo(req, 200, 'OK');
      default:
        return responseTo(req, 501, 'Not Implemented');
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.ctx.onEnd();
  }
}

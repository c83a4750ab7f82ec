/**
 * The test receiver on real loopback sockets: TCP (one connection per transmitter, any number of
 * messages on it) and UDP (one datagram per message). It answers ACK, NAK (with its own time) or
 * DUH as codec.ts decides, records everything, and can be taken down and brought back on the same
 * ports, run with a wrong clock, or told to stay silent.
 */
import { EventEmitter } from 'node:events';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { answerFor, type CidEvent, examine, type Message, parseCid, parseSia, type SiaEvent } from './codec';

export interface ReceiverOptions {
  /** account → key (undefined: plain); '*' stands for any account. */
  accounts: Record<string, Buffer | undefined>;
  /** This receiver's clock minus the machine's. */
  clockOffsetMs?: number;
  pastWindowS?: number;
  futureWindowS?: number;
  unsupported?: string[];
  tcp?: boolean;
  udp?: boolean;
  /** Hang up after each answer, as some receivers do. */
  closeAfterAnswer?: boolean;
  /** SIA codes it never answers (a receiver that chokes on one message and stays silent). */
  ignoreCodes?: string[];
}

export interface Received extends Message {
  transport: 'tcp' | 'udp';
  duplicate: boolean;
  sia?: SiaEvent;
  cid?: CidEvent;
  receivedAt: number;
}

export interface Answered {
  transport: 'tcp' | 'udp';
  answer: 'ACK' | 'NAK' | 'DUH' | 'none';
  reason?: string;
  token?: string;
  seq?: string;
}

export class TestReceiver extends EventEmitter<{ message: [Received]; answered: [Answered] }> {
  readonly accepted: Received[] = [];
  readonly answers: Answered[] = [];
  ports: { tcp?: number; udp?: number } = {};
  /** When true, messages are read but never answered (a receiver that hangs). */
  silent = false;
  clockOffsetMs: number;
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly seen = new Set<string>();
  private readonly accounts: Map<string, { key?: Buffer }>;

  constructor(private readonly opts: ReceiverOptions) {
    super();
    this.clockOffsetMs = opts.clockOffsetMs ?? 0;
    this.accounts = new Map(Object.entries(opts.accounts).map(([a, key]) => [a, key ? { key } : {}]));
  }

  get nowMs(): number {
    return Date.now() + this.clockOffsetMs;
  }

  async start(): Promise<{ tcp?: number; udp?: number }> {
    if (this.opts.tcp !== false) this.ports.tcp = await this.listenTcp(this.ports.tcp ?? 0);
    if (this.opts.udp) this.ports.udp = await this.listenUdp(this.ports.udp ?? 0);
    return this.ports;
  }

  /** Stops listening and drops every connection (the receiver is down); `start()` brings it back on the same ports. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
  }

  /** Accepted messages carrying events (not NULL polls). */
  get events(): Received[] {
    return this.accepted.filter((m) => m.token !== 'NULL');
  }

  private handle(raw: string, transport: 'tcp' | 'udp'): string | undefined {
    const now = this.nowMs;
    const v = examine(raw, {
      accounts: this.accounts,
      nowMs: now,
      pastWindowMs: (this.opts.pastWindowS ?? 40) * 1000,
      futureWindowMs: (this.opts.futureWindowS ?? 20) * 1000,
      unsupported: new Set(this.opts.unsupported ?? []),
    });
    if (v.answer === 'ACK') {
      const m = v.msg;
      const key = `${m.account}/${m.seq}/${m.token}/${m.data}`;
      const rec: Received = { ...m, transport, duplicate: this.seen.has(key), receivedAt: now };
      this.seen.add(key);
      if (m.token === 'SIA-DCS') rec.sia = parseSia(m.data)!;
      if (m.token === 'ADM-CID') rec.cid = parseCid(m.data)!;
      this.accepted.push(rec);
      this.emit('message', rec);
    }
    const ignored = v.msg?.token === 'SIA-DCS' && (this.opts.ignoreCodes ?? []).includes(parseSia(v.msg.data)?.code ?? '');
    const answered: Answered = { transport, answer: this.silent || ignored ? 'none' : v.answer, ...('reason' in v ? { reason: v.reason } : {}), ...(v.msg ? { token: v.msg.token, seq: v.msg.seq } : {}) };
    this.answers.push(answered);
    this.emit('answered', answered);
    if (this.silent || ignored) return undefined;
    const key = v.msg ? this.accounts.get(v.msg.account)?.key ?? this.accounts.get('*')?.key : undefined;
    return answerFor(v, key, now);
  }

  private listenTcp(port: number): Promise<number> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      let buf = '';
      let hungUp = false;
      socket.on('data', (chunk) => {
        if (hungUp) return; // what arrives after we hung up is lost, as on a real line
        buf += chunk.toString('latin1');
        for (;;) {
          const start = buf.indexOf('\n');
          const end = start < 0 ? -1 : buf.indexOf('\r', start);
          if (end < 0) break;
          const answer = this.handle(buf.slice(start, end + 1), 'tcp');
          buf = buf.slice(end + 1);
          if (answer !== undefined && this.opts.closeAfterAnswer) {
            hungUp = true;
            socket.end(answer, 'latin1');
            return;
          }
          if (answer !== undefined) socket.write(answer, 'latin1');
        }
      });
    });
    this.tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  }

  private listenUdp(port: number): Promise<number> {
    const socket = createSocket('udp4');
    this.udp = socket;
    socket.on('message', (msg, from) => {
      const answer = this.handle(msg.toString('latin1'), 'udp');
      if (answer !== undefined) socket.send(Buffer.from(answer, 'latin1'), from.port, from.address);
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve(socket.address().port));
    });
  }
}

/**
 * SIP transports to one server (the trunk or registrar, used as outbound proxy for everything):
 * UDP (one socket, datagrams from anyone are read — in-dialog requests may come from the callee's
 * side of the trunk) and TCP (one connection, opened on first use and again after it drops, §18.3
 * framing). Bad input is counted and dropped, never thrown.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, isIPv6, type Socket as TcpSocket } from 'node:net';
import { Counters } from '../../../../../common/counters';
import type { Logger } from '../../../../../common/log';
import { SipStreamFramer } from './framer';
import { decodeSip, encodeSip, type SipMessage } from './message';

export interface Peer {
  host: string;
  port: number;
}

export interface SipTransport {
  readonly protocol: 'UDP' | 'TCP';
  /** Reliable transports need no retransmissions (§17.1.1.2 Timer A only on unreliable ones). */
  readonly reliable: boolean;
  readonly counters: Counters;
  start(): Promise<void>;
  /** Our address as the server sees it (Via, Contact), before any NAT. */
  local(): Peer;
  send(m: SipMessage, to: Peer): Promise<void>;
  onMessage(fn: (m: SipMessage, from: Peer) => void): void;
  close(): Promise<void>;
}

export interface TransportOptions {
  server: Peer;
  /** Local port (UDP: 0 = any; TCP: always any). */
  localPort: number;
  log: Logger;
}

abstract class Base {
  readonly counters = new Counters();
  protected readonly listeners: ((m: SipMessage, from: Peer) => void)[] = [];
  protected serverIp: string | undefined;

  constructor(protected readonly opts: TransportOptions) {}

  onMessage(fn: (m: SipMessage, from: Peer) => void): void {
    this.listeners.push(fn);
  }

  protected async resolveServer(): Promise<string> {
    this.serverIp ??= (await lookup(this.opts.server.host)).address;
    return this.serverIp;
  }

  protected received(buf: Buffer, from: Peer): void {
    const d = decodeSip(buf);
    if (!d.ok) {
      this.counters.inc(`dropped_${d.code}`);
      this.opts.log.debug('SIP message dropped', { code: d.code, detail: d.detail, from: `${from.host}:${from.port}` });
      return;
    }
    this.counters.inc('received');
    for (const fn of this.listeners) fn(d.message, from);
  }
}

export class UdpSipTransport extends Base implements SipTransport {
  readonly protocol = 'UDP' as const;
  readonly reliable = false;
  private socket: UdpSocket | undefined;
  private localAddr: Peer | undefined;

  async start(): Promise<void> {
    const ip = await this.resolveServer();
    const socket = createSocket(isIPv6(ip) ? 'udp6' : 'udp4');
    socket.on('message', (buf, rinfo) => this.received(buf, { host: rinfo.address, port: rinfo.port }));
    socket.on('error', (e) => this.opts.log.warn('SIP UDP socket error', { error: e }));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.localPort, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    this.localAddr = { host: await localIpToward(ip, this.opts.server.port), port: socket.address().port };
  }

  local(): Peer {
    if (!this.localAddr) throw new Error('SIP transport not started');
    return this.localAddr;
  }

  async send(m: SipMessage, to: Peer): Promise<void> {
    const socket = this.socket;
    if (!socket) throw new Error('SIP transport not started');
    const host = to.host === this.opts.server.host ? await this.resolveServer() : to.host;
    await new Promise<void>((resolve, reject) => socket.send(encodeSip(m), to.port, host, (e) => (e ? reject(e) : resolve())));
    this.counters.inc('sent');
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export class TcpSipTransport extends Base implements SipTransport {
  readonly protocol = 'TCP' as const;
  readonly reliable = true;
  private socket: TcpSocket | undefined;
  private connecting: Promise<TcpSocket> | undefined;
  private localAddr: Peer | undefined;
  private closed = false;

  async start(): Promise<void> {
    this.closed = false;
    await this.connection();
  }

  local(): Peer {
    if (!this.localAddr) throw new Error('SIP transport not connected');
    return this.localAddr;
  }

  async send(m: SipMessage): Promise<void> {
    const s = await this.connection();
    await new Promise<void>((resolve, reject) => s.write(encodeSip(m), (e) => (e ? reject(e) : resolve())));
    this.counters.inc('sent');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }

  /** The open connection, or a new one (a dropped connection is reopened by the next message). */
  private connection(): Promise<TcpSocket> {
    if (this.closed) return Promise.reject(new Error('SIP transport closed'));
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<TcpSocket> {
    const ip = await this.resolveServer();
    const framer = new SipStreamFramer();
    const s = await new Promise<TcpSocket>((resolve, reject) => {
      const sock = connect({ host: ip, port: this.opts.server.port, timeout: 5000 });
      sock.once('connect', () => {
        sock.setTimeout(0);
        resolve(sock);
      });
      sock.once('timeout', () => sock.destroy(new Error(`no TCP connection to ${this.opts.server.host}:${this.opts.server.port} within 5 s`)));
      sock.once('error', reject);
    });
    const from = { host: ip, port: this.opts.server.port };
    s.on('data', (chunk: Buffer) => {
      const r = framer.push(chunk);
      for (const f of r.frames) this.received(f, from);
      if (!r.ok) {
        this.counters.inc('dropped_unframed');
        this.opts.log.warn('SIP stream cannot be framed; reconnecting', { detail: r.detail });
        s.destroy();
      }
    });
    s.on('error', (e) => this.opts.log.warn('SIP TCP connection error', { error: e }));
    s.on('close', () => {
      if (this.socket === s) this.socket = undefined;
    });
    this.socket = s;
    this.localAddr = { host: s.localAddress ?? '127.0.0.1', port: s.localPort ?? 0 };
    return s;
  }
}

/** The local address the OS would use toward `ip` (a connected UDP socket sends nothing). */
async function localIpToward(ip: string, port: number): Promise<string> {
  const probe = createSocket(isIPv6(ip) ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(port, ip, () => resolve());
    });
    return probe.address().address;
  } finally {
    probe.close();
  }
}

/**
 * The network under one receiver path: send one DC-09 frame, wait for the receiver's answer frame.
 * TCP keeps one connection open (reconnecting when the receiver closed it, as many do after each
 * ACK); UDP uses one connected datagram socket. One request at a time per channel; the answer
 * timeout runs on the injected clock. A timed-out TCP connection is dropped, so a late ACK can
 * never be taken for the answer to the next message.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, isIPv6, type Socket } from 'node:net';
import type { Clock, TimerId } from '../../common/clock';
import { UNFRAMED } from './response';

export type ChannelResult = { ok: true; raw: string } | { ok: false; code: 'timeout' | 'connect_failed' | 'closed' | 'send_failed'; detail: string };

export interface Channel {
  /** Sends `frame`; resolves with the first answer frame `accept` takes, or why there was none. Requests queue up. */
  request(frame: string, timeoutMs: number, accept: (raw: string) => boolean): Promise<ChannelResult>;
  close(): void;
}

export interface ChannelOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  clock: Clock;
}

const MAX_FRAME = 8192;

/**
 * Cuts <LF>…<CR> frames out of a byte stream, resynchronising on the next <LF> after garbage. Outside
 * a frame it also cuts out a bare `"NAK"` / `"DUH"` / `"ACK"`: pysiaalarm answers so, with no framing
 * at all, when it does not know the account (response.ts decides what such an answer is worth).
 */
export class FrameReader {
  private buf = '';

  push(chunk: string): string[] {
    this.buf += chunk;
    const frames: string[] = [];
    for (;;) {
      const start = this.buf.indexOf('\n');
      const outside = start < 0 ? this.buf : this.buf.slice(0, start);
      const bare = UNFRAMED.exec(outside);
      if (bare) {
        frames.push(bare[0]);
        this.buf = this.buf.slice(bare.index + bare[0].length);
        continue;
      }
      if (start < 0) {
        // Keep what may be the beginning of a bare answer split across chunks ('"NA' + 'K"').
        const quote = this.buf.lastIndexOf('"');
        this.buf = quote >= 0 && this.buf.length - quote < 6 ? this.buf.slice(quote) : '';
        break;
      }
      const end = this.buf.indexOf('\r', start);
      if (end < 0) {
        this.buf = this.buf.slice(start);
        if (this.buf.length > MAX_FRAME) this.buf = '';
        break;
      }
      frames.push(this.buf.slice(start, end + 1));
      this.buf = this.buf.slice(end + 1);
    }
    return frames;
  }

  reset(): void {
    this.buf = '';
  }
}

interface Pending {
  accept: (raw: string) => boolean;
  finish: (r: ChannelResult) => void;
}

/** Request/answer bookkeeping shared by both transports. */
abstract class BaseChannel implements Channel {
  protected pending: Pending | undefined;
  protected closed = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(protected readonly opts: ChannelOptions) {}

  request(frame: string, timeoutMs: number, accept: (raw: string) => boolean): Promise<ChannelResult> {
    const run = this.tail.then(() => this.exchange(frame, timeoutMs, accept));
    this.tail = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.closed = true;
    this.pending?.finish({ ok: false, code: 'closed', detail: 'channel closed' });
    this.drop();
  }

  protected abstract send(frame: string): Promise<Error | undefined>;
  /** Forgets the connection/socket (after an error or a timeout). */
  protected abstract drop(): void;

  protected onFrame(raw: string): void {
    const p = this.pending;
    if (p && p.accept(raw)) p.finish({ ok: true, raw });
  }

  protected fail(code: 'closed' | 'send_failed' | 'connect_failed', detail: string): void {
    this.pending?.finish({ ok: false, code, detail });
  }

  private async exchange(frame: string, timeoutMs: number, accept: (raw: string) => boolean): Promise<ChannelResult> {
    if (this.closed) return { ok: false, code: 'closed', detail: 'channel closed' };
    return new Promise<ChannelResult>((resolve) => {
      const finish = (r: ChannelResult): void => {
        if (this.pending !== entry) return;
        this.pending = undefined;
        this.opts.clock.clearTimeout(timer);
        if (!r.ok) this.drop();
        resolve(r);
      };
      const entry: Pending = { accept, finish };
      this.pending = entry;
      const timer: TimerId = this.opts.clock.setTimeout(() => finish({ ok: false, code: 'timeout', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
      void this.send(frame).then((err) => {
        if (err) finish({ ok: false, code: (err as { connect?: boolean }).connect ? 'connect_failed' : 'send_failed', detail: err.message });
      });
    });
  }
}

function connectError(message: string): Error {
  return Object.assign(new Error(message), { connect: true });
}

export class TcpChannel extends BaseChannel {
  private socket: Socket | undefined;
  private readonly reader = new FrameReader();

  protected async send(frame: string): Promise<Error | undefined> {
    const socket = this.socket && !this.socket.destroyed ? this.socket : await this.connect();
    if (socket instanceof Error) return socket;
    return new Promise((resolve) => socket.write(frame, 'latin1', (err) => resolve(err ?? undefined)));
  }

  protected drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.reader.reset();
  }

  private connect(): Promise<Socket | Error> {
    const { host, port, connectTimeoutMs, clock } = this.opts;
    return new Promise((resolve) => {
      const socket = createConnection({ host, port });
      let settled = false;
      const timer = clock.setTimeout(() => settle(connectError(`connect to ${host}:${port} timed out after ${connectTimeoutMs} ms`)), connectTimeoutMs);
      const settle = (r: Socket | Error): void => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        if (r instanceof Error) socket.destroy();
        resolve(r);
      };
      socket.once('error', (e) => settle(connectError(`connect to ${host}:${port} failed: ${e.message}`)));
      socket.once('connect', () => {
        if (settled || this.closed) return settle(connectError('channel closed'));
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        this.socket = socket;
        socket.on('data', (chunk: Buffer) => {
          if (this.socket !== socket) return;
          for (const f of this.reader.push(chunk.toString('latin1'))) this.onFrame(f);
        });
        socket.on('error', () => undefined); // 'close' follows and reports it
        // The receiver hung up ('end' comes after any data it sent): never write on this connection again.
        const hungUp = (): void => {
          if (this.socket !== socket) return;
          this.socket = undefined;
          this.reader.reset();
          this.fail('closed', 'the receiver closed the connection without answering');
        };
        socket.on('end', hungUp);
        socket.on('close', hungUp);
        settle(socket);
      });
    });
  }
}

export class UdpChannel extends BaseChannel {
  private socket: UdpSocket | undefined;

  protected async send(frame: string): Promise<Error | undefined> {
    const socket = this.socket ?? (await this.open());
    if (socket instanceof Error) return socket;
    return new Promise((resolve) => socket.send(Buffer.from(frame, 'latin1'), (err) => resolve(err ?? undefined)));
  }

  protected drop(): void {
    const s = this.socket;
    this.socket = undefined;
    if (s) {
      try {
        s.close();
      } catch {
        /* already closed */
      }
    }
  }

  private open(): Promise<UdpSocket | Error> {
    const { host, port } = this.opts;
    return new Promise((resolve) => {
      const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      socket.once('error', (e) => resolve(connectError(`udp to ${host}:${port}: ${e.message}`)));
      // A connected socket receives only from the receiver and reports ICMP "port unreachable".
      socket.connect(port, host, () => {
        if (this.closed) {
          socket.close();
          return resolve(connectError('channel closed'));
        }
        socket.removeAllListeners('error');
        socket.on('error', (e) => {
          if (this.socket === socket) this.fail('send_failed', `udp to ${host}:${port}: ${e.message}`);
        });
        socket.on('message', (msg) => {
          if (this.socket !== socket) return;
          for (const f of new FrameReader().push(msg.toString('latin1'))) this.onFrame(f);
        });
        this.socket = socket;
        resolve(socket);
      });
    });
  }
}

export function openChannel(transport: 'tcp' | 'udp', opts: ChannelOptions): Channel {
  return transport === 'tcp' ? new TcpChannel(opts) : new UdpChannel(opts);
}

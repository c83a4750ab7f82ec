/**
 * A raw HTTP/1.1 client for hostile requests: it sends exactly the bytes it is given (node:http and
 * fetch refuse or normalise malformed ones) on a kept-alive socket, and reads one answer back —
 * Content-Length, chunked, or until close. An event stream is read up to its headers and dropped.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The server closed the connection after (or instead of) answering. */
  closed: boolean;
}

export interface SendOptions {
  /** Half-close after sending (the client says it will send nothing more). */
  halfClose?: boolean;
  /** Use a new connection and close it after (malformed framing must not poison the next request). */
  fresh?: boolean;
  timeoutMs?: number;
  /** A HEAD request: the answer has no body whatever its headers say. */
  head?: boolean;
}

interface Reader {
  buf: Buffer;
  closed: boolean;
  wake: (() => void) | undefined;
}

export class RawHttp {
  private socket: Socket | undefined;
  private reader: Reader | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  async send(bytes: Buffer, opts: SendOptions = {}): Promise<RawAnswer | 'no_answer'> {
    if (opts.fresh || opts.halfClose) this.drop();
    const reused = this.socket !== undefined;
    const answer = await this.exchange(bytes, opts);
    // A kept-alive connection the server closed while idle (its keep-alive timeout) before reading
    // the request: send again on a new one, as every HTTP client does.
    return answer === 'no_answer' && reused ? this.exchange(bytes, opts) : answer;
  }

  private async exchange(bytes: Buffer, opts: SendOptions): Promise<RawAnswer | 'no_answer'> {
    const { socket, reader } = await this.open();
    if (opts.halfClose) socket.end(bytes);
    else socket.write(bytes);
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    try {
      const answer = await readAnswer(reader, deadline, opts.head ?? false);
      if (answer === 'no_answer' || answer.closed || opts.fresh || opts.halfClose || answer.headers['connection'] === 'close') this.drop();
      return answer;
    } catch (e) {
      this.drop();
      throw e;
    }
  }

  close(): void {
    this.drop();
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.reader = undefined;
  }

  private open(): Promise<{ socket: Socket; reader: Reader }> {
    if (this.socket && this.reader && !this.reader.closed) return Promise.resolve({ socket: this.socket, reader: this.reader });
    this.drop();
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, allowHalfOpen: true });
      const reader: Reader = { buf: Buffer.alloc(0), closed: false, wake: undefined };
      socket.setNoDelay(true);
      socket.on('data', (c: Buffer) => {
        reader.buf = reader.buf.length ? Buffer.concat([reader.buf, c]) : c;
        reader.wake?.();
      });
      const closed = (): void => {
        reader.closed = true;
        reader.wake?.();
      };
      socket.on('end', closed);
      socket.on('close', closed);
      socket.on('error', closed);
      socket.once('connect', () => {
        this.socket = socket;
        this.reader = reader;
        resolve({ socket, reader });
      });
      socket.once('error', reject);
    });
  }
}

function more(reader: Reader, deadline: number): Promise<boolean> {
  if (reader.closed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      reader.wake = undefined;
      resolve(false);
    }, Math.max(0, deadline - Date.now()));
    reader.wake = () => {
      clearTimeout(timer);
      reader.wake = undefined;
      resolve(true);
    };
  });
}

async function readAnswer(reader: Reader, deadline: number, head: boolean): Promise<RawAnswer | 'no_answer'> {
  let end: number;
  while ((end = reader.buf.indexOf('\r\n\r\n')) < 0) {
    if (!(await more(reader, deadline))) return reader.closed && reader.buf.length === 0 ? 'no_answer' : fail(`no complete header (${reader.buf.length} bytes, closed ${reader.closed})`, reader);
  }
  const lines = reader.buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return fail(`not an HTTP answer: ${JSON.stringify(lines[0])}`, reader);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const status = Number(m[1]);
  reader.buf = reader.buf.subarray(end + 4);
  if (headers['content-type']?.startsWith('text/event-stream')) return { status, headers, body: Buffer.alloc(0), closed: true };
  let body: Buffer;
  if (head || status === 204 || status === 304 || status < 200) {
    body = Buffer.alloc(0);
  } else if (headers['transfer-encoding']?.includes('chunked')) {
    const parts: Buffer[] = [];
    for (;;) {
      let nl: number;
      while ((nl = reader.buf.indexOf('\r\n')) < 0) if (!(await more(reader, deadline))) return fail('chunk size never came', reader);
      const size = parseInt(reader.buf.subarray(0, nl).toString('latin1'), 16);
      if (!Number.isFinite(size)) return fail('bad chunk size', reader);
      while (reader.buf.length < nl + 2 + size + 2) if (!(await more(reader, deadline))) return fail('chunk cut short', reader);
      parts.push(reader.buf.subarray(nl + 2, nl + 2 + size));
      reader.buf = reader.buf.subarray(nl + 2 + size + 2);
      if (size === 0) break;
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    while (reader.buf.length < n) if (!(await more(reader, deadline))) return fail(`body cut short (${reader.buf.length} of ${n})`, reader);
    body = reader.buf.subarray(0, n);
    reader.buf = reader.buf.subarray(n);
  } else {
    while (await more(reader, deadline));
    if (!reader.closed) return fail('body without length never ended', reader);
    body = reader.buf;
    reader.buf = Buffer.alloc(0);
  }
  return { status, headers, body: Buffer.from(body), closed: reader.closed };
}

function fail(why: string, reader: Reader): never {
  throw new Error(`bad or missing HTTP answer: ${why}; got ${JSON.stringify(reader.buf.subarray(0, 120).toString('latin1'))}`);
}

/**
 * A child process's output read by line, for tests and benches that wait on what it logs. Every
 * complete line is emitted as `line` and kept in a bounded tail: past `maxLines` the oldest half is
 * dropped (and counted in `dropped`), a line longer than `maxLineChars` is cut there, and an
 * unterminated last line is emitted when the stream ends. Waiting is on the event, never a sleep.
 */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { waitForEvent } from './wait';

export interface LineLogLimits {
  maxLines: number;
  maxLineChars: number;
}

export const DEFAULT_LINE_LIMITS: LineLogLimits = { maxLines: 20_000, maxLineChars: 64_000 };

export class LineLog extends EventEmitter<{ line: [string] }> {
  /** The newest lines, oldest first: at most `maxLines`. */
  readonly lines: string[] = [];
  /** How many of the oldest lines were let go to keep the tail bounded. */
  dropped = 0;
  private partial = '';

  /** `name` labels the errors of a wait that times out. */
  constructor(readonly name: string, stream: Readable, private readonly limits: LineLogLimits = DEFAULT_LINE_LIMITS) {
    super();
    this.setMaxListeners(0);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.feed(chunk));
    stream.once('end', () => {
      if (this.partial !== '') this.push(this.partial);
      this.partial = '';
    });
  }

  private feed(chunk: string): void {
    this.partial += chunk;
    for (let i = this.partial.indexOf('\n'); i >= 0; i = this.partial.indexOf('\n')) {
      this.push(this.partial.slice(0, i));
      this.partial = this.partial.slice(i + 1);
    }
    while (this.partial.length > this.limits.maxLineChars) {
      this.push(this.partial.slice(0, this.limits.maxLineChars));
      this.partial = this.partial.slice(this.limits.maxLineChars);
    }
  }

  private push(raw: string): void {
    const line = raw.length > this.limits.maxLineChars ? raw.slice(0, this.limits.maxLineChars) : raw;
    this.lines.push(line);
    if (this.lines.length > this.limits.maxLines) {
      const n = Math.ceil(this.limits.maxLines / 2);
      this.lines.splice(0, n);
      this.dropped += n;
    }
    this.emit('line', line);
  }

  /** The last `n` lines, one a line, for an error message. */
  tail(n: number): string {
    return this.lines.slice(-n).join('\n');
  }

  /** The first kept line matching `re`, or the next one logged. */
  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen !== undefined) return seen;
    return this.next(re, timeoutMs, `a ${this.name} log line matching ${re}`);
  }

  /** The next line matching `re` logged after this moment (not one already logged). */
  async next(re: RegExp, timeoutMs = 30_000, what = `a new ${this.name} log line matching ${re}`): Promise<string> {
    const [line] = await waitForEvent<[string]>(this, 'line', (l) => re.test(l), timeoutMs, what).catch((e: Error) => {
      throw new Error(`${e.message}\n--- ${this.name} log tail ---\n${this.tail(40)}`);
    });
    return line;
  }
}

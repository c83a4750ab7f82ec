/** Shared set-up for the delivery tests: a link with its queue, pointed at test receivers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, SystemClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import type { ArcLinkConfig } from '../../arc/src/config';
import { validateArcConfig } from '../../arc/src/config';
import type { EventDraft } from '../../arc/src/events';
import { ArcLink, type LinkStatus } from '../../arc/src/link';
import type { ExchangeRecord } from '../../arc/src/path';
import { ArcQueue, type QueuedEvent } from '../../arc/src/queue';
import { waitForEvent, waitForEvents } from '../../rig/wait';

export const FAST_TIMING = { ackTimeoutMs: 400, connectTimeoutMs: 400, attemptsPerPath: 2, retryInitialMs: 50, retryMaxMs: 200, nullIntervalS: 0 };

export function linkConfig(paths: { name: string; port: number; transport?: 'tcp' | 'udp' }[], over: Record<string, unknown> = {}): ArcLinkConfig {
  const raw = {
    dataDir: '/unused',
    mqtt: { url: 'mqtt://127.0.0.1:1' },
    arcs: [
      {
        id: 'arc-test',
        format: 'SIA-DCS',
        paths: paths.map((p) => ({ name: p.name, transport: p.transport ?? 'tcp', host: '127.0.0.1', port: p.port, receiver: '1', line: '1' })),
        accounts: { transmitter: '0001', sites: { 'site-a': { account: '1234' } }, workers: { w1: { user: 1 } } },
        timing: FAST_TIMING,
        ...over,
      },
    ],
  };
  return validateArcConfig(raw, 'test').arcs[0]!;
}

export const eventDraft = (n: number, code = 'PA'): EventDraft => ({ alarmId: `al-${n}`, kind: 'alarm', token: 'SIA-DCS', account: '1234', data: `#1234|N${code}${String(n).padStart(3, '0')}`, xdata: `[Ialarm ${n}]` });

export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-arc-'));
  readonly file = join(this.dir, 'queue.db');
  readonly delivered: { event: QueuedEvent; path: string }[] = [];
  readonly exchanges: ExchangeRecord[] = [];
  queue!: ArcQueue;
  link!: ArcLink;

  constructor(readonly clock: Clock = new SystemClock()) {}

  start(config: ArcLinkConfig): ArcLink {
    this.queue = new ArcQueue(this.file);
    this.link = new ArcLink({ config, queue: this.queue, clock: this.clock, log: createLogger('arc-test', 'silent') });
    this.link.on('delivered', (event, path) => this.delivered.push({ event, path }));
    this.link.on('exchange', (r) => this.exchanges.push(r));
    this.link.start();
    return this.link;
  }

  /** Stops the link and closes the queue (as a process exit would), keeping the file. */
  async halt(): Promise<void> {
    await this.link?.stop();
    this.queue?.close();
  }

  enqueue(...drafts: EventDraft[]): void {
    for (const d of drafts) this.queue.enqueue(d, this.clock.now());
    this.link.kick();
  }

  waitDelivered(count: number, timeoutMs = 10_000): Promise<unknown> {
    if (this.delivered.length >= count) return Promise.resolve();
    return waitForEvents(this.link, 'delivered', count - this.delivered.length, () => true, timeoutMs, `${count} deliveries`);
  }

  waitStatus(pred: (s: LinkStatus) => boolean, what: string, timeoutMs = 10_000): Promise<LinkStatus> {
    const now = this.link.status();
    if (pred(now)) return Promise.resolve(now);
    return waitForEvent<[LinkStatus]>(this.link, 'status', pred, timeoutMs, what).then(([s]) => s);
  }

  async cleanup(): Promise<void> {
    await this.halt().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

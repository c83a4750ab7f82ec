/**
 * The ARC link's chores besides delivery: periodic test reports (RP / 602 for every account every
 * testIntervalH), pruning of delivered events after keepDeliveredDays, and the manual link test
 * (`npx vigil arc test`: RX / 601 through every path).
 */
import type { Clock } from '../../common/clock';
import type { CodeKey, EventCodes } from './codes';
import type { ArcLinkConfig } from './config';
import { linkAccounts, testDraft } from './events';
import type { ArcPath } from './path';
import type { ArcQueue } from './queue';

const DAY_MS = 86_400_000;

export interface ChoreContext {
  queue: ArcQueue;
  config: ArcLinkConfig;
  codes: Record<CodeKey, EventCodes>;
}

/** Does what is due at `nowMs`; says whether it queued test reports and when to come back. */
export function housekeep(ctx: ChoreContext, nowMs: number): { enqueued: boolean; nextMs: number } {
  const { queue, config, codes } = ctx;
  queue.prune(nowMs - config.timing.keepDeliveredDays * DAY_MS);
  const intervalMs = config.timing.testIntervalH * 3_600_000;
  if (intervalMs === 0 || !codes.periodic_test.send) return { enqueued: false, nextMs: DAY_MS };
  const last = Number(queue.getState('lastTestAt') ?? '0');
  if (nowMs - last < intervalMs) return { enqueued: false, nextMs: Math.min(DAY_MS, last + intervalMs - nowMs) };
  for (const account of linkAccounts(config.accounts)) queue.enqueue(testDraft('periodic_test', account, { link: config, codes }), nowMs);
  queue.setState('lastTestAt', String(nowMs));
  return { enqueued: true, nextMs: Math.min(DAY_MS, intervalMs) };
}

export interface PathTestResult {
  ok: boolean;
  detail: string;
  latencyMs: number;
}

/** A manual test report (RX / 601) for the transmitter account through each path, one after the other. */
export async function testEveryPath(paths: readonly ArcPath[], ctx: ChoreContext & { clock: Clock }): Promise<Record<string, PathTestResult>> {
  const { queue, clock, config, codes } = ctx;
  const out: Record<string, PathTestResult> = {};
  for (const p of paths) {
    const d = testDraft('manual_test', config.accounts.transmitter, { link: config, codes });
    const started = clock.now();
    const r = await p.exchange({ token: d.token, seq: queue.takeSeq(), account: d.account, data: d.data, xdata: d.xdata });
    out[p.name] = { ok: r.kind === 'ack', detail: r.kind === 'ack' ? 'ACK' : r.detail, latencyMs: clock.now() - started };
  }
  return out;
}

/**
 * `npx vigil arc`: the SIA DC-09 output to alarm-receiving centres (arc/src, docs/arc.md).
 *
 *   npx vigil arc --config arc.yaml                      run it
 *   npx vigil arc test --config arc.yaml                 send a manual test report through every path
 *   npx vigil arc rejected --config arc.yaml [--requeue|--discard]
 *   npx vigil arc codes --config arc.yaml                the event codes each link sends
 */
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { SystemClock } from '../common/clock';
import { createLogger } from '../common/log';
import { ConfigError } from '../common/schema';
import { CODE_KEYS, resolveCodes } from '../arc/src/codes';
import { type ArcConfig, loadArcConfig } from '../arc/src/config';
import { ArcLink } from '../arc/src/link';
import { ArcQueue } from '../arc/src/queue';
import { arcServices, queueFile } from '../arc/src/service';
import type { Command } from './main';
import { untilSignal } from './signals';

const USAGE = 'npx vigil arc [test | rejected [--requeue | --discard] | codes] --config <arc.yaml>';

function out(line: string): void {
  process.stdout.write(line + '\n');
}

async function run(config: ArcConfig): Promise<number> {
  const services = arcServices(config);
  try {
    for (const s of services) await s.start();
  } catch (e) {
    process.stderr.write(`vigil arc: cannot start: ${(e as Error).message}\n`);
    await Promise.allSettled(services.map((s) => s.stop()));
    return 1;
  }
  await untilSignal();
  await Promise.allSettled(services.map((s) => s.stop()));
  return 0;
}

/** Opens each link's queue without starting anything; the running service may share the file. */
function withQueues<T>(config: ArcConfig, fn: (linkId: string, queue: ArcQueue) => T): T[] {
  return config.arcs.map((link) => {
    mkdirSync(config.dataDir, { recursive: true });
    const queue = new ArcQueue(queueFile(config.dataDir, link.id));
    try {
      return fn(link.id, queue);
    } finally {
      queue.close();
    }
  });
}

async function testLinks(config: ArcConfig): Promise<number> {
  let failed = 0;
  for (const link of config.arcs) {
    mkdirSync(config.dataDir, { recursive: true });
    const queue = new ArcQueue(queueFile(config.dataDir, link.id));
    const arc = new ArcLink({ config: link, queue, clock: new SystemClock(), log: createLogger(`arc.${link.id}`, 'warn') });
    try {
      const results = await arc.testPaths();
      for (const [path, r] of Object.entries(results)) {
        const p = link.paths.find((x) => x.name === path)!;
        out(`${link.id} ${path} ${p.transport}://${p.host}:${p.port}: ${r.ok ? 'OK' : 'FAILED'} — ${r.detail} (${r.latencyMs} ms)`);
        if (!r.ok) failed++;
      }
    } finally {
      await arc.stop();
      queue.close();
    }
  }
  return failed === 0 ? 0 : 1;
}

function rejected(config: ArcConfig, action: 'list' | 'requeue' | 'discard'): number {
  withQueues(config, (linkId, queue) => {
    const events = queue.list('rejected');
    for (const e of events) out(`${linkId} #${e.id} ${new Date(e.createdAt).toISOString()} ${e.token} ${e.data || '(no account)'} alarm ${e.alarmId ?? '-'}: ${e.lastError ?? ''}`);
    if (action === 'requeue') out(`${linkId}: ${queue.requeueRejected()} event(s) back in the queue`);
    if (action === 'discard') out(`${linkId}: ${queue.discardRejected()} event(s) discarded`);
    if (action === 'list' && events.length === 0) out(`${linkId}: no rejected events`);
  });
  return 0;
}

function codes(config: ArcConfig): number {
  for (const link of config.arcs) {
    const table = resolveCodes(link.codes);
    out(`${link.id} (${link.format}):`);
    for (const key of CODE_KEYS) {
      const c = table[key];
      const code = link.format === 'SIA-DCS' ? `${c.sia} / restore ${c.siaRestore ?? '-'}` : `${c.cid} / restore ${c.cidRestore ? `${c.cid} (qualifier 3)` : '-'}`;
      out(`  ${key.padEnd(18)} ${c.send ? code : 'not sent'}`);
    }
  }
  return 0;
}

export const arcCommand: Command = {
  summary: 'SIA DC-09 output to an alarm-receiving centre (run, test the link, rejected events)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, requeue: { type: 'boolean' }, discard: { type: 'boolean' } } });
    const sub = positionals[0] ?? 'run';
    if (!values.config || !['run', 'test', 'rejected', 'codes'].includes(sub) || positionals.length > 1) {
      process.stderr.write(`Usage: ${USAGE}\n`);
      return 2;
    }
    let config: ArcConfig;
    try {
      config = loadArcConfig(values.config);
    } catch (e) {
      process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
      return 2;
    }
    switch (sub) {
      case 'test':
        return testLinks(config);
      case 'rejected':
        return rejected(config, values.requeue ? 'requeue' : values.discard ? 'discard' : 'list');
      case 'codes':
        return codes(config);
      default:
        return run(config);
    }
  },
};

/**
 * `npx vigil device …`: provisioning (SPEC §11). `add` creates a device id and a random key in the
 * centre's store and prints the one line a technician pastes into the pendant; `list` shows what is
 * provisioned (never the keys). Works on the centre's SQLite file, also while the centre runs (WAL).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SystemClock } from '../common/clock';
import { createLogger } from '../common/log';
import { ConfigError } from '../common/schema';
import { loadCentreConfig } from '../centre/src/config';
import { Registry, RegistryError } from '../centre/src/registry/registry';
import { SqliteStore } from '../centre/src/store/sqlite';
import type { BoardKind, DeviceRecord } from '../centre/src/store/types';
import type { Command } from './main';

const BOARDS = ['puckjs', 'bangle2', 'lora'] as const;

const USAGE = `npx vigil device add --board <${BOARDS.join('|')}> (--worker <id> | --site <id>) [--site <id>] (--config <centre.yaml> | --data <centre data dir>) [--json]
       npx vigil device list (--config <centre.yaml> | --data <centre data dir>) [--site <id>] [--json]`;

class UsageError extends Error {}

function dataDir(config: string | undefined, data: string | undefined): string {
  if ((config === undefined) === (data === undefined)) throw new UsageError('give the centre with --config <centre.yaml> or --data <dir>, one of them');
  if (data !== undefined) return data;
  try {
    return loadCentreConfig(config!).dataDir;
  } catch (e) {
    throw new UsageError(e instanceof ConfigError ? e.message : (e as Error).message);
  }
}

async function openStore(dir: string): Promise<SqliteStore> {
  const file = join(dir, 'centre.db');
  // Never create a database by accident (a typo in --data would provision into nowhere).
  if (!existsSync(file)) throw new UsageError(`No centre database at ${file}: give the data directory of a centre that has run once`);
  const store = new SqliteStore(file, { backgroundCheckpoints: false });
  await store.migrate();
  return store;
}

async function add(args: string[], out: (s: string) => void, warn: (s: string) => void): Promise<void> {
  const { values: v } = parseArgs({ args, options: { board: { type: 'string' }, worker: { type: 'string' }, site: { type: 'string' }, config: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } } });
  const board = v.board as BoardKind | undefined;
  if (board === undefined || !(BOARDS as readonly string[]).includes(board)) throw new UsageError(`--board must be one of ${BOARDS.join(', ')}`);
  if (v.worker === undefined && v.site === undefined) throw new UsageError('give --worker <id> (and optionally --site), or --site <id> for a spare pendant');
  const store = await openStore(dataDir(v.config, v.data));
  try {
    const registry = new Registry({ store, clock: new SystemClock(), log: createLogger('device', 'warn') });
    const { device, settings } = await registry.provision({ board, workerId: v.worker ?? null, siteId: v.site ?? null });
    if (v.json) {
      out(JSON.stringify({ deviceId: device.id, board: device.board, workerId: device.workerId, siteId: device.siteId, settings }));
    } else {
      const worker = device.workerId ? await store.getWorker(device.workerId) : undefined;
      out(describe(device, worker?.name, settings));
    }
    if (device.siteId === null) warn(`Device ${device.id} belongs to no site: no gateway will accept its frames until it is assigned to one.`);
  } finally {
    await store.close();
  }
}

function describe(d: DeviceRecord, workerName: string | undefined, settings: string): string {
  const who = d.workerId ? `worker ${d.workerId}${workerName ? ` (${workerName})` : ''}` : 'no worker (spare)';
  return [
    `Device ${d.id} provisioned: board ${d.board}, ${who}, site ${d.siteId ?? '(none)'}.`,
    '',
    "Settings line for the pendant. Paste it into the Espruino IDE's console, or send it with",
    "  npx espruino -p <pendant address> -e '<line>'",
    'It contains the device key: do not store it or send it by mail.',
    '',
    settings,
    '',
    "The running centre picks the new device up by itself (its keyring refresh) and sends the key to the site's",
    'gateways; nothing needs a restart. Press the pendant button once to check: the alarm must reach the console.',
  ].join('\n');
}

async function list(args: string[], out: (s: string) => void): Promise<void> {
  const { values: v } = parseArgs({ args, options: { site: { type: 'string' }, config: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } } });
  const store = await openStore(dataDir(v.config, v.data));
  try {
    const devices = await store.listDevices(v.site === undefined ? {} : { siteId: v.site });
    const rows = devices.map((d) => ({
      deviceId: d.id, board: d.board, workerId: d.workerId, siteId: d.siteId, createdAt: new Date(d.createdAt).toISOString(),
      lastSeenAt: d.lastSeenAt === null ? null : new Date(d.lastSeenAt).toISOString(), batteryPct: d.batteryPct, lastCounter: d.lastCounter >= 0 ? d.lastCounter : null,
    }));
    if (v.json) {
      out(JSON.stringify(rows));
      return;
    }
    if (rows.length === 0) {
      out('No devices provisioned.');
      return;
    }
    const head = ['device', 'board', 'worker', 'site', 'created', 'last seen', 'battery', 'counter'];
    const cells = rows.map((r) => [r.deviceId, r.board, r.workerId ?? '-', r.siteId ?? '-', r.createdAt.slice(0, 16), r.lastSeenAt?.slice(0, 16) ?? 'never', r.batteryPct === null ? '-' : `${r.batteryPct}%`, r.lastCounter === null ? '-' : String(r.lastCounter)]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    out([head, ...cells].map((line) => line.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n'));
  } finally {
    await store.close();
  }
}

export const deviceCommand: Command = {
  summary: 'provision pendants (id, key, settings line) and list them',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    const out = (s: string): void => void process.stdout.write(s + '\n');
    const warn = (s: string): void => void process.stderr.write(s + '\n');
    try {
      if (sub === 'add') await add(rest, out, warn);
      else if (sub === 'list') await list(rest, out);
      else throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`);
      return 0;
    } catch (e) {
      if (e instanceof RegistryError || e instanceof UsageError || isParseArgsError(e)) {
        process.stderr.write(`vigil device: ${e.message}\n${e instanceof RegistryError ? '' : `\nUsage: ${USAGE}\n`}`);
        return 2;
      }
      throw e;
    }
  },
};

/** node:util parseArgs reports unknown or malformed options as TypeErrors with an ERR_PARSE_ARGS_* code. */
function isParseArgsError(e: unknown): e is Error {
  const code = (e as { code?: unknown }).code;
  return e instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

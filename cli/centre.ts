import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { SystemClock } from '../common/clock';
import { ConfigError } from '../common/schema';
import { Auth } from '../centre/src/auth/auth';
import { Centre } from '../centre/src/centre';
import { loadCentreConfig, type ResolvedCentreConfig } from '../centre/src/config';
import { generateVapidKeys } from '../centre/src/notify/push/vapid';
import { importRegistry } from '../centre/src/registry/import';
import { SqliteStore } from '../centre/src/store/sqlite';
import type { UserRole } from '../centre/src/store/types';
import type { Command } from './main';
import { backupCommand, restoreCommand } from './centre-backup';
import { personCommand } from './centre-person';
import { untilSignal } from './signals';

const USAGE = [
  'npx vigil centre --config <centre.yaml>                                   run the centre',
  'npx vigil centre import --config <centre.yaml> <registry.yaml>            add or update organisations, sites, contacts, ladders, workers, zones, beacons, gateways, inputs',
  'npx vigil centre user add --config <centre.yaml> --username <name> --role <admin|supervisor|operator|readonly|auditor> [--name <full name>] [--organisation <id>]',
  '                                                                           (the password is read from VIGIL_PASSWORD or standard input)',
  'npx vigil centre push-keys                                                 print a new VAPID key pair for push.vapid (Web Push; needed by a cluster)',
  'npx vigil centre backup --config <centre.yaml> [--dir <dir> | --out <file>] back the store up while the centre runs (default dir: backup.dir or <dataDir>/backups)',
  'npx vigil centre restore --config <centre.yaml> <backup file>             put a backup back (the centre stopped); what it replaces is kept',
  'npx vigil centre person export --config <centre.yaml> <workerId> --out <dir> [--tz <zone>] [--delimiter ;]',
  '                                                                           everything held about a worker, as JSON and CSV (GDPR art. 15); audited',
  'npx vigil centre person erase --config <centre.yaml> <workerId> --confirm <workerId>',
  '                                                                           erase a worker, keeping the alarm statistics (GDPR art. 17); audited',
].join('\n       ');

function config(path: string | undefined): ResolvedCentreConfig | number {
  if (!path) {
    process.stderr.write(`Usage: ${USAGE}\n`);
    return 2;
  }
  try {
    return loadCentreConfig(path);
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    return 2;
  }
}

/** The store the running centre uses (SQLite in its data directory); safe to use beside it (WAL). */
async function openStore(c: ResolvedCentreConfig): Promise<SqliteStore> {
  mkdirSync(c.dataDir, { recursive: true });
  const store = new SqliteStore(join(c.dataDir, 'centre.db'), { backgroundCheckpoints: false });
  await store.migrate();
  return store;
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  const c = config(values.config);
  if (typeof c === 'number') return c;
  const centre = new Centre(c);
  await centre.start();
  await untilSignal();
  await centre.stop();
  return 0;
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string' } }, allowPositionals: true });
  const c = config(values.config);
  if (typeof c === 'number') return c;
  if (positionals.length !== 1) {
    process.stderr.write(`Usage: ${USAGE}\n`);
    return 2;
  }
  let file: unknown;
  try {
    file = parse(readFileSync(positionals[0]!, 'utf8'));
  } catch (e) {
    process.stderr.write(`Cannot read ${positionals[0]}: ${(e as Error).message}\n`);
    return 2;
  }
  const store = await openStore(c);
  try {
    const r = await importRegistry(file, { store, clock: new SystemClock() });
    if (!r.ok) {
      process.stderr.write(`Registry not (fully) imported from ${positionals[0]}:\n  - ${r.errors.join('\n  - ')}\n`);
      return 1;
    }
    process.stdout.write(`Imported: ${Object.entries(r.counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing'}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function readPassword(): Promise<string> {
  if (process.env['VIGIL_PASSWORD']) return process.env['VIGIL_PASSWORD'];
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function userAdd(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, organisation: { type: 'string' } } });
  const c = config(values.config);
  if (typeof c === 'number') return c;
  const role = values.role as UserRole | undefined;
  if (!values.username || !role || !['admin', 'supervisor', 'operator', 'readonly', 'auditor'].includes(role)) {
    process.stderr.write(`Usage: ${USAGE}\n`);
    return 2;
  }
  const password = await readPassword();
  if (password.length < 8) {
    process.stderr.write('The password must have at least 8 characters (VIGIL_PASSWORD or standard input).\n');
    return 2;
  }
  const store = await openStore(c);
  try {
    if (await store.getUserByName(values.username)) {
      process.stderr.write(`User '${values.username}' exists already.\n`);
      return 1;
    }
    // Without --organisation: one of the centre's own staff (every organisation).
    if (values.organisation && !(await store.getOrganisation(values.organisation))) {
      process.stderr.write(`Unknown organisation '${values.organisation}' (import it in a registry file first).\n`);
      return 1;
    }
    const auth = new Auth({ store, clock: new SystemClock() });
    await auth.createUser({ username: values.username, password, role, ...(values.name ? { name: values.name } : {}), ...(values.organisation ? { organisationId: values.organisation } : {}) });
    process.stdout.write(`User '${values.username}' (${role}${values.organisation ? ` of ${values.organisation}` : ''}) created.\n`);
    return 0;
  } finally {
    await store.close();
  }
}

export const centreCommand: Command = {
  summary: 'run the monitoring centre (rules, alarms, escalation, API and console); import a registry; add users; make push keys; back up and restore its store; export or erase one person\'s data',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'import') return importCommand(rest);
    const usage = (): number => {
      process.stderr.write(`Usage: ${USAGE}\n`);
      return 2;
    };
    if (sub === 'backup') return backupCommand(rest, config, usage);
    if (sub === 'restore') return restoreCommand(rest, config, usage);
    if (sub === 'person') return personCommand(rest, config, usage);
    if (sub === 'user' && rest[0] === 'add') return userAdd(rest.slice(1));
    if (sub === 'run') return run(rest);
    if (sub === 'push-keys') {
      const k = generateVapidKeys();
      process.stdout.write(`push:\n  vapid:\n    publicKey: ${k.publicKey}\n    privateKey: ${k.privateKey}\n`);
      return 0;
    }
    if (sub !== undefined && !sub.startsWith('-')) {
      process.stderr.write(`Unknown centre subcommand '${sub}'.\nUsage: ${USAGE}\n`);
      return 2;
    }
    return run(args);
  },
};

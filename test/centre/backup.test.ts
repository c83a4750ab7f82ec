/**
 * Backups (docs/centre.md "Backups"), on both engines: a backup taken while the centre runs and
 * writes, restored into a stopped centre, brings it back where it was at the backup — the open
 * alarm at its escalation step, the session's and the ladder's timers — and what came after the
 * backup is gone (the kept copy still has it). Scheduled backups: on time from the newest file,
 * pruned to `keep`, and a failure is a `backup_failed` alarm that the next good backup closes.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../common/clock';
import type { CentreConfig } from '../../centre/src/config';
import { targetOf } from '../../centre/src/ops/housekeeping';
import { backupTo, restoreFrom, type StoreTarget } from '../../centre/src/ops/backup';
import { listBackups } from '../../centre/src/ops/backup/files';
import { PostgresStore } from '../../centre/src/store/postgres';
import { SqliteStore } from '../../centre/src/store/sqlite';
import type { Store } from '../../centre/src/store/types';
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';
import { Postgres } from '../../rig/postgres';

const S = 1000;
const H = 3600 * S;

let pg: Postgres | undefined;
let n = 0;

beforeAll(async () => {
  pg = await Postgres.start();
}, 60_000);

afterAll(async () => {
  await pg?.destroy();
});

interface Engine {
  name: string;
  /** A new, empty store; `again` opens the same one anew. */
  fresh(dir: string): Promise<{ open: () => Store }>;
}

const ENGINES: Engine[] = [
  { name: 'SQLite', fresh: async (dir) => ({ open: () => new SqliteStore(join(dir, 'centre.db')) }) },
  {
    name: 'PostgreSQL',
    fresh: async () => {
      const schema = `backup_${process.pid}_${++n}`;
      const admin = new PostgresStore({ url: pg!.url() });
      await admin.transaction((db) => db.query(`CREATE SCHEMA ${schema}`));
      await admin.close();
      return { open: () => new PostgresStore({ url: pg!.url(), schema }) };
    },
  },
];

describe.each(ENGINES)('backup and restore: $name', (engine) => {
  let dir: string;
  let clock: VirtualClock;
  let h: Harness | undefined;
  let open: () => Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-backup-'));
    clock = new VirtualClock();
    open = (await engine.fresh(dir)).open;
  });

  afterEach(async () => {
    await h?.stop();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const boot = async (seed: boolean, config: Partial<CentreConfig> = {}): Promise<Harness> => {
    h = await startHarness({ store: open(), clock, seed, config });
    return h;
  };
  const stop = async (): Promise<void> => {
    await h?.stop();
    h = undefined;
  };

  it('brings a centre back with its open alarm at its escalation step and its timers', async () => {
    let c = await boot(true);
    await c.centre.store.putEntity('contact', { id: 'ann', name: 'Ann', kind: 'person', siteId: SITE, phone: '+33600000001', email: null, webhookUrl: null, language: null });
    await c.centre.store.putEntity('contact', { id: 'bob', name: 'Bob', kind: 'person', siteId: SITE, phone: '+33600000002', email: null, webhookUrl: null, language: null });
    await c.centre.store.putEntity('ladder', { id: 'l', name: 'L', steps: [{ contactId: 'ann', channel: 'sms', timeoutS: 120 }, { contactId: 'bob', channel: 'sms', timeoutS: 120 }], fallback: null });
    await c.centre.store.upsertSite({ id: SITE, name: 'Site A', ladderId: 'l' });
    await c.centre.sessions.start({ workerId: 'w1', durationMin: 30, note: 'roof' }, 'user:op');
    await c.frame('sos');
    expect(c.sms.sent.map((m) => m.to)).toEqual(['+33600000001']);
    const [alarm] = await c.centre.store.listAlarms({ states: ['raised'] });
    const target: StoreTarget = targetOf(c.centre.store)!;
    const file = join(dir, engine.name === 'SQLite' ? 'b.sqlite' : 'b.pgdump');

    // online: the centre goes on taking frames while the copy is made
    await Promise.all([backupTo(target, file), c.frame('heartbeat'), c.frame('heartbeat')]);
    // after the backup: acknowledged and resolved — the restore goes back before that
    expect((await c.centre.alarms.acknowledge(alarm!.id, 'user:op')).ok).toBe(true);
    expect((await c.centre.alarms.resolve(alarm!.id, 'user:op', 'false_alarm', 'pressed by mistake')).ok).toBe(true);
    await expect(restoreFrom(target, file, clock.now())).rejects.toThrow(engine.name === 'SQLite' ? /in use: stop the centre/ : /centre processes are connected .*stop them first/);
    await stop();

    const { kept } = await restoreFrom(target, file, clock.now());
    expect(kept).toBeDefined();
    await clock.advanceAsync(60 * S);
    c = await boot(false);
    const back = await c.centre.store.getAlarm(alarm!.id);
    expect(back).toMatchObject({ state: 'raised', acknowledgedAt: null });
    expect(await c.centre.store.findActiveWorkSession('w1')).toMatchObject({ note: 'roof' });
    expect(c.centre.scheduler.size).toBeGreaterThanOrEqual(3); // the ladder's step, the session's end and reminder
    // Ann's 120 s run out: Bob is called, as if the centre had never stopped
    await c.advance(61 * S);
    expect(c.sms.sent.map((m) => m.to)).toEqual(['+33600000002']);
    await c.advance(30 * 60 * S);
    expect((await c.centre.store.listAlarms({})).map((a) => a.type)).toContain('session_expired');
  }, 120_000);

  it('backs up on schedule from the newest file, keeps `keep`, and fails loud', async () => {
    const backups = join(dir, 'backups');
    const config = { backup: { dir: backups, intervalH: 1, keep: 2, pgBinDir: null } };
    const files = (): string[] => listBackups(backups, engine.name === 'SQLite' ? 'sqlite' : 'postgres').map((f) => f.path);
    // (whole hours pass on the clock alone, then the handlers are let finish: the harness's step-by-step advance is slow)
    const pass = async (ms: number): Promise<void> => {
      await clock.advanceAsync(ms);
      await h!.settle();
    };
    const c = await boot(true, config);
    await pass(61 * S);
    expect(files()).toHaveLength(1);
    await pass(H);
    await pass(H);
    expect(files()).toHaveLength(2); // three written, the oldest pruned
    expect(c.centre.housekeeping.health().backup).toMatchObject({ lastError: null, intervalH: 1 });

    // a restarted centre neither repeats nor postpones: due an hour after the newest file
    await stop();
    await clock.advanceAsync(20 * 60 * S);
    const again = await boot(false, config);
    const newest = listBackups(backups, engine.name === 'SQLite' ? 'sqlite' : 'postgres')[0]!.at;
    expect(again.centre.housekeeping.health().backup).toMatchObject({ nextAt: newest + H });

    // the directory becomes unusable: an alarm, then a retry (15 min later) that closes it
    rmSync(backups, { recursive: true, force: true });
    writeFileSync(backups, 'not a directory');
    await pass(40 * 60 * S + S);
    const [failed] = await again.centre.store.listAlarms({ states: ['raised'] });
    expect(failed).toMatchObject({ type: 'backup_failed' });
    expect(again.centre.housekeeping.health().backup).toMatchObject({ lastError: expect.stringMatching(/EEXIST|ENOTDIR|not a directory/) });
    rmSync(backups);
    mkdirSync(backups);
    await pass(16 * 60 * S);
    expect(files()).toHaveLength(1);
    expect((await again.centre.store.getAlarm(failed!.id))?.state).toBe('resolved');
  }, 120_000);
});

describe('backup files', () => {
  it('refuses a file that is not a backup of a centre, and one of the other engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-backup-'));
    try {
      const junk = join(dir, 'junk.sqlite');
      writeFileSync(junk, 'hello');
      await expect(restoreFrom({ engine: 'sqlite', path: join(dir, 'centre.db') }, junk, 0)).rejects.toThrow(/not a usable backup|not a database|file is not/);
      await expect(restoreFrom({ engine: 'sqlite', path: join(dir, 'centre.db') }, join(dir, 'x.pgdump'), 0)).rejects.toThrow('is a postgres backup');
      expect(existsSync(join(dir, 'centre.db'))).toBe(false);
      expect(readdirSync(dir)).toEqual(['junk.sqlite']);
      chmodSync(dir, 0o755);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

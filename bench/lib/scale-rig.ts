/**
 * The pieces of `make bench-scale` around a run (bench/lib/scale-run.ts): seeding the store with the
 * fleet, reading what the centre stored and raised, and the report of each process's warnings.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { hashPassword } from '../../common/passwords';
import { PostgresStore, SqliteStore, type Store } from '../../centre/src';
import type { VigilChild } from '../../rig/cluster';

export const SITE = 'fleet';
type Mode = 'cluster' | 'single';

export async function seed(store: Store, devices: { id: string; key: string }[], hookUrl: string): Promise<void> {
  await store.migrate();
  await store.upsertSite({ id: SITE, name: 'Fleet' });
  await store.putEntity('contact', { id: 'desk', name: 'desk', kind: 'person', siteId: SITE, phone: null, email: null, webhookUrl: `${hookUrl}/desk`, language: null });
  await store.putEntity('ladder', { id: 'ladder', name: 'Ladder', steps: [{ contactId: 'desk', channel: 'webhook', timeoutS: 60 }], fallback: null });
  await store.upsertSite({ id: SITE, name: 'Fleet', ladderId: 'ladder' });
  await store.createUser({ id: 'u-op', username: 'op', name: 'op', role: 'operator', passwordHash: hashPassword('op-password') });
  const createdAt = Date.now();
  if (store instanceof PostgresStore) {
    // 50,000 round trips with fsync on take minutes; one statement per 5,000 devices takes seconds.
    for (let i = 0; i < devices.length; i += 5000) {
      const chunk = devices.slice(i, i + 5000);
      await store.db.query(
        "INSERT INTO devices (id, key, board, site_id, created_at) SELECT id, key, 'puckjs', $3, $4 FROM unnest($1::text[], $2::text[]) AS d(id, key)",
        [chunk.map((d) => d.id), chunk.map((d) => d.key), SITE, createdAt],
      );
    }
    return;
  }
  for (const d of devices) {
    await store.addDevice({ id: d.id, key: d.key, board: 'puckjs', workerId: null, siteId: SITE, createdAt, lastCounter: -1, lastSeenAt: null, batteryPct: null });
  }
}

export const round = (v: number | null): number | null => (v === null ? null : Math.round(v));

/** For the one reading the run: each live worker's counters, and each process's warnings and errors by message. */
export async function report(o: { mode: Mode; progress: (l: string) => void }, base: string, token: string, procs: VigilChild[], killed: Set<VigilChild>): Promise<void> {
  for (const p of procs) {
    const counts = new Map<string, number>();
    for (const l of p.lines) {
      const m = / (warn|error) (\S+) ([^{]+)/.exec(l);
      if (m) counts.set(`${m[1]} ${m[2]} ${m[3]!.trim()}`, (counts.get(`${m[1]} ${m[2]} ${m[3]!.trim()}`) ?? 0) + 1);
    }
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${n}× ${k}`);
    const state = p.alive ? 'alive' : killed.has(p) ? 'killed' : 'DIED';
    o.progress(`${o.mode}: ${p.name} (${state}) ${top.length ? top.join('; ') : 'no warnings'}`);
    if (state === 'DIED') o.progress(`${o.mode}: ${p.name} last lines:\n${p.lines.slice(-15).join('\n')}`);
  }
  try {
    const r = await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${token}` } });
    o.progress(`${o.mode}: worker 1 health ${JSON.stringify(await r.json())}`);
  } catch (e) {
    o.progress(`${o.mode}: worker 1 health unavailable: ${(e as Error).message}`);
  }
}

export async function countEvents(mode: Mode, dir: string, url: string | undefined): Promise<number> {
  if (mode === 'cluster') {
    const s = new PostgresStore({ url: url! });
    try {
      return Number((await s.db.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
    } finally {
      await s.close();
    }
  }
  const db = new Database(join(dir, 'worker-1', 'centre.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function listAlarms(mode: Mode, dir: string, url: string | undefined): Promise<{ id: string; type: string; deviceId: string | null }[]> {
  const store: Store = mode === 'cluster' ? new PostgresStore({ url: url! }) : new SqliteStore(join(dir, 'worker-1', 'centre.db'));
  try {
    return (await store.listAlarms({})).map((a) => ({ id: a.id, type: a.type, deviceId: a.deviceId }));
  } finally {
    await store.close();
  }
}

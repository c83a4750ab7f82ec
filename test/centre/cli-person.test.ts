/**
 * `npx vigil centre person export|erase` (GDPR articles 15 and 17 from the command line) on a centre's
 * SQLite store: the export writes JSON and CSV, the erasure asks for the id again and is refused while
 * an alarm is open, and both are in the audit log under the system user; after the erasure the
 * export finds nothing, and what others wrote about the person no longer names them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../centre/src/store/sqlite';
import type { NewAlarm } from '../../centre/src/store/types';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');
const vigil = (args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_LOG_LEVEL: 'error' } });
const T0 = 1_700_000_000_000;

describe('vigil centre person', () => {
  let dir: string;
  let config: string;
  const store = (): SqliteStore => new SqliteStore(join(dir, 'data', 'centre.db'));
  const alarm = (id: string, workerId: string, state: NewAlarm['state'], comment: string | null): NewAlarm => ({
    id, type: 'sos', state, priority: 2, siteId: 's1', deviceId: null, workerId, incidentRef: 1, lastCounter: 1, subject: `worker:${workerId}`,
    position: null, positionAt: null, createdAt: T0, raisedAt: T0, updatedAt: T0, acknowledgedAt: null, acknowledgedBy: null,
    resolvedAt: state === 'resolved' ? T0 + 60_000 : null, resolvedBy: state === 'resolved' ? 'user:olga' : null, resolution: state === 'resolved' ? 'genuine' : null, comment,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cli-person-'));
    config = join(dir, 'centre.yaml');
    mkdirSync(join(dir, 'data'));
    writeFileSync(config, `dataDir: ${join(dir, 'data')}\nmqtt: { url: mqtt://127.0.0.1:1 }\nhttp: { port: 0 }\n`);
    const s = store();
    await s.migrate();
    await s.upsertSite({ id: 's1', name: 'Site 1' });
    await s.upsertWorker({ id: 'w1', name: 'Wendy Wright', phone: '+33600000001', siteId: 's1' });
    await s.upsertWorker({ id: 'w2', name: 'Walt Walker', phone: null, siteId: 's1' });
    await s.createAlarm(alarm('a1', 'w1', 'raised', null), { at: T0, actor: 'worker:w1', action: 'raised', entity: 'alarm', entityId: 'a1' });
    await s.createAlarm(alarm('b1', 'w2', 'resolved', 'Wendy Wright found Walt'), { at: T0, actor: 'worker:w2', action: 'raised', entity: 'alarm', entityId: 'b1' });
    await s.appendAudit({ at: T0 + 1, actor: 'user:olga', action: 'note', entity: 'alarm', entityId: 'b1', data: { text: 'Wendy Wright stays with him' } });
    await s.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports one person as JSON and CSV into a directory, audited', async () => {
    const out = join(dir, 'export');
    const r = vigil(['centre', 'person', 'export', 'w1', '--config', config, '--out', out, '--tz', 'Europe/Paris']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'vigil-worker-w1.json'), 'utf8')) as { worker: { name: string }; alarms: { id: string }[] };
    expect(json.worker.name).toBe('Wendy Wright');
    expect(json.alarms.map((a) => a.id)).toEqual(['a1']);
    const csv = readFileSync(join(out, 'vigil-worker-w1.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('\ufeffrecord,time,id,data');
    expect(csv).toContain('worker,,w1,');
    const s = store();
    expect((await s.searchAudit({ actions: ['worker_data_exported'] })).entries).toMatchObject([{ actor: `cli:${userInfo().username}`, entityId: 'w1', data: { format: 'json+csv' } }]);
    await s.close();
    expect(vigil(['centre', 'person', 'export', 'nobody', '--config', config, '--out', out])).toMatchObject({ status: 1, stderr: "Nothing is held about worker 'nobody'.\n" });
    expect(vigil(['centre', 'person', 'export', 'w1', '--config', config]).status).toBe(2);
  });

  it('erases only with the id repeated, not while an alarm is open; afterwards the export finds nothing', async () => {
    expect(vigil(['centre', 'person', 'erase', 'w1', '--config', config])).toMatchObject({ status: 2, stderr: expect.stringContaining('--confirm w1') });
    const refused = vigil(['centre', 'person', 'erase', 'w1', '--config', config, '--confirm', 'w1']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('still open');
    let s = store();
    await s.updateAlarm('a1', ['raised'], { state: 'resolved', resolvedAt: T0 + 5000, resolvedBy: 'user:olga', resolution: 'test', comment: 'test press', updatedAt: T0 + 5000 }, undefined);
    await s.close();

    const r = vigil(['centre', 'person', 'erase', 'w1', '--config', config, '--confirm', 'w1']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Worker 'w1' erased; their statistics stay under erased-[0-9a-f]{12} \(.*1 alarms.*\)\.\n$/);
    expect(vigil(['centre', 'person', 'export', 'w1', '--config', config, '--out', join(dir, 'after')]).status).toBe(1);
    s = store();
    expect((await s.searchAudit({ actions: ['worker_erased'] })).entries).toMatchObject([{ actor: `cli:${userInfo().username}` }]);
    expect((await s.getAlarm('b1'))?.comment).toBe('(erased) found Walt');
    const everything = JSON.stringify([await s.listAlarms(), await s.searchAudit({ limit: 1000 }), await s.workerData('w1'), await s.workerData('w2')]);
    expect(everything).not.toContain('Wendy');
    await s.close();
  });
});

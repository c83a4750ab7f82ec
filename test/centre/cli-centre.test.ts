/** `npx vigil centre …`: config errors by path, registry import with errors by path, adding a user. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../centre/src/store/sqlite';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');
const vigil = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) =>
  spawnSync('node', [BIN, ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_LOG_LEVEL: 'error', ...opts.env }, ...(opts.input !== undefined ? { input: opts.input } : {}) });

describe('vigil centre', () => {
  let dir: string;
  let config: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cli-centre-'));
    config = join(dir, 'centre.yaml');
    writeFileSync(config, `dataDir: ${join(dir, 'data')}\nmqtt: { url: mqtt://127.0.0.1:1 }\nhttp: { port: 0 }\n`);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports every config error by path before opening anything', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'dataDir: x\nmqtt: { url: mqtt://a }\nhttp: {}\nsupervision: { heartbeatIntervalS: 1, colour: blue }\nnotifiers: { webhook: { secret: short } }\n');
    const r = vigil(['centre', '--config', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('supervision.heartbeatIntervalS: must be >= 5');
    expect(r.stderr).toContain('supervision.colour: is not a known setting');
    expect(r.stderr).toContain('notifiers.webhook.secret: must NOT have fewer than 16 characters');
  });

  it('imports a registry file, refusing it whole when a record is invalid', () => {
    const reg = join(dir, 'registry.yaml');
    writeFileSync(reg, [
      'sites: [{ id: north, name: North depot, ladderId: day }]',
      'contacts:',
      '  - { id: ann, name: Ann, phone: "+33 6 00 00 00 01", siteId: north }',
      '  - { id: arc, name: ARC, kind: monitoring_centre, webhookUrl: "https://arc.example.org/vigil" }',
      'ladders: [{ id: day, name: Day, steps: [{ contactId: "@worker", channel: sms, timeoutS: 60 }, { contactId: ann, channel: sms }] }]',
      'workers: [{ id: w1, name: Wendy, phone: "+44 7700 900123", siteId: north }]',
      'zones: [{ id: boiler, siteId: north, name: Boiler room, floor: "-1" }]',
      'beacons: [{ id: "65543", siteId: north, zoneId: boiler }]',
      'inputs: [{ siteId: north, gatewayId: gw-1, inputId: in1, name: Desk button, zoneId: boiler }]',
    ].join('\n'));
    const bad = join(dir, 'bad-registry.yaml');
    writeFileSync(bad, 'contacts: [{ id: x, name: X, email: nope }]\nladders: [{ id: l }]\npets: []\n');
    const r1 = vigil(['centre', 'import', '--config', config, bad]);
    expect(r1.status).toBe(1);
    expect(r1.stderr).toContain('pets: is not a known section');
    expect(r1.stderr).toContain('contacts[0].email: must match format "email"');
    expect(r1.stderr).toContain('ladders[0].name: is required');
    const r2 = vigil(['centre', 'import', '--config', config, reg]);
    expect(r2.stderr).toBe('');
    expect(r2.stdout).toBe('Imported: 1 sites, 2 contacts, 1 ladders, 1 workers, 1 zones, 1 beacons, 1 inputs\n');
  });

  it('adds a user with the password from the environment or standard input', async () => {
    expect(vigil(['centre', 'user', 'add', '--config', config, '--username', 'root', '--role', 'admin'], { env: { VIGIL_PASSWORD: 'correct horse' } }).status).toBe(0);
    expect(vigil(['centre', 'user', 'add', '--config', config, '--username', 'op', '--role', 'operator'], { input: 'battery staple\n' }).status).toBe(0);
    expect(vigil(['centre', 'user', 'add', '--config', config, '--username', 'x', '--role', 'king'], { input: 'whatever-long' }).status).toBe(2);
    // a user of a customer organisation: one that exists
    expect(vigil(['centre', 'user', 'add', '--config', config, '--username', 'acme-op', '--role', 'operator', '--organisation', 'acme'], { input: 'battery staple\n' }).status).toBe(1);
    expect(vigil(['centre', 'user', 'add', '--config', config, '--username', 'def-op', '--role', 'operator', '--organisation', 'default'], { input: 'battery staple\n' }).status).toBe(0);
    const store = new SqliteStore(join(dir, 'data', 'centre.db'));
    expect((await store.listUsers()).map((u) => `${u.username}:${u.role}:${u.organisationId}`)).toEqual(['def-op:operator:default', 'op:operator:null', 'root:admin:null']);
    expect((await store.getSite('north'))?.ladderId).toBe('day');
    await store.close();
  });

  it('backs the store up and restores it, keeping what it replaced', async () => {
    const b = vigil(['centre', 'backup', '--config', config]);
    expect(b.stderr).toBe('');
    const file = /^Backup written: (\S+vigil-centre-[0-9T-]+Z\.sqlite) \(\d+ ms\)\n$/.exec(b.stdout)?.[1];
    expect(file).toContain(join(dir, 'data', 'backups'));
    expect(vigil(['centre', 'user', 'add', '--config', config, '--username', 'late', '--role', 'readonly'], { env: { VIGIL_PASSWORD: 'correct horse' } }).status).toBe(0);
    const r = vigil(['centre', 'restore', '--config', config, file!]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Restored from .*\. What it replaced is kept as .*centre\.db\.before-restore-/);
    const store = new SqliteStore(join(dir, 'data', 'centre.db'));
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['def-op', 'op', 'root']);
    await store.close();
    expect(vigil(['centre', 'restore', '--config', config, join(dir, 'centre.yaml')]).stderr).toMatch(/^Restore refused: .* is not a usable backup/);
  });
});

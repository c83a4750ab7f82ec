/**
 * `npx vigil arc` as a separate process: configuration errors, the link test an ARC operator runs,
 * and the promise that matters most — killed with alarms undelivered, restarted, nothing lost.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { waitForEvents } from '../../rig/wait';
import { alarm, TestBroker } from './mqtt';
import { type Received, TestReceiver } from '../../rig/arc-receiver/receiver';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');
const run = promisify(execFile);

async function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npx vigil arc', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-arccli-'))));
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(ports: { name: string; port: number }[], mqttUrl = 'mqtt://127.0.0.1:1', extra: Record<string, unknown> = {}): string {
    const file = join(dir, 'arc.yaml');
    const config = {
      dataDir: join(dir, 'data'),
      mqtt: { url: mqttUrl, username: 'arc', password: 'secret' },
      arcs: [
        {
          id: 'arc-cli',
          format: 'SIA-DCS',
          paths: ports.map((p) => ({ name: p.name, host: '127.0.0.1', port: p.port, receiver: '1', line: '1' })),
          accounts: { transmitter: '0001', sites: { 'site-a': { account: '1234' } }, workers: { w1: { user: 1 } } },
          timing: { ackTimeoutMs: 500, connectTimeoutMs: 500, attemptsPerPath: 1, retryInitialMs: 100, retryMaxMs: 300 },
          ...extra,
        },
      ],
    };
    writeFileSync(file, stringify(config));
    return file;
  }

  it('is listed in the help and reports every configuration error by path', async () => {
    expect((await vigil(['--help'])).stdout).toMatch(/^ {2}arc /m);
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'dataDir: x\nmqtt: { url: "mqtt://h" }\narcs:\n  - id: a\n    format: XYZ\n    key: "00"\n    paths: [{ name: p, host: h, port: 0 }]\n    accounts: { transmitter: "1" }\n');
    const r = await vigil(['arc', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('arcs.0.format: must be one of "SIA-DCS", "ADM-CID"');
    expect(r.stderr).toContain('arcs.0.paths.0.port: must be >= 1');
    expect(r.stderr).toContain('arcs.0.accounts.transmitter: must match pattern');
  });

  it('prints the codes a link sends, with the overrides', async () => {
    const file = writeConfig([{ name: 'primary', port: 9 }], undefined, { codes: { fall: { sia: 'QA', siaRestore: 'QR' }, low_battery: { send: false } } });
    const r = await vigil(['arc', 'codes', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}sos +PA \/ restore PH$/m);
    expect(r.stdout).toMatch(/^ {2}fall +QA \/ restore QR$/m);
    expect(r.stdout).toMatch(/^ {2}low_battery +not sent$/m);
  });

  it('tests every path with a manual test report and says which failed', async () => {
    const receiver = new TestReceiver({ accounts: { '0001': undefined } });
    const { tcp } = await receiver.start();
    // A port nobody listens on that no other test can take meanwhile: the local end of an open
    // client connection (to `holder`) is bound but not listening, so connecting to it is refused.
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const held = connect((holder.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((r) => held.once('connect', r));
    const closedPort = held.localPort;
    try {
      const r = await vigil(['arc', 'test', '--config', writeConfig([{ name: 'primary', port: tcp! }, { name: 'backup', port: closedPort! }])]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^arc-cli primary tcp:\/\/127\.0\.0\.1:\d+: OK — ACK \(\d+ ms\)$/m);
      expect(r.stdout).toMatch(/^arc-cli backup tcp:\/\/127\.0\.0\.1:\d+: FAILED — connect_failed: .*ECONNREFUSED/m);
      expect(receiver.events.map((m) => m.data)).toEqual(['#0001|NRX000']);
    } finally {
      await receiver.stop();
      held.destroy();
      holder.close();
    }
  });

  it('loses nothing when killed with alarms undelivered: after a restart they arrive in order, once', async () => {
    const mqtt = new TestBroker();
    await mqtt.start();
    const receiver = new TestReceiver({ accounts: { '1234': undefined, '0001': undefined } });
    const { tcp } = await receiver.start();
    await receiver.stop(); // the alarm-receiving centre is unreachable
    const file = writeConfig([{ name: 'primary', port: tcp! }], mqtt.url);
    const start = (): { child: ChildProcess; queued: Promise<unknown> } => {
      const child = spawn('node', [BIN, 'arc', '--config', file], { env: { ...process.env, VIGIL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      let log = '';
      const queued = new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (b: Buffer) => {
          log += b.toString();
          if ((log.match(/alarm queued for the ARC/g) ?? []).length >= 3) resolve();
        });
        child.once('exit', (code) => reject(new Error(`vigil arc exited (${code}): ${log}`)));
      });
      queued.catch(() => undefined);
      return { child, queued };
    };
    try {
      const down = mqtt.nextStatus((s) => !s.ok && s.paths?.['primary']?.state === 'down', 20_000, 'the ARC process to find the receiver down');
      const first = start();
      await down;
      for (let i = 1; i <= 3; i++) await mqtt.publishAlarm(alarm({ id: `al-${i}`, number: String(i) }));
      await first.queued;
      const will = mqtt.nextStatus((s) => !s.ok && /offline/.test(s.detail ?? ''), 10_000, 'the last will');
      first.child.kill('SIGKILL');
      await will; // the centre learns at once that the ARC output is gone

      await receiver.start();
      const arrived = waitForEvents<[Received]>(receiver, 'message', 3, (m) => m.token !== 'NULL', 20_000, 'three alarms');
      const ok = mqtt.nextStatus((s) => s.ok, 20_000, 'ok');
      const second = start();
      await arrived;
      expect(receiver.events.map((m) => [m.data, m.duplicate, m.xdata.at(-1)!.value.match(/alarm (\d)/)![1]])).toEqual([
        ['#1234|NPA001', false, '1'],
        ['#1234|NPA001', false, '2'],
        ['#1234|NPA001', false, '3'],
      ]);
      await ok;
      const exited = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await exited;
    } finally {
      await receiver.stop();
      await mqtt.stop();
    }
  }, 60_000);
});

/**
 * Interoperability with Mosquitto's own command-line clients (Debian `mosquitto-clients`) against
 * our embedded broker: authentication, ACLs, retained messages and QoS 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';

const log = createLogger('test', 'silent');
let broker: EmbeddedBroker;
let port: string;
const procs: ChildProcess[] = [];

beforeAll(async () => {
  broker = new EmbeddedBroker({
    listeners: { tcp: { host: '127.0.0.1', port: 0 } },
    users: [
      { username: 'gw-1', passwordHash: hashPassword('gw-pass'), role: 'gateway', siteId: 's1', gatewayId: 'gw-1' },
      { username: 'centre', passwordHash: hashPassword('centre-pass'), role: 'centre' },
      { username: 'console', passwordHash: hashPassword('console-pass'), role: 'console' },
    ],
    log,
  });
  await broker.start();
  port = String(broker.ports.tcp);
});
afterAll(async () => {
  for (const p of procs) p.kill();
  await broker.stop();
});

/** mosquitto_pub, run asynchronously: the broker under test lives in this process. */
function pub(user: string, password: string, topic: string, message: string, extra: string[] = []): Promise<{ status: number | null; stderr: string }> {
  const p = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-u', user, '-P', password, '-t', topic, '-m', message, '-q', '1', ...extra]);
  procs.push(p);
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.on('exit', (status) => resolve({ status, stderr })));
}

/** mosquitto_sub in debug mode; resolves once its SUBACK arrived, with what it granted and a way to read messages. */
function sub(user: string, password: string, topic: string, count: number): Promise<{ granted: string; done: Promise<string[]> }> {
  // stdbuf: mosquitto_sub block-buffers a piped stdout; its SUBACK line must arrive before we publish
  const p = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-u', user, '-P', password, '-t', topic, '-q', '1', '-C', String(count), '-W', '20', '-d', '-i', `${user}-sub-${procs.length}`]);
  procs.push(p);
  let out = '';
  const done = new Promise<string[]>((resolve) => p.on('exit', () => resolve(out.split('\n').filter((l) => l && !/^(Client |Subscribed | )/.test(l)))));
  return new Promise((resolve, reject) => {
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Subscribed \(mid: \d+\): (\d+)/.exec(out);
      if (m) resolve({ granted: m[1]!, done });
    });
    p.on('exit', (code) => reject(new Error(`mosquitto_sub exited (${code}) before subscribing: ${out}`)));
  });
}

describe('Mosquitto clients against the embedded broker', () => {
  it('refuses a wrong password', async () => {
    const r = await pub('gw-1', 'wrong', 'vigil/v1/sites/s1/gateways/gw-1/uplink', 'x');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed|bad user name or password/i);
  });

  it('delivers a QoS 1 uplink from a gateway to the centre', async () => {
    const s = await sub('centre', 'centre-pass', 'vigil/v1/sites/+/gateways/+/uplink', 1);
    expect(s.granted).toBe('1');
    expect((await pub('gw-1', 'gw-pass', 'vigil/v1/sites/s1/gateways/gw-1/uplink', 'sos-from-mosquitto_pub')).status).toBe(0);
    expect(await s.done).toEqual(['sos-from-mosquitto_pub']);
  });

  it('keeps a retained keyring for a gateway that subscribes later', async () => {
    expect((await pub('centre', 'centre-pass', 'vigil/v1/sites/s1/keyring', 'keys-v1', ['-r'])).status).toBe(0);
    const s = await sub('gw-1', 'gw-pass', 'vigil/v1/sites/s1/keyring', 1);
    expect(await s.done).toEqual(['keys-v1']);
  });

  it('enforces the ACL: a console cannot read keys, a gateway cannot speak for another', async () => {
    const denied = await sub('console', 'console-pass', 'vigil/v1/sites/s1/keyring', 1);
    expect(denied.granted).toBe('128');
    const before = broker.counters.publishDenied;
    await pub('gw-1', 'gw-pass', 'vigil/v1/sites/s1/gateways/gw-2/uplink', 'forged');
    expect(broker.counters.publishDenied).toBe(before + 1);
  });
});

/**
 * No secret in any log (docs/security.md): a real centre process at debug level, its CLI, and the
 * broker (also at debug) go through everything that handles a secret — the first admin from the CLI,
 * logins right and wrong, users created and passwords changed and reset, a worker's app password and
 * sign-in, a pairing code, a stream ticket, a device provisioned with its key, MQTT logins right and
 * wrong, a webhook secret in the config — and then every line they wrote is searched for each
 * secret.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createLogger } from '../../common/log';
import { hashPassword } from '../../common/passwords';
import { EmbeddedBroker } from '../../gateway/src/broker/broker';
import { CentreChild } from '../helpers/centre-child';
import { call, login } from '../helpers/http';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');

it('no password, token, ticket, pairing code or key appears in the logs of a run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
  const lines: string[] = [];
  const secrets: Record<string, string> = { mqttPassword: 'Mq77-centre-secret', webhookSecret: 'Wh00k-secret-0123456789' };
  const broker = new EmbeddedBroker({
    listeners: { tcp: { host: '127.0.0.1', port: 0 } }, log: createLogger('broker', 'debug', (l) => lines.push(l)),
    users: [{ username: 'centre', passwordHash: hashPassword(secrets.mqttPassword!), role: 'centre' }],
  });
  await broker.start();
  const config = join(dir, 'centre.yaml');
  writeFileSync(config, [
    `dataDir: ${dir}`,
    `mqtt: { url: "mqtt://127.0.0.1:${broker.ports.tcp}", clientId: vigil-centre, username: centre, password: ${secrets.mqttPassword} }`,
    'http: { host: 127.0.0.1, port: 0 }',
    `notifiers: { webhook: { secret: ${secrets.webhookSecret} } }`,
  ].join('\n'));
  secrets['rootPassword'] = 'Root-pass-9f8e7d';
  const cli = spawnSync('node', [BIN, 'centre', 'user', 'add', '--config', config, '--username', 'root', '--role', 'admin'], { env: { ...process.env, VIGIL_PASSWORD: secrets['rootPassword'], VIGIL_LOG_LEVEL: 'debug' }, encoding: 'utf8' });
  expect(cli.status).toBe(0);
  lines.push(...cli.stdout.split('\n'), ...cli.stderr.split('\n'));
  const centre = await CentreChild.start(config);
  try {
    const base = `http://127.0.0.1:${/http:\/\/127\.0\.0\.1:(\d+)/.exec(await centre.waitFor(/centre started/))![1]}`;
    expect((await call(base, 'POST', '/api/login', { body: { username: 'root', password: 'Wrong-guess-123' } })).status).toBe(401);
    secrets['wrongGuess'] = 'Wrong-guess-123';
    const root = await login(base, 'root', secrets['rootPassword']);
    secrets['rootToken'] = root;
    secrets['opPassword'] = 'Op-pass-5a4b3c';
    const op = await call<{ id: string }>(base, 'POST', '/api/users', { token: root, body: { username: 'olga', password: secrets['opPassword'], role: 'operator', name: 'Olga' } });
    expect(op.status).toBeLessThan(300);
    const olga = await login(base, 'olga', secrets['opPassword']);
    secrets['opToken'] = olga;
    secrets['opNewPassword'] = 'Op-new-pass-77';
    expect((await call(base, 'POST', '/api/me/password', { token: olga, body: { current: secrets['opPassword'], password: secrets['opNewPassword'] } })).status).toBeLessThan(300);
    secrets['opResetPassword'] = 'Op-reset-pass-66';
    expect((await call(base, 'POST', `/api/users/${op.body.id}/password`, { token: root, body: { password: secrets['opResetPassword'] } })).status).toBeLessThan(300);
    await call(base, 'PUT', '/api/sites/north', { token: root, body: { id: 'north', name: 'North' } });
    await call(base, 'PUT', '/api/workers/w1', { token: root, body: { id: 'w1', name: 'Wendy', phone: '+44 7700 900123', siteId: 'north' } });
    secrets['workerPassword'] = 'Wendy-app-pass-42';
    expect((await call(base, 'PUT', '/api/workers/w1/app-login', { token: root, body: { username: 'wendy', password: secrets['workerPassword'] } })).status).toBe(200);
    const app = await call<{ token: string }>(base, 'POST', '/api/app/login', { body: { username: 'wendy', password: secrets['workerPassword'] } });
    secrets['appToken'] = app.body.token;
    const pairing = await call<{ code: string }>(base, 'POST', '/api/workers/w1/app-pairing', { token: root, body: { ttlH: 1 } });
    secrets['pairingCode'] = pairing.body.code;
    const paired = await call<{ token: string }>(base, 'POST', '/api/app/pair', { body: { code: pairing.body.code } });
    secrets['pairedToken'] = paired.body.token;
    const ticket = await call<{ ticket: string }>(base, 'POST', '/api/stream/ticket', { token: root });
    secrets['ticket'] = ticket.body.ticket;
    const device = await call<{ device: { key: string } }>(base, 'POST', '/api/devices', { token: root, body: { board: 'puckjs', workerId: 'w1', siteId: 'north' } });
    expect(device.status).toBe(201);
    secrets['deviceKey'] = device.body.device.key;
    await call(base, 'POST', '/api/logout', { token: root });
    // An MQTT login with a wrong password, and one with the right password under a stolen client id.
    for (const password of ['Mqtt-wrong-guess', secrets.mqttPassword!]) {
      const c = mqtt.connect(`mqtt://127.0.0.1:${broker.ports.tcp}`, { username: 'centre', password, clientId: 'probe', reconnectPeriod: 0 });
      await new Promise((r) => {
        c.once('connect', r);
        c.once('error', r);
      });
      await c.endAsync(true);
    }
    secrets['mqttWrongGuess'] = 'Mqtt-wrong-guess';
    // The broker goes away: the centre's MQTT client logs its failures (errors carry their options).
    await broker.stop();
    await centre.waitFor(/warn .*(mqtt|broker)/i, 20_000);
  } finally {
    await centre.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // Every line the centre logged is searched: none let go from the bounded tail.
  expect(centre.log.dropped).toBe(0);
  lines.push(...centre.lines);
  expect(lines.filter((l) => / (info|warn|debug|error) /.test(l)).length).toBeGreaterThan(3);
  const found = Object.entries(secrets).flatMap(([name, s]) => lines.filter((l) => l.includes(s) || l.toLowerCase().includes(s.toLowerCase())).map((l) => `${name}: ${l.slice(0, 200)}`));
  expect(found).toEqual([]);
  expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(15);
}, 60_000);

import { parseArgs } from 'node:util';
import { SystemClock } from '../common/clock';
import { createLogger } from '../common/log';
import { ConfigError } from '../common/schema';
import { type GatewayConfig, loadGatewayConfig } from '../gateway/src/config';
import { Gateway } from '../gateway/src/gateway';
import { Keyring } from '../gateway/src/keyring';
import { openGatewayDb } from '../gateway/src/store/db';
import { SqliteKeyringCache } from '../gateway/src/store/keyring-sqlite';
import { Survey } from '../gateway/src/survey';
import { buildTransports } from '../gateway/src/transport/factory';
import { parseDeviceId } from '../protocol/src';
import type { Command } from './main';
import { untilSignal } from './signals';

/** Every config error at once, by path, before any port or device is opened. */
function load(file: string | undefined, usage: string): GatewayConfig | number {
  if (!file) {
    process.stderr.write(`Usage: ${usage}\n`);
    return 2;
  }
  try {
    return loadGatewayConfig(file);
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    return 2;
  }
}

export const gatewayCommand: Command = {
  summary: 'run a site gateway (radios → MQTT, embedded broker, site I/O); `survey` checks radio coverage',
  usage: 'npx vigil gateway --config <gateway.yaml> [--check]\n       npx vigil gateway survey --config <gateway.yaml> [--seconds 120] [--json]',
  async run(args) {
    if (args[0] === 'survey') return survey(args.slice(1), this.usage);
    const { values } = parseArgs({ args, options: { config: { type: 'string' }, check: { type: 'boolean', default: false } } });
    const config = load(values.config, this.usage);
    if (typeof config === 'number') return config;
    if (values.check) {
      const radios = config.transports.map((t) => `${t.id} (${t.type})`).join(', ') || 'none';
      process.stdout.write(`Configuration OK: site ${config.siteId}, gateway ${config.gatewayId}, broker ${config.mqtt.url === 'embedded' ? 'embedded' : String(config.mqtt.url)}, radios: ${radios}, site I/O modules: ${(config.siteIo ?? []).length}\n`);
      return 0;
    }
    const gateway = new Gateway(config);
    try {
      await gateway.start();
    } catch (e) {
      process.stderr.write(`The gateway could not start: ${(e as Error).message}\n`);
      await gateway.stop().catch(() => undefined);
      return 1;
    }
    await untilSignal();
    await gateway.stop();
    return 0;
  },
};

/**
 * Listens with the configured radios only (no broker, no MQTT) and prints every pendant heard, with
 * signal strength and lost frames. Stop the gateway service first: it holds the same radios.
 */
async function survey(args: string[], usage: string): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, seconds: { type: 'string', default: '120' }, json: { type: 'boolean', default: false } } });
  const config = load(values.config, usage);
  if (typeof config === 'number') return config;
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    process.stderr.write('--seconds: must be a positive number\n');
    return 2;
  }
  if (config.transports.length === 0) {
    process.stderr.write('transports: none configured — nothing to survey with\n');
    return 2;
  }
  const clock = new SystemClock();
  const log = createLogger('survey', 'warn');
  const keyring = new Keyring();
  try {
    const db = openGatewayDb(config.dataDir);
    keyring.useCache(new SqliteKeyringCache(db));
    db.close();
  } catch {
    // no data directory yet: devices are shown without the site check
  }
  const s = new Survey((id) => keyring.key(parseDeviceId(id) ?? -1) !== undefined);
  const transports = buildTransports(config.transports, clock, log);
  for (const t of transports) {
    t.on('frame', (f) => s.add(f));
    await t.start();
    const st = t.status();
    process.stderr.write(`${t.id}: ${st.state}${st.detail ? ` — ${st.detail}` : ''}\n`);
  }
  process.stderr.write(`Listening for ${seconds} s… (walk the pendant around; Ctrl-C ends early)\n`);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, seconds * 1000))), untilSignal()]);
  clearTimeout(timer);
  for (const t of transports) await t.stop();
  const now = clock.now();
  process.stdout.write(values.json ? JSON.stringify({ seconds, devices: s.rows(now), ignoredFrames: s.ignored }) + '\n' : s.table(now));
  return 0;
}

/**
 * `make demo`: the whole system on one machine, playing the demo scenario (simulator/scenarios/
 * demo.yaml) in real time — Alice presses SOS, Bram falls (a real recorded fall replayed through
 * his badge's firmware) and does not cancel, Chloé gives the covert two-tap duress signal. Nothing
 * is injected around the real path: frames come from the built firmware over the virtual air.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../common/log';
import { hashPassword } from '../common/passwords';
import type { Store } from '../centre/src/store/types';
import { loadScenario } from '../simulator/src/scenario/schema';
import { DEFAULT_FALLS_DIR, fallsDataAvailable, REPO_ROOT } from '../simulator/src/trace';
import type { Command } from './main';
import { untilSignal } from './signals';
import { startScenario } from './sim';

export const DEMO_SCENARIO = join(REPO_ROOT, 'simulator', 'scenarios', 'demo.yaml');

/** A worker without a pendant, for trying the worker app (/app/): the phone is their device. */
export const DEMO_APP_WORKER = { id: 'dana', name: 'Dana Phone', phone: '+44 7700 900555', username: 'dana', password: 'dana' };

export async function addDemoAppWorker(store: Store, siteId: string, now: number): Promise<void> {
  const w = DEMO_APP_WORKER;
  await store.upsertWorker({ id: w.id, name: w.name, phone: w.phone, siteId });
  await store.putWorkerCredential({ workerId: w.id, username: w.username, passwordHash: hashPassword(w.password), createdAt: now, createdBy: 'demo' });
}

export const demoCommand: Command = {
  summary: 'run everything on this machine with simulated pendants (console on :8080)',
  usage: 'npx vigil demo [--http-port 8080] [--mqtt-port 1883] [--data ./var/demo] [--scenario simulator/scenarios/demo.yaml]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { 'http-port': { type: 'string' }, 'mqtt-port': { type: 'string' }, data: { type: 'string' }, scenario: { type: 'string' } },
    });
    const httpPort = Number(values['http-port'] ?? process.env['VIGIL_HTTP_PORT'] ?? 8080);
    const mqttPort = Number(values['mqtt-port'] ?? process.env['VIGIL_MQTT_PORT'] ?? 1883);
    const dataDir = values.data ?? join(REPO_ROOT, 'var', 'demo');
    const log = createLogger('demo');
    rmSync(dataDir, { recursive: true, force: true });
    const scenario = loadScenario(values.scenario ?? DEMO_SCENARIO);
    if (!fallsDataAvailable()) log.warn(`recorded falls not found at ${DEFAULT_FALLS_DIR}: workers walk synthetically and recorded falls are skipped`);

    const { run, box } = await startScenario(scenario, {
      clock: 'system', dataDir, httpHost: '127.0.0.1', httpPort, mqttPort, log,
      users: [{ username: 'demo', password: 'demo', name: 'Demo operator', role: 'admin' }],
      onLine: (l) => process.stdout.write(`${l}\n`),
    });
    await addDemoAppWorker(box.centre.store, scenario.site.id, Date.now());
    const url = `http://127.0.0.1:${box.centre.httpPort}`;
    process.stdout.write(
      [
        '',
        'Vigil demo is running.',
        `  Console:   ${url}   (log in as demo / demo)`,
        `  Worker app: ${url}/app/   (log in as ${DEMO_APP_WORKER.username} / ${DEMO_APP_WORKER.password}: ${DEMO_APP_WORKER.name}, a worker with only a phone)`,
        `  MQTT:      mqtt://127.0.0.1:${box.mqttPort}`,
        `  Data:      ${dataDir}  (reset at every start)`,
        `  Scenario:  ${scenario.name} — ${scenario.description.trim()}`,
        `  Script:    ${scenario.script.map((s) => `+${s.at} s ${s.worker ?? ''} ${s.do}`).join(' · ')}`,
        '  Press Ctrl-C to stop.',
        '',
      ].join('\n') + '\n',
    );
    await run.play();
    await untilSignal();
    process.stdout.write('Stopping…\n');
    await run.stop();
    for (const e of run.errors) log.warn(e);
    return 0;
  },
};

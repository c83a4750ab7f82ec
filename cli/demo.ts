/**
 * `make demo`: the whole system on one machine with three virtual pendants acting out a script —
 * Alice presses SOS, Bram falls (a real recorded fall replayed through his pendant's firmware), and
 * Chloé gives the covert two-tap duress signal. Nothing is injected around the real path: what the
 * firmware does not detect yet simply does not happen.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SystemClock } from '../common/clock';
import { createLogger } from '../common/log';
import { VirtualAir } from '../simulator/src/air';
import { accelRateHz, feedAccel } from '../simulator/src/espruino/profiles';
import { VirtualPendant } from '../simulator/src/pendant';
import { DEFAULT_FALLS_DIR, fallsDataAvailable, readManifest, readTrace, REPO_ROOT, resample } from '../simulator/src/trace';
import type { Command } from './main';
import { untilSignal } from './signals';
import { startSingleBox } from './singlebox';

const SITE = 'demo-site';

export const demoCommand: Command = {
  summary: 'run everything on this machine with simulated pendants (console on :8080)',
  usage: 'npx vigil demo [--http-port 8080] [--mqtt-port 1883] [--data ./var/demo]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { 'http-port': { type: 'string' }, 'mqtt-port': { type: 'string' }, data: { type: 'string' } },
    });
    const httpPort = Number(values['http-port'] ?? process.env['VIGIL_HTTP_PORT'] ?? 8080);
    const mqttPort = Number(values['mqtt-port'] ?? process.env['VIGIL_MQTT_PORT'] ?? 1883);
    const dataDir = values.data ?? join(REPO_ROOT, 'var', 'demo');
    const log = createLogger('demo');
    const clock = new SystemClock();
    rmSync(dataDir, { recursive: true, force: true });

    const air = new VirtualAir({ clock, seed: 7 });
    const box = await startSingleBox({ dataDir, siteId: SITE, httpHost: '127.0.0.1', httpPort, mqttPort, air, clock, log });
    const { centre } = box;
    await centre.store.upsertSite({ id: SITE, name: 'Demo warehouse' });
    await centre.auth.createUser({ username: 'demo', password: 'demo', name: 'Demo operator', role: 'admin' });
    const people = [
      { id: 'alice', name: 'Alice Martin', phone: '+33 6 12 34 56 78', x: 4, y: 3 },
      { id: 'bram', name: 'Bram de Vries', phone: '+31 6 1234 5678', x: -6, y: 5 },
      { id: 'chloe', name: 'Chloé Dubois', phone: '+32 470 12 34 56', x: 8, y: -4 },
    ];
    const pendants = new Map<string, VirtualPendant>();
    for (const p of people) {
      await centre.store.upsertWorker({ id: p.id, name: p.name, phone: p.phone, siteId: SITE });
      const { device } = await centre.registry.provision({ board: 'puckjs', workerId: p.id });
      const pendant = new VirtualPendant({ board: 'puckjs', deviceId: device.id, key: device.key, clock, air, position: { x: p.x, y: p.y }, label: p.name });
      pendant.start();
      pendant.board.on('led', (e) => {
        if (e.name === 'LED2' && e.on) log.info(`${p.name}'s pendant: green light (the centre answered)`);
      });
      pendants.set(p.id, pendant);
    }

    const url = `http://127.0.0.1:${centre.httpPort}`;
    process.stdout.write(
      [
        '',
        'Vigil demo is running.',
        `  Console:   ${url}   (log in as demo / demo)`,
        `  MQTT:      mqtt://127.0.0.1:${box.mqttPort}`,
        `  Data:      ${dataDir}  (reset at every start)`,
        '  Script:    +3 s Alice presses SOS · +8 s Bram falls (recorded trace) · +15 s Chloé taps twice (duress)',
        '  Press Ctrl-C to stop.',
        '',
      ].join('\n') + '\n',
    );

    const timers: NodeJS.Timeout[] = [];
    timers.push(setTimeout(() => {
      log.info('Alice presses her SOS button');
      pendants.get('alice')!.pressButton();
    }, 3000));
    timers.push(setTimeout(() => replayFall(pendants.get('bram')!, log), 8000));
    timers.push(setTimeout(() => {
      log.info('Chloé taps her pendant twice (covert duress)');
      const board = pendants.get('chloe')!.board;
      board.fire('Puck', 'accel', { acc: { x: 0, y: 0, z: 8192 }, gyro: { x: 0, y: 0, z: 0 } });
    }, 15000));

    await untilSignal();
    process.stdout.write('Stopping…\n');
    timers.forEach(clearTimeout);
    for (const p of pendants.values()) p.stop();
    air.stop();
    await box.stop();
    return 0;
  },
};

function replayFall(pendant: VirtualPendant, log: ReturnType<typeof createLogger>): void {
  if (!fallsDataAvailable()) {
    log.warn(`recorded falls not found at ${DEFAULT_FALLS_DIR}: Bram's fall is skipped`);
    return;
  }
  const rateHz = accelRateHz(pendant.board);
  if (rateHz === 0) {
    log.info("Bram falls — his pendant's firmware does not run fall detection yet, so nothing is raised");
    return;
  }
  const trial = readManifest(join(DEFAULT_FALLS_DIR, 'manifest.csv')).find((r) => r.activity === 'F01' && r.subject === 'SA01')!;
  const trace = resample(readTrace(trial.file), rateHz);
  log.info(`Bram falls: replaying ${trial.description} (${trial.subject}, ${trial.durationS} s) at ${rateHz} Hz`);
  let i = 0;
  const tick = (): void => {
    if (i >= trace.x.length) return;
    feedAccel(pendant.board, trace.x[i]!, trace.y[i]!, trace.z[i]!);
    i++;
    setTimeout(tick, 1000 / rateHz);
  };
  tick();
}

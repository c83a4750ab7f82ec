/**
 * A gateway killed mid-alarm (SIGKILL, as a power cut would) while the centre's broker is down:
 * the real `npx vigil gateway` process with a LoRa modem on a pseudo-terminal and a real Mosquitto.
 * After the restart it still knows the pendant's key and replay window, rejects the replayed frame,
 * and once the broker is back the centre gets every alarm frame exactly once, in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { encodeUplink, fromHex, type UplinkPayload } from '../../protocol/src';
import { LineLog } from '../../rig/line-log';
import { ScriptedModem } from '../../rig/modem';
import { freePort, Mosquitto } from '../../rig/mosquitto';
import { PtyPair } from '../../rig/pty';
import { until } from '../../rig/wait';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');
const KEY_HEX = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const sos = (counter: number): Uint8Array => encodeUplink({ deviceId: 0xbeef, counter, type: 'sos', batteryPct: 60 }, fromHex(KEY_HEX)!);

/** The gateway as a child process, its log lines read by the rig's LineLog. */
class GatewayProcess {
  private readonly log: LineLog;
  private constructor(readonly proc: ChildProcess) {
    this.log = new LineLog('gateway', proc.stderr!);
  }
  static start(configFile: string): GatewayProcess {
    return new GatewayProcess(spawn(process.execPath, [BIN, 'gateway', '--config', configFile], { env: { ...process.env, VIGIL_LOG_LEVEL: process.env['GW_LOG'] ?? 'info' }, stdio: ['ignore', 'ignore', 'pipe'] }));
  }
  logged(pattern: RegExp, what: string): Promise<void> {
    return this.log.waitFor(pattern, 20_000).then(
      () => undefined,
      (e: Error) => {
        throw new Error(`${what}: ${e.message}`);
      },
    );
  }
  kill(signal: NodeJS.Signals): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill(signal);
    });
  }
}

describe('gateway killed mid-alarm', () => {
  let dir: string;
  let broker: Mosquitto;
  let pty: PtyPair;
  let modem: ScriptedModem;
  const children: GatewayProcess[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-kill-'));
    broker = await Mosquitto.start({ dir });
    pty = await PtyPair.open(dir, 'lora');
    modem = await ScriptedModem.open({ model: 'rn2483', path: pty.modemPath });
    if (process.env['GW_LOG']) modem.on('command', (c) => process.stderr.write(`modem got ${c}\n`));
  });
  afterEach(async () => {
    for (const c of children) await c.kill('SIGKILL');
    await modem.close();
    await pty.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing and forwards nothing twice', async () => {
    const got: UplinkPayload[] = [];
    const events = new EventEmitter();
    const centre = mqtt.connect(broker.url, { clientId: 'vigil-centre', clean: false, reconnectPeriod: 100 });
    centre.on('message', (_t, p) => {
      got.push(JSON.parse(p.toString()) as UplinkPayload);
      events.emit('message');
    });
    await new Promise((resolve) => centre.once('connect', resolve));
    await centre.subscribeAsync('vigil/v1/sites/+/gateways/+/uplink/#', { qos: 1 });
    await centre.publishAsync('vigil/v1/sites/s1/keyring', JSON.stringify({ v: 1, siteId: 's1', at: 1, devices: [{ deviceId: '0000beef', key: KEY_HEX }] }), { qos: 1, retain: true });

    const metricsPort = await freePort();
    const configFile = join(dir, 'gateway.yaml');
    writeFileSync(configFile, stringify({
      siteId: 's1', gatewayId: 'gw-1', dataDir: join(dir, 'data'),
      mqtt: { url: broker.url },
      transports: [{ type: 'lora', id: 'lora0', path: pty.gatewayPath, modem: 'rn2483' }],
      metrics: { host: '127.0.0.1', port: metricsPort },
    }));
    const listening = async (): Promise<void> => {
      if (!modem.receiving) await until(modem, 'receiving', () => modem.receiving, 20_000, 'the modem to receive');
    };

    try {
      let gw = GatewayProcess.start(configFile);
      children.push(gw);
      await gw.logged(/keyring loaded/, 'the keyring from the centre');
      await listening();
      await broker.stop(); // the centre's broker goes away
      await gw.logged(/mqtt .*"state":"offline"/, 'the gateway to notice');

      modem.receive(sos(1));
      await gw.logged(/alarm frame queued .*"counter":1,/, 'SOS 1 queued');
      await listening();
      modem.receive(sos(2));
      await gw.logged(/alarm frame queued .*"counter":2,/, 'SOS 2 queued');
      await gw.kill('SIGKILL'); // mid-alarm, no goodbye

      gw = GatewayProcess.start(configFile);
      children.push(gw);
      await gw.logged(/gateway started .*"queued":2/, 'the restarted gateway with its queue');
      await listening();
      modem.receive(sos(1)); // a recording of SOS 1 played back
      await listening();
      modem.receive(sos(3));
      await gw.logged(/alarm frame queued .*"counter":3,/, 'SOS 3 queued');
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^vigil_gateway_outbox_depth\{site="s1",gateway="gw-1"\} 3$/m);
      expect(metrics).toMatch(/^vigil_gateway_bridge_events_total\{event="duplicates"\} 1$/m);
      expect(metrics).toMatch(/^vigil_gateway_keyring_devices\{site="s1",gateway="gw-1"\} 1$/m);

      await broker.restart();
      await until(events, 'message', () => got.length >= 3, 20_000, 'the three SOS frames at the centre');
      expect(got.map((p) => p.decoded.counter)).toEqual([1, 2, 3]);
      expect(got.every((p) => p.decoded.type === 'sos' && p.transport === 'lora')).toBe(true);
      await gw.kill('SIGTERM');
      expect(gw.proc.exitCode).toBe(0);
    } finally {
      await centre.endAsync(true);
    }
  }, 90_000);
});

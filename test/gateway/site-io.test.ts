/**
 * Modbus site I/O against modbus-serial's own servers (TCP, and RTU over a socat pseudo-terminal)
 * playing the I/O module, with Debian's mbpoll reading the coils back independently over the wire.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerSerial, ServerTCP } from 'modbus-serial';
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import type { ModbusEndpoint } from '../../gateway/src/siteio/modbus-link';
import { type InputEvent, type SiteIoConfig, SiteIoModule } from '../../gateway/src/siteio/site-io';
import type { TransportStatus } from '../../gateway/src/transport/types';
import type { SiteStatePayload } from '../../protocol/src';
import { freePort } from '../../rig/mosquitto';
import { PtyPair } from '../../rig/pty';
import { waitForEvent } from '../../rig/wait';

const log = createLogger('test', (process.env['SITEIO_LOG'] as 'debug' | undefined) ?? 'silent');

/** An I/O module's memory: 8 coils, 8 discrete inputs. */
class IoModule {
  coils = new Array<boolean>(8).fill(false);
  inputs = new Array<boolean>(8).fill(false);
  readonly vector = {
    getCoil: (addr: number) => this.coils[addr] ?? false,
    getDiscreteInput: (addr: number) => this.inputs[addr] ?? false,
    setCoil: (addr: number, value: boolean) => void (this.coils[addr] = value),
  };
}

/** ServerTCP treats port 0 as "default" (502): pick a free port first. */
async function tcpServer(io: IoModule, fixedPort?: number): Promise<{ port: number; close: () => Promise<void> }> {
  const port = fixedPort ?? (await freePort());
  const server = new ServerTCP(io.vector, { host: '127.0.0.1', port, unitID: 1 });
  await new Promise<void>((resolve, reject) => {
    server.on('initialized', () => resolve());
    server.on('serverError', reject);
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of server.socks.keys()) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const state = (openAlarms: number, types: SiteStatePayload['types']): SiteStatePayload => ({ v: 1, siteId: 's1', openAlarms, types, at: Date.now() });

function config(endpoint: ModbusEndpoint): SiteIoConfig {
  return {
    id: 'io-1', unitId: 1, pollMs: 200, timeoutMs: 1000, ...endpoint,
    outputs: [
      { id: 'siren', coil: 0, when: 'any' },
      { id: 'strobe', coil: 1, when: ['sos', 'fall', 'man_down', 'no_motion', 'duress'] },
      { id: 'door', coil: 2, when: ['fall'], activeLow: true },
    ],
    inputs: [
      { id: 'panic-office', discreteInput: 0, debounceMs: 400 },
      { id: 'pull-cord-wc', discreteInput: 3, activeLow: true },
    ],
  };
}

/** Advances virtual time one poll and waits for that poll's Modbus round trips. */
async function poll(clock: VirtualClock, m: SiteIoModule, ms = 200): Promise<boolean> {
  const done = waitForEvent<[boolean]>(m, 'poll');
  clock.advance(ms);
  return (await done)[0];
}

/** Reads coils with Debian's mbpoll: an independent Modbus master checking what is on the wire. */
function mbpollCoils(port: number, count: number): Promise<number[]> {
  const p = spawn('mbpoll', ['-m', 'tcp', '-a', '1', '-t', '0', '-0', '-r', '0', '-c', String(count), '-1', '-p', String(port), '127.0.0.1']);
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    p.on('error', (e) => reject(new Error(`cannot run mbpoll (apt-get install mbpoll): ${e.message}`)));
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`mbpoll exited ${code}: ${out}`));
      resolve([...out.matchAll(/^\[(\d+)\]:\s+(\d)/gm)].map((m) => Number(m[2])));
    });
  });
}

describe('site I/O over Modbus/TCP', () => {
  it('drives sirens, strobes and door release from the open alarms, as mbpoll reads back', async () => {
    const io = new IoModule();
    io.inputs[3] = true; // pull-cord healthy (normally closed)
    const server = await tcpServer(io);
    const clock = new VirtualClock();
    const m = new SiteIoModule({ config: config({ tcp: { host: '127.0.0.1', port: server.port } }), clock, log });
    try {
      await m.start();
      expect(m.status()).toMatchObject({ state: 'running' });
      expect(io.coils.slice(0, 3)).toEqual([false, false, false]); // no site state yet: hands off

      m.setSiteState(state(1, ['sos']));
      await waitForEvent(m, 'poll');
      expect(io.coils.slice(0, 3)).toEqual([true, true, true]); // door: wanted off → coil on (active low)
      expect(await mbpollCoils(server.port, 3)).toEqual([1, 1, 1]);

      m.setSiteState(state(2, ['fall', 'low_battery']));
      await waitForEvent(m, 'poll');
      expect(await mbpollCoils(server.port, 3)).toEqual([1, 1, 0]);

      m.setSiteState(state(1, ['low_battery']));
      await waitForEvent(m, 'poll');
      expect(io.coils.slice(0, 3)).toEqual([true, false, true]);

      m.setSiteState(state(0, []));
      await waitForEvent(m, 'poll');
      expect(await mbpollCoils(server.port, 3)).toEqual([0, 0, 1]);

      io.coils[0] = true; // the module lost power and came back wrong: the next poll puts it right
      expect(await poll(clock, m)).toBe(true);
      expect(io.coils[0]).toBe(false);
    } finally {
      await m.stop();
      await server.close();
    }
  });

  it('reports wired inputs once they have held for the debounce time, and normally-closed contacts when opened', async () => {
    const io = new IoModule();
    io.inputs[3] = true;
    const server = await tcpServer(io);
    const clock = new VirtualClock();
    const m = new SiteIoModule({ config: config({ tcp: { host: '127.0.0.1', port: server.port } }), clock, log });
    const events: InputEvent[] = [];
    m.on('input', (e) => events.push(e));
    try {
      await m.start();
      await poll(clock, m);
      await poll(clock, m);
      expect(events.map((e) => [e.inputId, e.active])).toEqual([['pull-cord-wc', false], ['panic-office', false]]); // initial states
      events.length = 0;

      io.inputs[0] = true; // a 200 ms bounce: shorter than the 400 ms debounce
      await poll(clock, m);
      io.inputs[0] = false;
      await poll(clock, m);
      await poll(clock, m);
      expect(events).toEqual([]);

      io.inputs[0] = true; // pressed and held
      for (let i = 0; i < 3; i++) await poll(clock, m);
      expect(events).toEqual([{ inputId: 'panic-office', active: true, at: clock.now() }]);

      io.inputs[3] = false; // the pull-cord opens its contact
      await poll(clock, m);
      expect(events.at(-1)).toMatchObject({ inputId: 'pull-cord-wc', active: true });
    } finally {
      await m.stop();
      await server.close();
    }
  });

  it('says when the module stops answering, retries with backoff, and restores the outputs when it is back', async () => {
    const io = new IoModule();
    let server = await tcpServer(io);
    const port = server.port;
    const clock = new VirtualClock();
    const m = new SiteIoModule({ config: config({ tcp: { host: '127.0.0.1', port } }), clock, log, reconnectInitialMs: 1000 });
    if (process.env['SITEIO_LOG']) m.on('status', (s) => log.info('status', { ...s }));
    try {
      await m.start();
      m.setSiteState(state(1, ['duress']));
      await waitForEvent(m, 'poll');
      const lost = waitForEvent<[TransportStatus]>(m, 'status', (s) => s.state === 'reconnecting');
      await server.close();
      clock.advance(200);
      expect((await lost)[0].detail).toMatch(/modbus tcp 127\.0\.0\.1:\d+ unit 1: .*retrying in 1 s/);

      const io2 = new IoModule(); // replaced module, all coils off
      server = await tcpServer(io2, port);
      const back = waitForEvent(m, 'poll', (ok: boolean) => ok, 10_000, 'a successful poll after reconnecting');
      clock.advance(1000);
      await back;
      expect(m.status().state).toBe('running');
      expect(io2.coils.slice(0, 2)).toEqual([true, true]);
    } finally {
      await m.stop();
      await server.close();
    }
  });

  it('reports a module that is not there as unavailable with the reason', async () => {
    const clock = new VirtualClock();
    const closed = await tcpServer(new IoModule());
    await closed.close();
    const m = new SiteIoModule({ config: config({ tcp: { host: '127.0.0.1', port: closed.port } }), clock, log });
    await m.start();
    expect(m.status().state).toBe('unavailable');
    expect(m.status().detail).toMatch(/ECONNREFUSED|refused/);
    await m.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('site I/O over Modbus RTU on a serial line', () => {
  it('writes coils and reads inputs through a pseudo-terminal to an RTU server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rtu-'));
    const pty = await PtyPair.open(dir, 'rs485');
    const io = new IoModule();
    io.inputs[3] = true;
    const server = new ServerSerial(io.vector, { path: pty.modemPath, baudRate: 9600, unitID: 1, parity: 'none' } as ConstructorParameters<typeof ServerSerial>[1]);
    await new Promise<void>((resolve) => server.on('initialized', () => resolve()));
    const clock = new VirtualClock();
    const m = new SiteIoModule({ config: config({ rtu: { path: pty.gatewayPath, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 } }), clock, log });
    const events: InputEvent[] = [];
    m.on('input', (e) => events.push(e));
    try {
      await m.start();
      expect(m.status()).toMatchObject({ state: 'running', detail: expect.stringContaining('modbus rtu') });
      m.setSiteState(state(1, ['sos']));
      await waitForEvent(m, 'poll');
      expect(io.coils.slice(0, 3)).toEqual([true, true, true]);
      io.inputs[0] = true;
      for (let i = 0; i < 3; i++) await poll(clock, m);
      expect(events.filter((e) => e.active).map((e) => e.inputId)).toEqual(['panic-office']);
    } finally {
      await m.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pty.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

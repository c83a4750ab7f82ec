/**
 * The LoRa transport against a scripted modem on a real pseudo-terminal pair (socat), both sides
 * using the real `serialport` package: modem set-up per model, packets in, downlinks out within the
 * pendant's receive window, unplug and replug with exponential backoff.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock, VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { LoraTransport } from '../../gateway/src/transport/lora/transport';
import type { RadioFrame, TransportStatus } from '../../gateway/src/transport/types';
import { PtyPair } from '../../rig/pty';
import { ScriptedModem, type ModemModelName } from '../../rig/modem';
import { waitForEvent } from '../../rig/wait';

const log = createLogger('test', (process.env['LORA_LOG'] as 'debug' | undefined) ?? 'silent');
const FRAME = Uint8Array.from(Buffer.from('100000beef000005aabbccddeeff00112233445566778899', 'hex'));
const DOWN = Uint8Array.from(Buffer.from('110000beef00000005010000a1b2c3d4', 'hex'));

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-lora-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rig(model: ModemModelName, extra: { bytewise?: boolean; clock?: SystemClock | VirtualClock; noRssi?: boolean; watchdogMs?: number } = {}) {
  const pty = await PtyPair.open(dir);
  const modem = await ScriptedModem.open({ model, path: pty.modemPath, ...(extra.bytewise ? { bytewise: true } : {}), ...(extra.noRssi ? { noRssi: true } : {}) });
  if (process.env['LORA_LOG']) modem.on('command', (c) => process.stderr.write(`modem got ${c}\n`));
  const clock = extra.clock ?? new SystemClock();
  const transport = new LoraTransport({ id: 'lora0', path: pty.gatewayPath, modem: model, clock, log, downlinkHoldMs: 60_000, reconnectInitialMs: 1000, watchdogMs: extra.watchdogMs ?? 3_600_000 });
  const listening = waitForEvent(modem, 'receiving', (on: boolean) => on, 10_000, 'the modem to be told to receive');
  await transport.start();
  await listening;
  return { pty, modem, transport, clock, close: async () => {
    await transport.stop();
    await modem.close();
    await pty.close();
  } };
}

describe.each<ModemModelName>(['rn2483', 'rak3172'])('LoRa transport with a scripted %s', (model) => {
  it('configures the radio for EU868 869.525 MHz SF9 BW125 CR4/5 and reports running', async () => {
    const r = await rig(model);
    try {
      expect(r.transport.status()).toMatchObject({ state: 'running' });
      expect(r.transport.status().detail).toContain('869.525 MHz SF9 BW125');
      if (model === 'rn2483') {
        expect(r.modem.settings).toMatchObject({ mod: 'lora', freq: '869525000', sf: 'sf9', bw: '125', cr: '4/5', wdt: '0', crc: 'on' });
        expect(r.modem.commands).toContain('mac pause');
        expect(r.modem.commands.at(-1)).toBe('radio rx 0');
      } else {
        expect(r.modem.commands).toEqual(expect.arrayContaining(['AT+NWM=0', 'AT+P2P=869525000:9:125:0:8:14', 'AT+PRECV=65534']));
      }
    } finally {
      await r.close();
    }
  });

  it('hands up every packet with RSSI and SNR, and keeps receiving', async () => {
    const r = await rig(model, { bytewise: true });
    try {
      for (let i = 0; i < 3; i++) {
        const heard = waitForEvent<[RadioFrame]>(r.transport, 'frame');
        if (model === 'rn2483' && !r.modem.receiving) await waitForEvent(r.modem, 'receiving', (on: boolean) => on);
        expect(r.modem.receive(FRAME, -101 + i, 7)).toBe(true);
        const [f] = await heard;
        expect(f).toMatchObject({ kind: 'lora', transportId: 'lora0', address: '0000beef', rssiDbm: -101 + i, snrDb: 7 });
        expect(Buffer.from(f.payload).equals(Buffer.from(FRAME))).toBe(true);
      }
      if (model === 'rn2483') await waitForEvent(r.modem, 'receiving', (on: boolean) => on);
      expect(r.modem.receiving).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('sends a downlink at once while the pendant listens after its uplink, then receives again', async () => {
    const r = await rig(model);
    try {
      const heard = waitForEvent<[RadioFrame]>(r.transport, 'frame');
      r.modem.receive(FRAME);
      const [f] = await heard;
      const tx = waitForEvent<[Uint8Array]>(r.modem, 'transmit');
      await r.transport.send(f.address, DOWN);
      expect(Buffer.from((await tx)[0]).equals(Buffer.from(DOWN))).toBe(true);
      expect(r.modem.transmittedInverted).toEqual([true]); // downlinks with inverted IQ (SPEC §4.4)
      if (!r.modem.receiving) await waitForEvent(r.modem, 'receiving', (on: boolean) => on);
      expect(model === 'rn2483' ? r.modem.settings['iqi'] : r.modem.settings['iqinver']).toBe(model === 'rn2483' ? 'off' : '0'); // listening with normal IQ again
      expect(r.transport.counters.get('downlinks_sent')).toBe(1);
    } finally {
      await r.close();
    }
  });
});

describe('LoRa transport downlink timing and failures', () => {
  it('holds a downlink for a pendant heard too long ago until its next uplink', async () => {
    const clock = new VirtualClock();
    const r = await rig('rn2483', { clock });
    try {
      const first = waitForEvent<[RadioFrame]>(r.transport, 'frame');
      r.modem.receive(FRAME);
      await first;
      clock.advance(5000); // the pendant's receive window has closed
      const sent = r.transport.send('0000beef', DOWN);
      expect(r.transport.counters.get('downlinks_held')).toBe(1);
      expect(r.modem.transmitted).toHaveLength(0);
      await waitForEvent(r.modem, 'receiving', (on: boolean) => on);
      const next = waitForEvent<[RadioFrame]>(r.transport, 'frame');
      r.modem.receive(FRAME); // its next uplink (an alarm repeats until acknowledged)
      await next;
      expect(r.modem.transmitted).toHaveLength(0); // not before the 50 ms turnaround
      const tx = waitForEvent(r.modem, 'transmit');
      clock.advance(50);
      await tx;
      await sent;
      expect(r.modem.transmitted).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  it('holds a downlink that would not end before the pendant stops listening (1 s window, ~165 ms on air)', async () => {
    const clock = new VirtualClock();
    const r = await rig('rak3172', { clock });
    try {
      const first = waitForEvent<[RadioFrame]>(r.transport, 'frame');
      r.modem.receive(FRAME);
      await first;
      clock.advance(900);
      const sent = r.transport.send('0000beef', DOWN);
      expect(r.transport.counters.get('downlinks_held')).toBe(1);
      clock.advance(60_000);
      await expect(sent).rejects.toMatchObject({ code: 'timeout' });
      expect(r.modem.transmitted).toHaveLength(0);
    } finally {
      await r.close();
    }
  });

  it('gives up on a held downlink after the hold time with a timeout error', async () => {
    const clock = new VirtualClock();
    const r = await rig('rak3172', { clock });
    try {
      const sent = r.transport.send('0000beef', DOWN);
      clock.advance(60_000);
      await expect(sent).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      await r.close();
    }
  });

  it('reports RSSI as unknown on RN2483 firmware without `radio get rssi`', async () => {
    const r = await rig('rn2483', { noRssi: true });
    try {
      const heard = waitForEvent<[RadioFrame]>(r.transport, 'frame');
      r.modem.receive(FRAME, -90, -3);
      expect((await heard)[0]).toMatchObject({ rssiDbm: null, snrDb: -3 });
    } finally {
      await r.close();
    }
  });

  it('refuses to send while not running', async () => {
    const t = new LoraTransport({ id: 'lora9', path: join(dir, 'none'), modem: 'rn2483', clock: new VirtualClock(), log });
    await expect(t.send('0000beef', DOWN)).rejects.toMatchObject({ code: 'not_running' });
  });

  it('reports a missing port as unavailable with the reason, and retries', async () => {
    const clock = new VirtualClock();
    const t = new LoraTransport({ id: 'lora9', path: join(dir, 'ttyUSB7'), modem: 'rn2483', clock, log, reconnectInitialMs: 1000 });
    await t.start();
    expect(t.status().state).toBe('unavailable');
    expect(t.status().detail).toMatch(/cannot open .*ttyUSB7.*retrying in 1 s/);
    const next = waitForEvent<[TransportStatus]>(t, 'status', (s) => s.state === 'unavailable');
    clock.advance(1000);
    expect((await next)[0].detail).toMatch(/retrying in 2 s/);
    await t.stop();
    expect(clock.pending).toBe(0);
  });

  it('gives a modem that never answers a labelled timeout and retries', async () => {
    const clock = new VirtualClock();
    const pty = await PtyPair.open(dir);
    const modem = await ScriptedModem.open({ model: 'rn2483', path: pty.modemPath, silent: true });
    const t = new LoraTransport({ id: 'lora0', path: pty.gatewayPath, modem: 'rn2483', clock, log, commandTimeoutMs: 2000 });
    try {
      const rxstop = waitForEvent(modem, 'command', (c: string) => c === 'radio rxstop');
      const starting = t.start();
      await rxstop;
      const version = waitForEvent(modem, 'command', (c: string) => c === 'sys get ver');
      clock.advance(2000); // `radio rxstop` unanswered: tolerated (a modem may not be receiving)
      await version;
      clock.advance(2000); // `sys get ver` unanswered: the modem is not there
      await starting;
      expect(t.status()).toMatchObject({ state: 'unavailable' });
      expect(t.status().detail).toContain("rn2483 'sys get ver': no reply within 2000 ms");
    } finally {
      await t.stop();
      await modem.close();
      await pty.close();
    }
  });
});

describe('LoRa transport watchdog', () => {
  it('reconnects when the modem stops answering though the port stays open', async () => {
    const clock = new VirtualClock();
    const r = await rig('rak3172', { clock, watchdogMs: 15_000 });
    try {
      r.modem.silence();
      const ping = waitForEvent(r.modem, 'command', (c: string) => c === 'AT');
      clock.advance(15_000);
      await ping;
      const lost = waitForEvent<[TransportStatus]>(r.transport, 'status', (s) => s.state === 'reconnecting');
      clock.advance(2000);
      expect((await lost)[0].detail).toContain("modem stopped answering: rak3172 'AT': no reply within 2000 ms");
    } finally {
      await r.close();
    }
  });
});

describe('LoRa transport unplug and replug', () => {
  it('reconnects with exponential backoff after the modem is unplugged and frames flow again', async () => {
    const clock = new VirtualClock();
    const r = await rig('rn2483', { clock, watchdogMs: 15_000 });
    try {
      const lost = waitForEvent<[TransportStatus]>(r.transport, 'status', (s) => s.state === 'reconnecting');
      await r.pty.unplug();
      clock.advance(15_000); // the watchdog notices even if the port itself says nothing
      expect((await lost)[0].detail).toMatch(/disappeared .*retrying in 1 s/);
      await expect(r.transport.send('0000beef', DOWN)).rejects.toMatchObject({ code: 'not_running' });

      const stillGone = waitForEvent<[TransportStatus]>(r.transport, 'status', (s) => s.state === 'reconnecting');
      clock.advance(1000);
      expect((await stillGone)[0].detail).toMatch(/retrying in 2 s/);

      await r.pty.replug();
      const modem = await ScriptedModem.open({ model: 'rn2483', path: r.pty.modemPath });
      try {
        const back = waitForEvent<[TransportStatus]>(r.transport, 'status', (s) => s.state === 'running');
        clock.advance(2000);
        await back;
        if (!modem.receiving) await waitForEvent(modem, 'receiving', (on: boolean) => on);
        const heard = waitForEvent<[RadioFrame]>(r.transport, 'frame');
        modem.receive(FRAME);
        await heard;
        expect(r.transport.counters.get('connects')).toBe(2);
        expect(r.transport.counters.get('link_failures')).toBe(2);
      } finally {
        await modem.close();
      }
    } finally {
      await r.close();
    }
  });
});

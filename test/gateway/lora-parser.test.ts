import { LineParser } from '../../gateway/src/transport/lora/line-parser';
import { Waitress, MORE } from '../../gateway/src/transport/lora/waitress';
import { VirtualClock } from '../../common/clock';
import { TransportError } from '../../gateway/src/transport/types';

const STREAM = 'ok\r\nradio_rx  0110000BEEF0000050102030405060708090A0B0C0D0E0F\r\n+EVT:RXP2P:-97:6:01020304\r\n\r\n4294967245\r\nRN2483 1.0.5 Oct 31 2018 15:06:52\r\n';
const LINES = ['ok', 'radio_rx  0110000BEEF0000050102030405060708090A0B0C0D0E0F', '+EVT:RXP2P:-97:6:01020304', '4294967245', 'RN2483 1.0.5 Oct 31 2018 15:06:52'];

function parseChunks(chunks: Uint8Array[], max?: number): { lines: string[]; parser: LineParser } {
  const lines: string[] = [];
  const parser = new LineParser((l) => lines.push(l), max);
  for (const c of chunks) parser.push(c);
  return { lines, parser };
}

describe('LoRa modem line parser', () => {
  const bytes = Buffer.from(STREAM, 'ascii');

  it('yields the same lines whatever byte the stream is split at', () => {
    for (let i = 0; i <= bytes.length; i++) {
      expect(parseChunks([bytes.subarray(0, i), bytes.subarray(i)]).lines).toEqual(LINES);
    }
  });

  it('yields the same lines when every byte arrives on its own', () => {
    expect(parseChunks([...bytes].map((b) => Uint8Array.of(b))).lines).toEqual(LINES);
  });

  it('accepts LF-only and CR-only line ends', () => {
    expect(parseChunks([Buffer.from('ok\nbusy\rradio_tx_ok\n')]).lines).toEqual(['ok', 'busy', 'radio_tx_ok']);
  });

  it('drops noise bytes and resynchronises at the next line end', () => {
    const noisy = Buffer.concat([Buffer.from([0x00, 0xff, 0x13, 0x80]), Buffer.from('ok\r\n'), Buffer.from([0xfe, 0xfd, 0x0d, 0x0a]), Buffer.from('radio_tx_ok\r\n')]);
    const { lines, parser } = parseChunks([noisy]);
    expect(lines).toEqual(['ok', 'radio_tx_ok']);
    expect(parser.stats.noiseBytes).toBe(6);
  });

  it('throws away an over-long line and recovers on the next one', () => {
    const { lines, parser } = parseChunks([Buffer.from('x'.repeat(100)), Buffer.from('y'.repeat(50) + '\r\nok\r\n')], 64);
    expect(lines).toEqual(['ok']);
    expect(parser.stats.overlongLines).toBe(1);
  });

  it('forgets a partial line on reset (port reopened)', () => {
    const lines: string[] = [];
    const parser = new LineParser((l) => lines.push(l));
    parser.push(Buffer.from('radio_r'));
    parser.reset();
    parser.push(Buffer.from('ok\r\n'));
    expect(lines).toEqual(['ok']);
  });
});

describe('waitress', () => {
  it('gives each line to the oldest waiter that wants it and leaves the rest', async () => {
    const clock = new VirtualClock();
    const w = new Waitress<string>(clock);
    const a = w.waitFor('a', 1000, (l) => (l === 'ok' ? 1 : undefined));
    const b = w.waitFor('b', 1000, (l) => (l.startsWith('radio_') ? l : undefined));
    expect(w.offer('radio_tx_ok')).toBe(true);
    expect(w.offer('stray')).toBe(false);
    expect(w.offer('ok')).toBe(true);
    await expect(a).resolves.toBe(1);
    await expect(b).resolves.toBe('radio_tx_ok');
  });

  it('collects multi-line replies', async () => {
    const w = new Waitress<string>(new VirtualClock());
    let value = '';
    const p = w.waitFor('q', 1000, (l) => (l === 'OK' ? value : ((value = l), MORE)));
    w.offer('AT+NWM=1');
    w.offer('OK');
    await expect(p).resolves.toBe('AT+NWM=1');
  });

  it('times out with the label of what it waited for', async () => {
    const clock = new VirtualClock();
    const w = new Waitress<string>(clock);
    const p = w.waitFor("rn2483 'radio tx'", 5000, () => undefined);
    clock.advance(4999);
    expect(w.pending).toBe(1);
    clock.advance(1);
    await expect(p).rejects.toThrow("rn2483 'radio tx': no reply within 5000 ms");
    await expect(p).rejects.toBeInstanceOf(TransportError);
    expect(w.pending).toBe(0);
  });
});

/**
 * Found by `make fuzz` (lora surface): the LoRa transport remembered when every address was last heard
 * — and the address is the clear header of whatever arrives on the air, so a stranger sending packets
 * with made-up device ids grew the gateway's memory without bound. Now it remembers a bounded number,
 * and a pendant that was just heard still gets its downlink in its receive window.
 */
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { LoraTransport } from '../../gateway/src/transport/lora/transport';
import { MemoryModemLink } from '../fuzz/lora-memory-modem';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

it('forged packets with 20,000 different device ids leave the transport remembering a bounded number', async () => {
  const clock = new VirtualClock();
  let link: MemoryModemLink | undefined;
  const t = new LoraTransport({ id: 'lora0', path: '/dev/null', modem: 'rak3172', clock, log: createLogger('test', 'silent'), openLink: () => (link = new MemoryModemLink('rak3172')) });
  await t.start();
  let frames = 0;
  t.on('frame', () => frames++);
  const packet = (id: number): Uint8Array => Uint8Array.from(Buffer.from(`10${id.toString(16).padStart(8, '0')}${'00'.repeat(19)}`, 'hex'));
  for (let i = 0; i < 20_000; i++) {
    link!.packet(packet(i));
    if (i % 500 === 0) await tick();
  }
  await tick();
  await tick();
  expect(frames).toBe(20_000);
  // Private on purpose: what is measured is the size of the transport's own memory of addresses.
  expect((t as unknown as { lastHeard: Map<string, number> }).lastHeard.size).toBeLessThanOrEqual(4096);
  // The pendant heard last still gets its downlink at once, inside its window.
  link!.packet(packet(0xc0ffee));
  await tick();
  const sent = t.send('00c0ffee', new Uint8Array(16));
  await clock.advanceAsync(100);
  await expect(sent).resolves.toBeUndefined();
  await t.stop();
});

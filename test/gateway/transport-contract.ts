/**
 * The radio transport contract: what the bridge relies on, whatever the radio. Every
 * implementation (virtual air, BLE over noble, LoRa over each modem) runs this same suite through a
 * harness that plays the pendant on the far side of its radio.
 */
import { TransportError, type RadioFrame, type RadioTransport, type TransportStatus } from '../../gateway/src/transport/types';

export interface TransportHarness {
  transport: RadioTransport;
  /** A pendant puts `frame` on air; resolves once it has reached the receiver (if it listens). */
  transmit(frame: Uint8Array): Promise<void>;
  /**
   * Somebody else's traffic on the same radio (another vendor's advert, a foreign packet); resolves
   * with the bytes as this transport would hand them up, should it not be able to tell them apart.
   */
  transmitForeign(): Promise<Uint8Array>;
  /** What the pendant received as downlinks, oldest first. */
  received(): Uint8Array[];
  /** Lets anything in flight arrive: virtual time advanced, or a short quiet period on real I/O. */
  quiesce(): Promise<void>;
  /** Awaits a transport operation while keeping the harness's world (clock, air) running. */
  drive<T>(p: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A 24-byte frame as the pendant sends it; transports carry bytes, they do not check them. */
export function contractFrame(counter: number): Uint8Array {
  const f = new Uint8Array(24);
  f.set([0x10, 0x00, 0x00, 0xbe, 0xef, 0x00, 0x00, counter & 0xff]);
  for (let i = 8; i < 24; i++) f[i] = (i * 37 + counter) & 0xff;
  return f;
}

const DOWNLINK = Uint8Array.from([0x11, 0x00, 0x00, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x05, 0x01, 0x00, 0x00, 0xa1, 0xb2, 0xc3, 0xd4]);

function collect(t: RadioTransport): { frames: RadioFrame[]; statuses: TransportStatus[]; off: () => void } {
  const frames: RadioFrame[] = [];
  const statuses: TransportStatus[] = [];
  const onFrame = (f: RadioFrame): void => void frames.push(f);
  const onStatus = (s: TransportStatus): void => void statuses.push(s);
  t.on('frame', onFrame);
  t.on('status', onStatus);
  return { frames, statuses, off: () => (t.off('frame', onFrame), t.off('status', onStatus)) };
}

export function describeTransport(name: string, build: () => Promise<TransportHarness>): void {
  describe(`radio transport contract: ${name}`, () => {
    let h: TransportHarness;
    beforeEach(async () => {
      h = await build();
    });
    afterEach(async () => {
      await h.transport.stop();
      await h.close();
    });

    it('is stopped until started, then reports running through a status event', async () => {
      const t = h.transport;
      expect(t.status().state).toBe('stopped');
      const seen = collect(t);
      await h.drive(t.start());
      expect(t.status().state).toBe('running');
      expect(seen.statuses.at(-1)?.state).toBe('running');
      expect(typeof t.id).toBe('string');
      expect(['ble', 'lora']).toContain(t.kind);
      seen.off();
    });

    it("emits a pendant's frame with its bytes, where it came from and how well it was heard", async () => {
      const t = h.transport;
      await h.drive(t.start());
      const seen = collect(t);
      const frame = contractFrame(1);
      await h.transmit(frame);
      await h.quiesce();
      expect(seen.frames.length).toBeGreaterThanOrEqual(1);
      const f = seen.frames[0]!;
      expect(Buffer.from(f.payload).equals(Buffer.from(frame))).toBe(true);
      expect(f.kind).toBe(t.kind);
      expect(f.transportId).toBe(t.id);
      expect(typeof f.address).toBe('string');
      expect(f.address.length).toBeGreaterThan(0);
      expect(Number.isFinite(f.receivedAt)).toBe(true);
      expect(f.rssiDbm === null || (Number.isFinite(f.rssiDbm) && f.rssiDbm < 0)).toBe(true);
      expect(f.snrDb === null || Number.isFinite(f.snrDb)).toBe(true);
      seen.off();
    });

    it("copes with other people's traffic and keeps hearing pendants", async () => {
      const t = h.transport;
      await h.drive(t.start());
      const seen = collect(t);
      const foreign = await h.transmitForeign();
      await h.quiesce();
      // A radio that can filter (BLE company id) drops it; one that cannot (a LoRa packet that passed
      // sync word and CRC) hands it up unchanged, for the bridge to drop as a bad frame.
      for (const f of seen.frames) expect(Buffer.from(f.payload).equals(Buffer.from(foreign))).toBe(true);
      seen.frames.length = 0;
      await h.transmit(contractFrame(2));
      await h.quiesce();
      expect(seen.frames.length).toBeGreaterThanOrEqual(1);
      expect(t.status().state).toBe('running');
      seen.off();
    });

    it('delivers a downlink to the address a frame came from, byte for byte', async () => {
      const t = h.transport;
      await h.drive(t.start());
      const seen = collect(t);
      await h.transmit(contractFrame(3));
      await h.quiesce();
      const from = seen.frames[0]!;
      await h.drive(t.send(from.address, DOWNLINK));
      await h.quiesce(); // a send may resolve when the radio is done, before the far end has it (airtime)
      const got = h.received();
      expect(got).toHaveLength(1);
      expect(Buffer.from(got[0]!).equals(Buffer.from(DOWNLINK))).toBe(true);
      seen.off();
    });

    it('refuses downlinks with a coded error while stopped', async () => {
      const err = await h.transport.send('0000beef', DOWNLINK).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).code).toBe('not_running');
    });

    it('hears nothing once stopped, and works again when restarted', async () => {
      const t = h.transport;
      await h.drive(t.start());
      await h.drive(t.stop());
      expect(t.status().state).toBe('stopped');
      const seen = collect(t);
      await h.transmit(contractFrame(4));
      await h.quiesce();
      expect(seen.frames).toHaveLength(0);
      await h.drive(t.start());
      expect(t.status().state).toBe('running');
      await h.transmit(contractFrame(5));
      await h.quiesce();
      expect(seen.frames.some((f) => f.payload[7] === 5)).toBe(true);
      seen.off();
    });
  });
}

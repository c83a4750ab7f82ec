/** The simulator's virtual LoRa transport passes the radio transport contract too. */
import { VirtualClock } from '../../common/clock';
import { VirtualAir } from '../../simulator/src/air';
import { VirtualLoraTransport } from '../../simulator/src/virtual-lora-transport';
import { describeTransport, type TransportHarness } from './transport-contract';

describeTransport('virtual LoRa air (simulator)', async (): Promise<TransportHarness> => {
  const clock = new VirtualClock();
  const air = new VirtualAir({ clock, seed: 11 });
  const received: Uint8Array[] = [];
  const pendant = air.addLoraRadio({ id: 'pendant', position: { x: 30, y: 0 }, onPacket: (b) => void received.push(b.slice()) });
  const transport = new VirtualLoraTransport({ id: 'lora-v', air, position: { x: 0, y: 0 } });
  return {
    transport,
    transmit: async (frame) => {
      pendant.transmit(frame);
      await clock.advanceAsync(400);
    },
    transmitForeign: async () => {
      const foreign = Uint8Array.from([0x40, 1, 2, 3]); // another LoRa network's short packet
      pendant.transmit(foreign);
      await clock.advanceAsync(400);
      return foreign;
    },
    received: () => received,
    quiesce: () => clock.advanceAsync(500), // longer than a downlink's time on air
    drive: async (p) => {
      let done = false;
      const settled = p.finally(() => (done = true));
      while (!done) await clock.advanceAsync(50);
      return settled;
    },
    close: async () => {
      pendant.remove();
      air.stop();
    },
  };
});

/**
 * The simulator's in-memory transport (the fleet's, and the rig's recorder for bridge tests) keeps the
 * radio transport contract every real radio keeps.
 */
import { MemoryTransport } from '../../simulator/src/memory-transport';
import { describeTransport, type TransportHarness } from '../gateway/transport-contract';

describeTransport('in memory (simulator)', async (): Promise<TransportHarness> => {
  const transport = new MemoryTransport('mem0');
  const received: Uint8Array[] = [];
  transport.onDownlink = (_address, payload) => void received.push(payload.slice());
  let now = 1_700_000_000_000;
  return {
    transport,
    transmit: async (frame) => transport.hear(frame, 'c0:ff:ee:00:00:01', -60, (now += 100)),
    transmitForeign: async () => {
      const foreign = new Uint8Array(23).fill(2);
      transport.hear(foreign, 'c0:ff:ee:00:00:02', -70, (now += 100));
      return foreign;
    },
    received: () => received,
    quiesce: async () => undefined,
    drive: (p) => p,
    close: async () => undefined,
  };
});

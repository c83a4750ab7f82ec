/**
 * A TCP relay between the transmitter and the test receiver that damages chosen frames on the way,
 * like a noisy line: one character of the frame body changes, so the CRC no longer matches.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

export class CorruptingProxy {
  /** Frames still to damage, per direction. */
  corruptToReceiver = 0;
  corruptToTransmitter = 0;
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {}

  async start(): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('data', (b) => upstream.write(this.pass(b, 'toReceiver')));
      upstream.on('data', (b) => client.write(this.pass(b, 'toTransmitter')));
    });
    this.server = server;
    this.port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private pass(chunk: Buffer, dir: 'toReceiver' | 'toTransmitter'): Buffer {
    const left = dir === 'toReceiver' ? this.corruptToReceiver : this.corruptToTransmitter;
    const cr = chunk.indexOf(0x0d);
    if (left <= 0 || cr < 12) return chunk;
    if (dir === 'toReceiver') this.corruptToReceiver--;
    else this.corruptToTransmitter--;
    const out = Buffer.from(chunk);
    const i = cr - 2; // inside the body, before <CR>
    out[i] = out[i] === 0x31 ? 0x32 : 0x31;
    return out;
  }
}

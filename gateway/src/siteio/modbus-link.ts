/**
 * The connection to one Modbus I/O module, over TCP (Modbus/TCP) or a serial line (RTU), with
 * modbus-serial loaded only when a module is configured. One request at a time: RTU is a shared
 * half-duplex bus, and most small TCP modules serve one transaction at a time as well.
 */
import { EventEmitter } from 'node:events';

export type ModbusEndpoint =
  | { tcp: { host: string; port: number } }
  | { rtu: { path: string; baudRate: number; parity: 'none' | 'even' | 'odd'; dataBits: 7 | 8; stopBits: 1 | 2 } };

export interface ModbusLink extends EventEmitter<{ close: [] }> {
  open(): Promise<void>;
  readDiscreteInputs(address: number, count: number): Promise<boolean[]>;
  writeCoil(address: number, on: boolean): Promise<void>;
  close(): Promise<void>;
}

type Client = import('modbus-serial').default;

export class ModbusSerialLink extends EventEmitter<{ close: [] }> implements ModbusLink {
  private client: Client | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly endpoint: ModbusEndpoint,
    private readonly unitId: number,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  async open(): Promise<void> {
    const ModbusRTU = require('modbus-serial') as typeof import('modbus-serial').default;
    const client = new ModbusRTU();
    const e = this.endpoint;
    if ('tcp' in e) await client.connectTCP(e.tcp.host, { port: e.tcp.port });
    else await client.connectRTUBuffered(e.rtu.path, { baudRate: e.rtu.baudRate, parity: e.rtu.parity, dataBits: e.rtu.dataBits, stopBits: e.rtu.stopBits });
    client.setID(this.unitId);
    client.setTimeout(this.timeoutMs);
    // Requests still waiting on the previous connection must not hold up this one.
    this.chain = Promise.resolve();
    client.on('close', () => {
      if (this.client === client) {
        this.client = undefined;
        this.emit('close');
      }
    });
    this.client = client;
  }

  readDiscreteInputs(address: number, count: number): Promise<boolean[]> {
    return this.exclusive(async (c) => (await c.readDiscreteInputs(address, count)).data.slice(0, count));
  }

  writeCoil(address: number, on: boolean): Promise<void> {
    return this.exclusive(async (c) => void (await c.writeCoil(address, on)));
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c?.isOpen) await new Promise<void>((resolve) => c.close(() => resolve()));
  }

  private exclusive<T>(job: (c: Client) => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      const c = this.client;
      if (!c?.isOpen) throw new Error('Modbus link is not open');
      return job(c);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/**
 * One machine running everything on embedded defaults: the gateway's Aedes broker, the gateway
 * (its radio being the simulator's virtual air), and the centre with SQLite — each talking to the
 * others over real MQTT/TCP and HTTP, exactly as on separate machines. Used by `make demo` and the
 * end-to-end tests. The only place that knows all components.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../common/clock';
import { createLogger, type Logger } from '../common/log';
import { hashPassword } from '../common/passwords';
import { Centre } from '../centre/src/centre';
import { Gateway } from '../gateway/src/gateway';
import type { RadioTransport } from '../gateway/src/transport/types';
import type { Point, VirtualAir } from '../simulator/src/air';
import { VirtualBleTransport } from '../simulator/src/virtual-transport';

export interface SingleBoxOptions {
  dataDir: string;
  siteId: string;
  gatewayId?: string;
  httpHost?: string;
  httpPort: number;
  mqttPort: number;
  /** The virtual air the first gateway's BLE transport listens on, unless `transport` is given. */
  air?: VirtualAir;
  /** A radio transport for the first gateway instead of the virtual air (fleet load). */
  transport?: RadioTransport;
  gatewayPosition?: Point;
  /** More gateways on the same site and air, each a client of the first one's broker (scenarios). */
  extraGateways?: { gatewayId: string; position: Point }[];
  clock?: Clock;
  log?: Logger;
}

export interface SingleBox {
  centre: Centre;
  gateway: Gateway;
  /** The first gateway, then the extra ones. */
  gateways: Gateway[];
  mqttPort: number;
  stop(): Promise<void>;
}

export async function startSingleBox(opts: SingleBoxOptions): Promise<SingleBox> {
  const log = opts.log ?? createLogger('vigil');
  const gatewayId = opts.gatewayId ?? 'gw-1';
  mkdirSync(opts.dataDir, { recursive: true });
  const gwPassword = randomBytes(16).toString('hex');
  const centrePassword = randomBytes(16).toString('hex');
  const extras = (opts.extraGateways ?? []).map((g) => ({ ...g, password: randomBytes(16).toString('hex') }));
  const air = opts.air;
  if (!opts.transport && !air) throw new Error('startSingleBox: give the virtual air or a transport');
  if (opts.extraGateways?.length && !air) throw new Error('startSingleBox: extra gateways listen on the virtual air');
  const transport = opts.transport ?? new VirtualBleTransport({ id: 'ble0', air: air!, position: opts.gatewayPosition ?? { x: 0, y: 0 } });
  const gateway = new Gateway(
    {
      siteId: opts.siteId,
      gatewayId,
      dataDir: join(opts.dataDir, 'gateway'),
      mqtt: { url: 'embedded', username: gatewayId, password: gwPassword },
      broker: {
        tcp: { host: '127.0.0.1', port: opts.mqttPort },
        users: [
          { username: gatewayId, passwordHash: hashPassword(gwPassword), role: 'gateway', siteId: opts.siteId, gatewayId },
          { username: 'centre', passwordHash: hashPassword(centrePassword), role: 'centre' },
          ...extras.map((g) => ({ username: g.gatewayId, passwordHash: hashPassword(g.password), role: 'gateway' as const, siteId: opts.siteId, gatewayId: g.gatewayId })),
        ],
      },
      heartbeatS: 30,
      transports: [],
    },
    { transports: [transport], log: log.child('gateway'), ...(opts.clock ? { clock: opts.clock } : {}) },
  );
  // The broker starts inside the gateway; with port 0 the OS picks one, which the centre then uses.
  await gateway.start().catch(async (e: unknown) => {
    await gateway.stop().catch(() => undefined);
    throw e;
  });
  const mqttPort = gateway.broker!.ports.tcp!;
  const gateways = [gateway];
  for (const g of extras) {
    // Scanner ids on the air are unique per transport id.
    const extra = new Gateway(
      { siteId: opts.siteId, gatewayId: g.gatewayId, dataDir: join(opts.dataDir, g.gatewayId), mqtt: { url: `mqtt://127.0.0.1:${mqttPort}`, username: g.gatewayId, password: g.password }, heartbeatS: 30, transports: [] },
      { transports: [new VirtualBleTransport({ id: `ble-${g.gatewayId}`, air: air!, position: g.position })], log: log.child(g.gatewayId), ...(opts.clock ? { clock: opts.clock } : {}) },
    );
    gateways.push(extra);
    try {
      await extra.start();
    } catch (e) {
      for (const started of [...gateways].reverse()) await started.stop().catch(() => undefined);
      throw e;
    }
  }
  const centre = new Centre(
    {
      dataDir: join(opts.dataDir, 'centre'),
      mqtt: { url: `mqtt://127.0.0.1:${mqttPort}`, clientId: 'vigil-centre', username: 'centre', password: centrePassword },
      http: { host: opts.httpHost ?? '127.0.0.1', port: opts.httpPort },
    },
    { log: log.child('centre'), ...(opts.clock ? { clock: opts.clock } : {}) },
  );
  try {
    await centre.start();
  } catch (e) {
    for (const g of [...gateways].reverse()) await g.stop().catch(() => undefined);
    throw e;
  }
  return {
    centre,
    gateway,
    gateways,
    mqttPort,
    stop: async () => {
      await centre.stop();
      for (const g of [...gateways].reverse()) await g.stop();
    },
  };
}

/** Gateway configuration: defaults, and every error reported at once by path. */
import { ConfigError } from '../../common/schema';
import { validateGatewayConfig } from '../../gateway/src/config';

const minimal = { siteId: 's1', gatewayId: 'gw-1', dataDir: '/var/lib/vigil/gateway', mqtt: { url: 'mqtts://centre.example:8883' } };

function errorsOf(raw: unknown): string[] {
  try {
    validateGatewayConfig(raw, 'gateway.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.errors;
    throw e;
  }
  return [];
}

describe('gateway config', () => {
  it('fills defaults for a minimal file', () => {
    expect(validateGatewayConfig(structuredClone(minimal), 'x')).toMatchObject({ heartbeatS: 30, transports: [], siteIo: [] });
  });

  it('fills Modbus defaults', () => {
    const c = validateGatewayConfig({ ...structuredClone(minimal), siteIo: [{ id: 'io-1', rtu: { path: '/dev/ttyUSB1' }, inputs: [{ id: 'panic', discreteInput: 0 }] }] }, 'x');
    expect(c.siteIo![0]).toMatchObject({ unitId: 1, pollMs: 200, timeoutMs: 1000, rtu: { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 }, outputs: [], inputs: [{ debounceMs: 100 }] });
  });

  it('reports every schema error by path at once', () => {
    const errors = errorsOf({
      ...minimal,
      transports: [{ type: 'lora', id: 'lora0', path: '/dev/ttyUSB0', modem: 'sx1276', spreadingFactor: 13 }],
      siteIo: [{ id: 'io 1', tcp: { host: 'io.local' }, outputs: [{ id: 'siren', coil: 0, when: ['sos', 'earthquake'] }] }],
      metrics: { port: 70000 },
      forward: { window: 0 },
    });
    expect(errors).toEqual(expect.arrayContaining([
      'transports.0.modem: must be one of "rn2483", "rak3172"',
      'transports.0.spreadingFactor: must be <= 12',
      'siteIo.0.id: must match pattern "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"',
      'metrics.port: must be <= 65535',
      'forward.window: must be >= 1',
    ]));
    expect(errors.some((e) => e.startsWith('siteIo.0.outputs.0.when'))).toBe(true);
  });

  it('reports cross-field problems: duplicate ids and ports, missing files, embedded without TCP', () => {
    const errors = errorsOf({
      ...minimal,
      mqtt: { url: 'embedded', caFile: '/nonexistent/ca.pem' },
      broker: { ws: { port: 9001 }, users: [], tls: { port: 8883, certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' } },
      transports: [{ type: 'lora', id: 'radio', path: '/dev/ttyUSB0', modem: 'rn2483' }, { type: 'lora', id: 'lora1', path: '/dev/ttyUSB0', modem: 'rak3172' }],
      siteIo: [
        { id: 'radio', tcp: { host: 'io.local' }, outputs: [{ id: 'siren', coil: 0, when: 'any' }, { id: 'strobe', coil: 0, when: 'any' }] },
        { id: 'io-2', tcp: { host: 'a' }, rtu: { path: '/dev/ttyS0' } },
      ],
    });
    expect(errors).toEqual(expect.arrayContaining([
      "siteIo.0.id: id 'radio' is already used at transports.0.id",
      "siteIo.0.outputs.1.coil: coil 'radio/0' is already used at siteIo.0.outputs.0.coil",
      'siteIo.1: has neither outputs nor inputs',
      'siteIo.1: needs exactly one of tcp (Modbus/TCP) or rtu (serial)',
      'transports.1.path: /dev/ttyUSB0 is already used by transports.0',
      "mqtt.url: 'embedded' needs broker.tcp (the gateway connects to its own broker over TCP)",
      'mqtt.caFile: cannot read /nonexistent/ca.pem',
      'broker.tls.certFile: cannot read /nonexistent/cert.pem',
      'broker.tls.keyFile: cannot read /nonexistent/key.pem',
    ]));
  });
});

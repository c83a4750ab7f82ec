import { ConfigError } from '../../common/schema';
import { validateArcConfig } from '../../arc/src/config';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately malformed configuration
type Loose = Record<string, any>;

const good = {
  dataDir: '/tmp/x',
  mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'arc', password: 'p' },
  arcs: [{ id: 'arc-1', format: 'SIA-DCS', paths: [{ name: 'primary', host: 'arc.example.net', port: 5001 }], accounts: { transmitter: '0001' } }],
};

function errors(value: unknown): string[] {
  try {
    validateArcConfig(value, 'arc.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.errors;
    throw e;
  }
  return [];
}

describe('ARC configuration', () => {
  it('fills defaults', () => {
    const c = validateArcConfig(structuredClone(good), 'arc.yaml');
    expect(c.mqtt.clientId).toBe('vigil-arc');
    expect(c.arcs[0]).toMatchObject({ keyFormat: 'hex', timing: { ackTimeoutMs: 5000, connectTimeoutMs: 5000, attemptsPerPath: 2, retryInitialMs: 2000, retryMaxMs: 30000, nullIntervalS: 60, testIntervalH: 0 }, extendedData: { position: true, text: true }, codes: {} });
    expect(c.arcs[0]!.paths[0]).toMatchObject({ transport: 'tcp', line: '0' });
    expect(c.arcs[0]!.accounts).toMatchObject({ unmapped: 'reject', sites: {}, workers: {} });
  });

  it('reports every problem by path, at once', () => {
    const bad = structuredClone(good) as Loose;
    bad['mqtt'].url = 'http://nope';
    bad['arcs'][0].format = 'CID';
    bad['arcs'][0].key = 'abcd';
    bad['arcs'][0].paths.push({ name: 'primary', host: 'b', port: 70000, transport: 'sctp' });
    bad['arcs'][0].accounts.transmitter = '12';
    bad['arcs'][0].accounts.sites = { 'site-a': { account: 'xyz' } };
    bad['arcs'][0].codes = { sos: { sia: 'P' }, tsunami: {} };
    bad['arcs'][0].colour = 'blue';
    const e = errors(bad);
    expect(e).toEqual(expect.arrayContaining([
      'mqtt.url: must match exactly one schema in oneOf',
      'arcs.0.format: must be one of "SIA-DCS", "ADM-CID"',
      'arcs.0.paths.1.port: must be <= 65535',
      'arcs.0.paths.1.transport: must be one of "tcp", "udp"',
      'arcs.0.accounts.transmitter: must match pattern "^[0-9A-F]{3,16}$"',
      'arcs.0.accounts.sites.site-a.account: must match pattern "^[0-9A-F]{3,16}$"',
      'arcs.0.codes.sos.sia: must match pattern "^[A-Z]{2}$"',
      'arcs.0.codes.tsunami: is not a known setting',
      'arcs.0.colour: is not a known setting',
    ]));
  });

  it('checks keys and unique names after the schema', () => {
    const bad = structuredClone(good) as Loose;
    bad['arcs'][0].key = 'abcd';
    bad['arcs'][0].paths.push({ name: 'primary', host: 'b', port: 5002 });
    bad['arcs'].push({ ...structuredClone(good.arcs[0]), key: 'sixteen-chars!!', keyFormat: 'text' });
    expect(errors(bad)).toEqual([
      'arcs.0.key: must be 32, 48 or 64 hex digits (AES-128/192/256)',
      "arcs.0.paths.1.name: 'primary' is used by another path",
      "arcs.1.id: 'arc-1' is used by another link",
      'arcs.1.key: must be 16, 24 or 32 characters (AES-128/192/256)',
    ]);
  });
});

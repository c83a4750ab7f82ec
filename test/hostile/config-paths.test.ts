/**
 * Found by `make fuzz` (config surface): a configuration or registry key that is empty, or holds a
 * dot or a colon, was reported without a usable path (`: is not a known setting`). Odd keys are now
 * quoted, so every error still says where.
 */
import { ConfigError } from '../../common/schema';
import { validateArcConfig } from '../../arc/src/config';
import { importRegistry } from '../../centre/src/registry/import';
import { SqliteStore } from '../../centre/src/store/sqlite';
import { VirtualClock } from '../../common/clock';

const good = { dataDir: '/tmp/x', mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'arc', password: 'p' }, arcs: [{ id: 'arc-1', format: 'SIA-DCS', paths: [{ name: 'primary', host: 'arc.example.net', port: 5001 }], accounts: { transmitter: '0001' } }] };

function errors(value: unknown): string[] {
  try {
    validateArcConfig(value, 'arc.yaml');
    return [];
  } catch (e) {
    return (e as ConfigError).errors;
  }
}

it('odd keys in a config are quoted in the error path', () => {
  expect(errors({ ...structuredClone(good), '': 1, 'a.b': 2, 'x: y': 3 })).toEqual(['"": is not a known setting', '"a.b": is not a known setting', '"x: y": is not a known setting']);
  const nested = structuredClone(good) as Record<string, unknown>;
  (nested['mqtt'] as Record<string, unknown>)['a/b'] = 1;
  expect(errors(nested)).toEqual(['mqtt."a/b": is not a known setting']);
});

it('an odd section name in a registry file is quoted too', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const r = await importRegistry({ '': [], sites: [{ id: 'n', name: 'N', ':': 1 }] }, { store, clock: new VirtualClock() });
  expect(r).toEqual({ ok: false, errors: ['"": is not a known section', 'sites[0].":": is not a known setting'] });
  await store.close();
});

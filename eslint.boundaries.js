// The house's arrows (docs/architecture.md, "Parts and who may import whom") as lint rules: an import
// across a wall fails `make lint`, and so does an import cycle. Kept apart from eslint.config.js so that
// test/lint/boundaries.test.ts can run exactly these rules on sample imports.
const { createNodeResolver, importX } = require('eslint-plugin-import-x');

const OURS = ['protocol', 'common', 'firmware', 'gateway', 'centre', 'arc', 'simulator', 'cli', 'rig', 'test', 'bench'];
/** Every room of ours except those listed, as `from` paths of a zone. */
const allBut = (...allowed) => OURS.filter((r) => !allowed.includes(r)).map((r) => `./${r}`);

/** Rooms of centre/src/, as zone paths. */
const centreRooms = (...rooms) => rooms.map((r) => `./centre/src/${r}`);

/** target may import nothing of `from` (paths from the repository root; `except` is relative to `from`). */
const ZONES = [
  {
    target: './protocol', from: allBut('protocol'),
    message: 'protocol/ imports nothing of ours (codec, schemas, topics: no I/O, runs everywhere)',
  },
  {
    target: './common', from: allBut('common', 'protocol'),
    message: 'common/ imports nothing of ours but the protocol\'s schema checker',
  },
  { target: './common', from: './protocol', except: ['./src/schema.ts'], message: 'common/ imports only protocol/src/schema.ts' },
  {
    target: './gateway', from: allBut('gateway', 'protocol', 'common'),
    message: 'the site imports only protocol/ and common/: it meets the centre over MQTT, never by import',
  },
  {
    target: './centre', from: allBut('centre', 'protocol', 'common'),
    message: 'the centre imports only protocol/ and common/: it meets the site and the ARC output over MQTT, never by import',
  },
  {
    target: './arc', from: allBut('arc', 'protocol', 'common'),
    message: 'the ARC output is its own process: it imports only protocol/ and common/',
  },
  {
    target: './simulator', from: allBut('simulator', 'protocol', 'common', 'firmware', 'gateway'),
    message: 'the simulator imports protocol/, common/ and the firmware build; production code is never its import',
  },
  {
    target: './simulator', from: './gateway', except: ['./src/transport/types.ts'],
    message: 'the simulator drives the gateway through its transport seam (gateway/src/transport/types.ts) only',
  },
  {
    target: './firmware/tools', from: allBut('firmware', 'protocol', 'common'),
    message: 'the firmware build imports only protocol/ and common/',
  },
  // Inside the centre (docs/architecture.md, "The centre's rooms"): the composition root (centre.ts,
  // services.ts) builds the services and the HTTP layer; none of them reaches back into it.
  {
    target: centreRooms('domain', 'registry', 'auth', 'app', 'escalation', 'notify', 'telemetry', 'ops', 'settings', 'store', 'cluster'), from: './centre/src/http',
    message: 'the centre\'s services do not know who calls them: only the composition root starts the HTTP layer',
  },
  {
    target: centreRooms('domain', 'registry', 'auth', 'app', 'escalation', 'notify', 'telemetry', 'ops', 'settings', 'store', 'http'), from: './centre/src/cluster',
    message: 'the cluster is a role the composition root gives a centre: services see it only through Ownership and the hooks of services.ts',
  },
  {
    target: centreRooms('domain', 'registry', 'auth', 'app', 'escalation', 'notify', 'telemetry', 'ops', 'settings', 'store', 'http'),
    from: ['./centre/src/centre.ts', './centre/src/services.ts'],
    message: 'nothing reaches into the centre\'s composition root (centre.ts, services.ts): it hands each part what it needs',
  },
  {
    target: './centre/src/store', from: centreRooms('domain', 'registry', 'auth', 'app', 'escalation', 'telemetry', 'ops', 'cluster', 'http'),
    message: 'the store knows records, not the services that use them',
  },
  {
    target: './centre/src/store', from: './centre/src/settings', except: ['./types.ts'],
    message: 'the store knows the pendant settings\' records (settings/types.ts), not their service',
  },
  { target: './cli', from: ['./rig', './test', './bench'], message: 'the CLI is production code: it never imports rigs, tests or benchmarks' },
  { target: './rig', from: ['./test', './bench'], message: 'rig/ is what tests and benchmarks share: it imports neither' },
  { target: './bench', from: './test', message: 'benchmarks use rig/, never test code' },
  ...['centre', 'gateway', 'arc', 'simulator'].map((room) => ({
    target: './bench', from: `./${room}`, except: ['./src/index.ts'],
    message: `benchmarks use ${room}/ only through its public entry point, ${room}/src/index.ts`,
  })),
];

/** The flat-config block: boundaries and cycles for every TypeScript file. */
function boundaries(basePath) {
  return {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      // no-cycle follows only files it can parse: ours are TypeScript.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/external-module-folders': ['node_modules'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath, zones: ZONES }],
      // Type-only imports are erased at run time and do not count as a cycle.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  };
}

module.exports = { boundaries, ZONES };

/**
 * YAML configurations and registry imports: the centre's, the gateway's and the ARC output's config
 * files and `vigil centre import` files, as the YAML parser reads them and the validators check them.
 * Inputs start from valid documents and bend them: values replaced by other types, hostile strings,
 * limits, keys added or removed, then the YAML text itself cut, spliced, nested, aliased (a
 * billion-laughs document), tagged.
 *
 * Invariants: a document is either accepted or refused with a ConfigError (or the import's error list)
 * whose every line names a path; the YAML parser's own refusals are plain errors; nothing else is
 * thrown; an accepted registry leaves the store readable.
 */
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { VirtualClock } from '../../common/clock';
import { ConfigError } from '../../common/schema';
import { validateArcConfig } from '../../arc/src/config';
import { resolveCentreConfig, type CentreConfig } from '../../centre/src/config';
import { importRegistry } from '../../centre/src/registry/import';
import { SqliteStore } from '../../centre/src/store/sqlite';
import { validateGatewayConfig } from '../../gateway/src/config';
import type { Surface } from './engine';
import { hostileString } from './http-requests';

type Kind = 'centre' | 'gateway' | 'arc' | 'registry';

const BASES: Record<Kind, unknown> = {
  centre: {
    dataDir: '/tmp/vigil-fuzz', mqtt: { url: 'mqtt://127.0.0.1:1883', clientId: 'vigil-centre', username: 'centre', password: 'p' }, http: { host: '127.0.0.1', port: 8080 },
    sessions: {}, supervision: { heartbeatIntervalS: 60 }, notifiers: { webhook: { url: 'https://example.org/hook', secret: '0123456789abcdef0123' } }, cluster: { buckets: 64, leaseTtlS: 6, renewS: 2 },
  },
  gateway: {
    siteId: 'north', gatewayId: 'gw-1', dataDir: '/tmp/vigil-fuzz-gw', mqtt: { url: 'embedded' },
    broker: { tcp: { host: '127.0.0.1', port: 1883 }, users: [{ username: 'gw-1', passwordHash: 'scrypt$16384$8$1$00$00', role: 'gateway', siteId: 'north', gatewayId: 'gw-1' }] },
    transports: [{ type: 'ble', id: 'ble0' }, { type: 'lora', id: 'lora0', path: '/dev/null', modem: 'rak3172' }], metrics: { port: 9108 },
  },
  arc: { dataDir: '/tmp/x', mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'arc', password: 'p' }, arcs: [{ id: 'arc-1', format: 'SIA-DCS', paths: [{ name: 'primary', host: 'arc.example.net', port: 5001 }], accounts: { transmitter: '0001' } }] },
  registry: {
    sites: [{ id: 'north', name: 'North depot', ladderId: 'day' }],
    contacts: [{ id: 'ann', name: 'Ann', phone: '+33 6 00 00 00 01', siteId: 'north' }],
    ladders: [{ id: 'day', name: 'Day', steps: [{ contactId: '@worker', channel: 'sms', timeoutS: 60 }, { contactId: 'ann', channel: 'sms' }] }],
    workers: [{ id: 'w1', name: 'Wendy', phone: '+44 7700 900123', siteId: 'north' }],
    zones: [{ id: 'boiler', siteId: 'north', name: 'Boiler room', floor: '-1' }],
    beacons: [{ id: '65543', siteId: 'north', zoneId: 'boiler' }],
    inputs: [{ siteId: 'north', gatewayId: 'gw-1', inputId: 'in1', name: 'Desk button', zoneId: 'boiler' }],
  },
};

const DICT = ['north', 'w1', 'ann', 'day', 'boiler', '@worker', 'sms', 'email', 'gateway', 'centre', 'embedded', 'mqtt://x', 'https://x', '/dev/ttyUSB0', '0', '-1', '9'.repeat(400)];
const value = fc.oneof(hostileString(DICT), fc.integer(), fc.constantFrom(0, -1, 1e308, -0, 65536, 2 ** 53), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));

type Edit = { path: number[]; op: 'set' | 'delete' | 'add'; value: unknown; key: string };

export interface ConfigInput {
  kind: Kind;
  edits: Edit[];
  /** Text edits after the document is written: [position fraction, delete count, insert]. */
  text: [number, number, string][];
  wrap: 'none' | 'deep' | 'aliases' | 'tags';
}

const SNIPPETS = ['&a [*a]', '*a', '!!binary x', '!!js/function "f(){}"', '<<: *x', ': :', '- - -', '{', ']', '"\\u0000"', '? [a]', '%YAML 9.9\n---\n', '\t', '...\n---\n', 'x: &b [*b, *b]'];

const arbitrary: fc.Arbitrary<ConfigInput> = fc.record({
  kind: fc.constantFrom<Kind>('centre', 'gateway', 'arc', 'registry'),
  edits: fc.array(fc.record({ path: fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }), op: fc.constantFrom<Edit['op']>('set', 'set', 'delete', 'add'), value, key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'x', 'port'), fc.string({ maxLength: 8 })) }), { maxLength: 4 }),
  text: fc.oneof({ weight: 6, arbitrary: fc.constant<[number, number, string][]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(8), fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 6 }))), { minLength: 1, maxLength: 3 }) }),
  wrap: fc.oneof({ weight: 30, arbitrary: fc.constant<ConfigInput['wrap']>('none') }, { weight: 1, arbitrary: fc.constantFrom<ConfigInput['wrap']>('deep', 'aliases', 'tags') }),
});

/** Applies an edit at the path (indexes pick among the keys of each level). */
function edit(doc: unknown, e: Edit): unknown {
  let node = doc as Record<string, unknown>;
  for (let i = 0; i < e.path.length; i++) {
    if (!node || typeof node !== 'object') return doc;
    const keys = Object.keys(node);
    if (keys.length === 0) return doc;
    const k = keys[e.path[i]! % keys.length]!;
    if (i === e.path.length - 1) {
      if (e.op === 'delete') delete node[k];
      else if (e.op === 'set') node[k] = e.value;
      else if (!(Array.isArray(node) && e.key === 'length')) Object.defineProperty(node, e.key, { value: e.value, enumerable: true, configurable: true, writable: true });
      return doc;
    }
    node = node[k] as Record<string, unknown>;
  }
  return doc;
}

function edited(input: ConfigInput): unknown {
  let doc: unknown = structuredClone(BASES[input.kind]);
  for (const e of input.edits) doc = edit(doc, e);
  return doc;
}

export function yamlText(input: ConfigInput): string {
  let text = stringify(edited(input));
  for (const [at, del, ins] of input.text) {
    const i = Math.floor(at * (text.length + 1));
    text = text.slice(0, i) + ins + text.slice(i + del);
  }
  switch (input.wrap) {
    case 'deep':
      return '['.repeat(5000) + ']'.repeat(5000) + '\n';
    case 'aliases':
      return ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), text].join('\n');
    case 'tags':
      return `x: !!binary ${'A'.repeat(100)}\ny: !!set {a, b}\nz: !!timestamp 2001-12-14\n${text}`;
    case 'none':
      return text;
  }
}

export interface ConfigCtx {
  store: SqliteStore;
  clock: VirtualClock;
  outcomes: Record<string, number>;
}

/** `(root): …` or `a.b[2]."odd key".c: …` — plain or JSON-quoted segments, list indexes. */
const SEGMENT = String.raw`(?:[\w$@-]+|"(?:[^"\\]|\\.)*")(?:\[\d+\])*`;
const PATH_LINE = new RegExp(String.raw`^(?:\(root\)|${SEGMENT}(?:\.${SEGMENT})*): \S`);

function judge(ctx: ConfigCtx, kind: Kind, outcome: string, errors?: string[]): void {
  ctx.outcomes[`${kind}_${outcome}`] = (ctx.outcomes[`${kind}_${outcome}`] ?? 0) + 1;
  for (const e of errors ?? []) if (!PATH_LINE.test(e)) throw new Error(`a ${kind} error names no path: ${JSON.stringify(e)}`);
}

async function run(ctx: ConfigCtx, input: ConfigInput): Promise<void> {
  let doc: unknown;
  // Without text edits the document is the edited object itself (YAML would write and read it back).
  if (input.text.length === 0 && input.wrap === 'none') doc = edited(input);
  else try {
    // As readConfigFile parses (yaml's defaults: at most 100 alias expansions); whatever it refuses
    // becomes one plain "Cannot read <file>" error there.
    doc = parse(yamlText(input));
  } catch {
    judge(ctx, input.kind, 'yaml_refused');
    return;
  }
  try {
    switch (input.kind) {
      case 'centre':
        resolveCentreConfig(doc as CentreConfig, 'centre.yaml');
        break;
      case 'gateway':
        validateGatewayConfig(doc, 'gateway.yaml');
        break;
      case 'arc':
        validateArcConfig(doc, 'arc.yaml');
        break;
      case 'registry': {
        const r = await importRegistry(doc, { store: ctx.store, clock: ctx.clock, actor: 'fuzz' });
        if (!r.ok) return judge(ctx, input.kind, 'refused', r.errors);
        await ctx.store.listWorkers();
        break;
      }
    }
    judge(ctx, input.kind, 'accepted');
  } catch (e) {
    if (e instanceof ConfigError) return judge(ctx, input.kind, 'refused', e.errors);
    throw new Error(`${input.kind} config threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

export const configSurface: Surface<ConfigInput, ConfigCtx> = {
  name: 'config',
  what: 'YAML centre/gateway/ARC configs and registry imports: values bent, keys added and removed, text spliced, deep, aliased, tagged',
  arbitrary,
  async setup() {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    return { store, clock: new VirtualClock(), outcomes: {} };
  },
  run,
  stats: (ctx) => ctx.outcomes,
  async teardown(ctx) {
    await ctx.store.close();
  },
  smokeRuns: 500,
};

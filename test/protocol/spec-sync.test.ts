/**
 * SPEC.md and protocol/schemas/ are generated from the code's tables (`npx vigil frame spec --write`):
 * these tests fail when they drift, and when code cites a SPEC clause that SPEC.md does not define.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv from 'ajv';
import { exportedSchemas, fillSpec, parsePayload, PAYLOAD_SCHEMAS, type PayloadTypes } from '../../protocol/src';

const ROOT = join(__dirname, '..', '..');
const SPEC = readFileSync(join(ROOT, 'protocol', 'SPEC.md'), 'utf8');
const FIX = 'run `npx vigil frame spec --write` and commit the result';

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', '.git', 'var', 'coverage'].includes(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|js)$/.test(name)) out.push(p);
  }
  return out;
}

describe('protocol/SPEC.md', () => {
  it(`has every generated table exactly as the code produces it (else: ${FIX})`, () => {
    const filled = fillSpec(SPEC);
    expect({ missing: filled.missing, unknown: filled.unknown }).toEqual({ missing: [], unknown: [] });
    expect(filled.text).toBe(SPEC);
  });

  const defined = new Set([...SPEC.matchAll(/^(?:## |- )?§(\d+(?:\.\d+)*)/gm)].map((m) => m[1]!));

  it('defines every clause it refers to', () => {
    const cited = [...SPEC.matchAll(/§(\d+(?:\.\d+)*)/g)].map((m) => m[1]!);
    expect(cited.filter((c) => !defined.has(c))).toEqual([]);
  });

  it('defines every clause the code cites', () => {
    const own = /^(protocol|firmware\/src\/lib|cli\/(frame|device)\.ts|test\/protocol|test\/firmware)/;
    const bad: string[] = [];
    for (const f of files(ROOT)) {
      const rel = relative(ROOT, f);
      const text = readFileSync(f, 'utf8');
      // Our own files cite bare clauses; everyone else writes "SPEC §n" or "SPEC.md §n".
      const re = own.test(rel) ? /§(\d+(?:\.\d+)*)/g : /SPEC(?:\.md)? §(\d+(?:\.\d+)*)/g;
      for (const m of text.matchAll(re)) if (!defined.has(m[1]!)) bad.push(`${rel} cites §${m[1]}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('protocol/schemas/*.schema.json', () => {
  const dir = join(ROOT, 'protocol', 'schemas');
  const expected = exportedSchemas();

  it(`are the payload schemas of the code, one file each (else: ${FIX})`, () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected)) expect({ name, text: readFileSync(join(dir, name), 'utf8') }).toEqual({ name, text });
  });

  it('compile on their own (draft-07, strict) and judge payloads as the code does', () => {
    const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
    const samples: { [K in keyof PayloadTypes]?: unknown[] } = {
      downlink: [
        { v: 1, deviceId: '00c0ffee', counter: 103, command: 'received', param: 0 },
        { v: 1, deviceId: '00C0FFEE', counter: 103, command: 'received', param: 0 },
        { v: 1, deviceId: '00c0ffee', counter: -1, command: 'received', param: 0 },
        { v: 1, deviceId: '00c0ffee', counter: 1, command: 'reboot', param: 0 },
      ],
      uplink: [
        { v: 1, siteId: 's1', gatewayId: 'gw-1', transport: 'ble', rssiDbm: -70, snrDb: null, receivedAt: 1, frame: '10'.repeat(24), decoded: { deviceId: '00c0ffee', counter: 1, type: 'sos', batteryPct: 80, position: null } },
        { v: 1, siteId: 's1', gatewayId: 'gw-1', transport: 'ble', rssiDbm: -70, snrDb: null, receivedAt: 1, frame: '10'.repeat(23), decoded: { deviceId: '00c0ffee', counter: 1, type: 'sos', batteryPct: 80, position: null } },
        { v: 2, siteId: 's1', gatewayId: 'gw-1', transport: 'ble', rssiDbm: -70, snrDb: null, receivedAt: 1, frame: '10'.repeat(24), decoded: { deviceId: '00c0ffee', counter: 1, type: 'sos', batteryPct: 80, position: null }, extra: 1 },
      ],
      gatewayStatus: [{ v: 1, siteId: 's1', gatewayId: 'gw-1', online: false, at: 5 }, { v: 1, siteId: 's/1', gatewayId: 'gw-1', online: false, at: 5 }],
      keyring: [{ v: 1, siteId: 's1', at: 1, devices: [{ deviceId: '00c0ffee', key: '00'.repeat(16), lastCounter: 7 }] }, { v: 1, siteId: 's1', at: 1, devices: [{ deviceId: '00c0ffee', key: '00' }] }],
    };
    for (const name of Object.keys(PAYLOAD_SCHEMAS) as (keyof PayloadTypes)[]) {
      const validate = ajv.compile(JSON.parse(expected[`${name}.schema.json`]!) as object);
      for (const sample of samples[name] ?? []) {
        expect({ name, sample, valid: validate(structuredClone(sample)) }).toEqual({ name, sample, valid: parsePayload(name, JSON.stringify(sample)).ok });
      }
    }
  });
});

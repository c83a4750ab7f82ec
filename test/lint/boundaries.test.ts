/**
 * The house's arrows (eslint.boundaries.js, docs/architecture.md) run as ESLint runs them in
 * `make lint`: each row imports from one room into another and says whether lint lets it through.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = resolve(__dirname, '..', '..');
const { boundaries } = require('../../eslint.boundaries.js') as { boundaries: (basePath: string) => object };

/** Lint with the boundary rules alone; `cycles: false` leaves out the whole-graph walk (the rows need only the zones). */
function linter(basePath: string, cycles = true): ESLint {
  return new ESLint({
    cwd: basePath,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      boundaries(basePath),
      ...(cycles ? [] : [{ files: ['**/*.ts'], rules: { 'import-x/no-cycle': 'off' as const } }]),
    ],
  });
}

async function problems(eslint: ESLint, file: string, text: string): Promise<string[]> {
  const [r] = await eslint.lintText(text, { filePath: file });
  return (r?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

// [the importing file, what it imports, allowed]
const ARROWS: [string, string, boolean][] = [
  ['protocol/src/x.ts', './layout', true],
  ['protocol/src/x.ts', '../../common/log', false],
  ['protocol/src/x.ts', '../../gateway/src/keyring', false],
  ['common/x.ts', '../protocol/src/schema', true],
  ['common/x.ts', '../protocol/src/topics', false],
  ['gateway/src/x.ts', '../../protocol/src', true],
  ['gateway/src/x.ts', '../../common/log', true],
  ['gateway/src/x.ts', '../../centre/src/config', false],
  ['centre/src/x.ts', '../../gateway/src/keyring', false],
  ['centre/src/x.ts', '../../arc/src', false],
  ['centre/src/x.ts', '../../simulator/src/air', false],
  ['centre/src/x.ts', '../../rig/wait', false],
  ['centre/src/x.ts', '../../test/helpers/http', false],
  ['centre/src/domain/x.ts', '../http/errors', false],
  ['centre/src/domain/x.ts', '../cluster/leases', false],
  ['centre/src/escalation/x.ts', '../services', false],
  ['centre/src/store/x.ts', '../domain/alarms', false],
  ['centre/src/store/x.ts', './types', true],
  ['centre/src/http/x.ts', '../domain/alarms', true],
  ['centre/src/cluster/x.ts', '../domain/ownership', true],
  ['centre/src/x.ts', './http/server', true],
  ['arc/src/x.ts', '../../centre/src/config', false],
  ['arc/src/x.ts', '../../protocol/src', true],
  ['simulator/src/x.ts', '../../gateway/src/transport/types', true],
  ['simulator/src/x.ts', '../../gateway/src/bridge', false],
  ['simulator/src/x.ts', '../../centre/src/config', false],
  ['firmware/tools/x.ts', '../../simulator/src/air', false],
  ['cli/x.ts', '../simulator/src/air', true],
  ['cli/x.ts', '../rig/wait', false],
  ['rig/x.ts', '../gateway/src/gateway', true],
  ['rig/x.ts', '../test/helpers/http', false],
  ['bench/x.ts', '../centre/src', true],
  ['bench/x.ts', '../rig/wait', true],
  ['bench/x.ts', '../centre/src/centre', false],
  ['bench/x.ts', '../simulator/src/fleet/fleet', false],
  ['bench/x.ts', '../test/helpers/http', false],
  ['test/x.ts', '../centre/src/centre', true],
];

describe('boundaries between rooms', () => {
  const eslint = linter(ROOT, false);
  test.each(ARROWS)('%s importing %s: allowed %s', async (file, spec, allowed) => {
    const found = await problems(eslint, join(ROOT, file), `import { x } from '${spec}';\nexport const y = x;\n`);
    if (allowed) expect(found).toEqual([]);
    else expect(found).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: /)]);
  });
});

describe('import cycles', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cycle-'));
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = (): number => b() + 1;\n");
    writeFileSync(join(dir, 'b.ts'), "import { a } from './a';\nexport const b = (): number => a() + 1;\n");
    writeFileSync(join(dir, 'c.ts'), "import type { D } from './d';\nexport interface C { d: D }\n");
    writeFileSync(join(dir, 'd.ts'), "import type { C } from './c';\nexport interface D { c?: C }\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('two modules that import each other fail lint', async () => {
    const eslint = linter(dir);
    const [a] = await eslint.lintFiles([join(dir, 'a.ts')]);
    expect(a?.messages.map((m) => m.ruleId)).toEqual(['import-x/no-cycle']);
  });

  test('type-only imports both ways are no cycle (erased at run time)', async () => {
    const eslint = linter(dir);
    const [c] = await eslint.lintFiles([join(dir, 'c.ts')]);
    expect(c?.messages).toEqual([]);
  });
});

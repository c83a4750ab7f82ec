/**
 * aedes-persistence's own abstract test suite (node:test) run against the SQLite persistence, each
 * instance on a fresh database file. Started by persistence-sqlite.test.ts in a child process:
 *   node --import tsx --test test/gateway/aedes-persistence-suite.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqlitePersistence } from '../../gateway/src/broker/persistence-sqlite';
import { openDb } from '../../gateway/src/store/db';

const abstractSuite = require('aedes-persistence/abstract.js') as (opts: { test: typeof test; persistence: () => unknown; testAsync: boolean }) => void;
const root = mkdtempSync(join(tmpdir(), 'vigil-aedes-suite-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
let n = 0;

abstractSuite({
  test,
  testAsync: true,
  persistence: () => {
    const dir = join(root, String(n++));
    return new SqlitePersistence({ open: () => openDb(dir, 'broker.db') });
  },
});

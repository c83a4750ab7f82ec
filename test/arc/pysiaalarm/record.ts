/**
 * Records pysiaalarm's answers to the messages of cases.ts into test/arc/fixtures/pysiaalarm-answers.json
 * (the evidence the stand-in is tested against). Run where a checkout exists (see peer.ts):
 *
 *   VIGIL_PYSIAALARM=/path/to/pysiaalarm npx tsx test/arc/pysiaalarm/record.ts <commit> <describe>
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPysiaalarm, PYTHON, PysiaalarmReceiver } from './peer';
import { PYSIA_ACCOUNTS, PYSIA_CASES } from './cases';
import { askOnce, caseFrame } from './wire';

async function main(): Promise<void> {
  const [commit, describe] = process.argv.slice(2);
  if (!commit || !describe) throw new Error('usage: record.ts <pysiaalarm commit> <git describe of it>');
  const found = findPysiaalarm();
  if ('missing' in found) throw new Error(found.missing);
  const receiver = await PysiaalarmReceiver.start(found.src, PYSIA_ACCOUNTS);
  const cases = [];
  try {
    for (const c of PYSIA_CASES) {
      const atMs = Date.now();
      const request = caseFrame(c, atMs);
      const answer = await askOnce(receiver.port, request);
      cases.push({ name: c.name, note: c.note, atMs, request, answer });
      console.log(c.name.padEnd(32), JSON.stringify(answer));
    }
  } finally {
    await receiver.stop();
  }
  const version = (pkg: string): string => spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).stdout;
  const python = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const fixture = {
    source: {
      peer: 'pysiaalarm', repository: 'https://github.com/eavanvalkenburg/pysiaalarm', commit, describe,
      runtime: `${python} (Debian), python3-pycryptodome ${version('python3-pycryptodome')}, python3-tz ${version('python3-tz')}`,
      launcher: 'test/arc/pysiaalarm/launcher.py (asyncio TCP server, no change to its behaviour)',
      recordedAt: new Date().toISOString(), recordedBy: 'test/arc/pysiaalarm/record.ts',
    },
    accounts: PYSIA_ACCOUNTS,
    cases,
  };
  writeFileSync(join(__dirname, '..', 'fixtures', 'pysiaalarm-answers.json'), `${JSON.stringify(fixture, null, 2)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

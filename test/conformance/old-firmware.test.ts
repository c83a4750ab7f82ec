/**
 * The stand-in fails where the real interpreter failed. The firmware built from commit a0ba47b crashed
 * at power-on in the real interpreter (firmware/check/fixtures/old-firmware/puckjs-a0ba47b.boot.txt:
 * clearInterval(undefined) in app.js mode()); the stand-in used to run it without complaint. Now it
 * must report the same error, and the firmware built today must boot clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../common/clock';
import { FIXTURE_DIR } from '../../firmware/check/probes';
import { loadDist } from '../../firmware/tools/build';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { toBytes } from '../../simulator/src/espruino/storage';

const SETTINGS = { id: '0a1b2c3d', key: '000102030405060708090a0b0c0d0e0f' };

function bootWith(code: string): VirtualBoard {
  const clock = new VirtualClock();
  const board = new VirtualBoard({ board: 'puckjs', clock });
  board.flash.files.set('vigil.json', toBytes(JSON.stringify(SETTINGS)));
  board.boot(code);
  clock.advance(2000);
  return board;
}

describe('the old firmware in the stand-in', () => {
  it('stops at power-on with the error the real interpreter gave', () => {
    const real = readFileSync(join(FIXTURE_DIR, 'old-firmware', 'puckjs-a0ba47b.boot.txt'), 'utf8').split('\n').filter((l) => l.startsWith('Uncaught'));
    expect(real).toEqual(['Uncaught Error: clearInterval(undefined) not allowed. Use clearInterval() instead']);
    const board = bootWith(readFileSync(join(FIXTURE_DIR, 'old-firmware', 'puckjs-a0ba47b.js'), 'latin1'));
    expect(board.consoleLines.filter((l) => l.startsWith('Uncaught'))).toEqual(real);
  });

  it('and the firmware built now boots without an error', () => {
    const board = bootWith(loadDist('puckjs'));
    expect(board.errors).toEqual([]);
  });
});

/**
 * The stand-in against the real interpreter: every conformance probe (firmware/check/probes) runs in
 * the stand-in and must print exactly what the real Espruino interpreter printed when the fixture was
 * recorded (firmware/check/fixtures/probes, header: which build). A divergence is either a stand-in bug
 * to fix or, where V8 cannot be made to behave like Espruino, a line in KNOWN_DIVERGENCES with the
 * reason the firmware does not depend on it — and that line must still differ, so the list shrinks
 * when the stand-in improves.
 */
import { VirtualClock } from '../../common/clock';
import { listProbes, probeOutput, readFixture } from '../../firmware/check/probes';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { KNOWN_DIVERGENCES } from './divergences';

function runInStandIn(code: string, layout: 'puck' | 'bangle'): string[] {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 12));
  const board = new VirtualBoard({ board: layout === 'puck' ? 'puckjs' : 'bangle2', clock });
  board.boot(code, 'probe.js');
  for (let i = 0; i < 2000 && !board.consoleLines.some((l) => l.includes('@@end')); i++) clock.advance(5);
  board.shutdown();
  return probeOutput(board.consoleLines);
}

describe('the stand-in prints what the real interpreter printed', () => {
  for (const probe of listProbes()) {
    for (const layout of probe.layouts) {
      it(`${probe.name} (${layout})`, () => {
        // `ERROR:` lines are the interpreter's own reports on its console (printed after the exception
        // they go with); the fixtures keep them, the comparison leaves them out
        const want = readFixture(probe.name, layout).filter((l) => !l.startsWith('ERROR:'));
        const got = runInStandIn(probe.code, layout).filter((l) => !l.startsWith('ERROR:'));
        const known = KNOWN_DIVERGENCES[`${probe.name}.${layout}`] ?? {};
        const cmp = (lines: string[]): string[] => lines.map((l) => (Object.keys(known).some((k) => l.startsWith(k + ' ')) ? `${l.split(' =')[0]!.split(' threw')[0]} (known divergence)` : l));
        expect(cmp(got)).toEqual(cmp(want));
        for (const k of Object.keys(known)) {
          // a known divergence that no longer diverges must leave the list
          expect([k, want.find((l) => l.startsWith(k + ' '))]).not.toEqual([k, got.find((l) => l.startsWith(k + ' '))]);
        }
      });
    }
  }
});

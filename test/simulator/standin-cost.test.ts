/**
 * The stand-in's CPU cost model (simulator/src/espruino/cost.ts): statements are counted by
 * instrumentation, charged per board, and accelerometer samples that arrive while a handler is still
 * running are held — only the newest survives, like Espruino's drivers (no FIFO).
 */
import { VirtualClock } from '../../common/clock';
import { instrument, STATEMENT_COUNTER } from '../../simulator/src/espruino/cost';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { feedAccel } from '../../simulator/src/espruino/profiles';

function puck(code: string): { board: VirtualBoard; clock: VirtualClock } {
  const clock = new VirtualClock();
  const board = new VirtualBoard({ board: 'puckjs', clock });
  board.boot(code);
  expect(board.errors).toEqual([]);
  return { board, clock };
}

describe('CPU cost model', () => {
  it('counts statements per block entry and per loop iteration', () => {
    const code = instrument('var n = 0; function f(k) { for (var i = 0; i < k; i++) n += i; if (k > 2) n++; return n; }');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const run = new Function(`var ${STATEMENT_COUNTER} = 0; ${code}; f(5); return ${STATEMENT_COUNTER};`) as () => number;
    // top level 2, the body of f 3, 5 iterations of 1 + 1 statement, the if branch once
    expect(run()).toBe(2 + 3 + 5 * 2 + 1);
  });

  it('charges the board for the statements a handler runs and the native calls it makes', () => {
    const { board, clock } = puck('var x = 0; setInterval(function () { for (var i = 0; i < 100; i++) x += i; }, 1000);');
    const before = board.cpu.statements;
    clock.advance(1000);
    expect(board.cpu.statements - before).toBe(1 + 100 * 2);
    expect(board.cpu.busyMs).toBeCloseTo(((board.cpu.statements) * board.profile.cost.statementUs) / 1000, 6);
    const storage = puck('setTimeout(function () { require("Storage").write("f", "x".repeat(1000)); }, 10);');
    const busy = storage.board.cpu.busyMs;
    storage.clock.advance(20);
    expect(storage.board.cpu.busyMs - busy).toBeGreaterThanOrEqual(1000 * storage.board.profile.cost.flashByteMs);
  });

  it('drops the samples that arrive while a slow handler runs, keeping the newest', () => {
    // a handler of ~300 statements = 30 ms at 100 µs: longer than the 19 ms period at 52 Hz
    const { board, clock } = puck('var seen = []; Puck.accelOn(52); Puck.on("accel", function (a) { seen.push(a.acc.x); for (var i = 0; i < 300; i++) {} });');
    for (let i = 1; i <= 10; i++) {
      clock.advance(1000 / 52);
      feedAccel(board, i / 10, 0, 1);
    }
    clock.advance(100);
    const seen = board.evaluate('seen') as number[];
    expect(board.cpu.samplesDelivered + board.cpu.samplesDropped).toBe(10);
    expect(board.cpu.samplesDropped).toBeGreaterThanOrEqual(3);
    expect(seen).toHaveLength(board.cpu.samplesDelivered);
    expect(seen.at(-1)).toBe(Math.round((10 / 10) * 8192)); // the newest is never lost
  });

  it('drops nothing when the handler fits in the sample period', () => {
    const { board, clock } = puck('var n = 0; Puck.accelOn(26); Puck.on("accel", function (a) { n++; });');
    for (let i = 0; i < 260; i++) {
      clock.advance(1000 / 26);
      feedAccel(board, 0, 0, 1);
    }
    expect(board.cpu.samplesDropped).toBe(0);
    expect(board.evaluate('n')).toBe(260);
  });
});

/**
 * The pendant's downlink check (VFrame.down, SPEC §4.5) under fire, in the stand-in with each board's
 * own crypto: every single-byte change of every positive downlink vector, random frames behind a valid
 * header, and wrong lengths. None is accepted and nothing throws. The loop runs inside the firmware's
 * realm, as the GATT write handler would call it.
 */
import { VirtualClock } from '../../common/clock';
import { type FirmwareBoard, loadDist } from '../../firmware/tools/build';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { toBytes } from '../../simulator/src/espruino/storage';
import { downlinkVectors } from '../protocol/vectors';

const down = downlinkVectors();

const FUZZ = `(function (frames, keys, seed) {
  var out = {tried: 0, accepted: 0, good: 0};
  var s = seed;
  function rnd() { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; }
  for (var k = 0; k < frames.length; k++) {
    var f = VFrame.unhex(frames[k][0]), dev = parseInt(frames[k][1], 16), key = VFrame.unhex(keys[frames[k][1]]);
    if (VFrame.down(f, dev, key)) out.good++;
    for (var i = 0; i < 16; i++) for (var v = 0; v < 256; v++) {
      if (v == f[i]) continue;
      var g = new Uint8Array(f); g[i] = v; out.tried++;
      if (VFrame.down(g, dev, key) !== undefined) out.accepted++;
    }
    for (var r = 0; r < 500; r++) {
      var h = new Uint8Array(16); for (var j = 0; j < 16; j++) h[j] = Math.floor(rnd() * 256);
      h[0] = 0x11; h.set(f.slice(1, 5), 1); out.tried++;
      if (VFrame.down(h, dev, key) !== undefined) out.accepted++;
      var n = Math.floor(rnd() * 40); if (n == 16) n = 17;
      var w = new Uint8Array(n); w.set(f.slice(0, Math.min(n, 16)), 0); out.tried++;
      if (VFrame.down(w, dev, key) !== undefined) out.accepted++;
    }
  }
  return JSON.stringify(out);
})`;

describe.each([['puckjs'], ['bangle2']] as [FirmwareBoard][])('pendant downlink check on %s', (boardName) => {
  it('accepts no mutated, random or mis-sized frame, and never throws', () => {
    const board = new VirtualBoard({ board: boardName, clock: new VirtualClock() });
    board.flash.files.set('vigil.json', toBytes(JSON.stringify({ id: '00c0ffee', key: down.keys['k1'] })));
    board.boot(loadDist(boardName));
    const keys = Object.fromEntries(down.keyring.map((k) => [k.deviceId, k.key]));
    const frames = down.positive.map((v) => [v.frame, v.receiver]);
    const result = JSON.parse(board.evaluate(`${FUZZ}(${JSON.stringify(frames)}, ${JSON.stringify(keys)}, 12345)`) as string) as { tried: number; accepted: number; good: number };
    expect(result.good).toBe(frames.length);
    expect(result.tried).toBeGreaterThan(50_000);
    expect(result.accepted).toBe(0);
    board.shutdown();
  });
});

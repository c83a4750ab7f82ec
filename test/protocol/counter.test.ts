import { advanceWindow, classifyCounter, reconstructCounter, reconstructRef, REPLAY_WINDOW, type ReplayState } from '../../protocol/src';

describe('counter reconstruction', () => {
  it.each([
    [5, undefined, 5],
    [0x000010, 0x00000f, 0x000010],
    [0x000002, 0x00fffffe, 0x01000002], // wrapped on air
    [0xfffffe, 0x01000003, 0x00fffffe], // a late frame from before the wrap
    [0x123456, 0x05123450, 0x05123456],
  ])('low24 %s after %s → %s', (low, last, full) => {
    expect(reconstructCounter(low, last)).toBe(full);
  });

  it('rebuilds incident references below the counter', () => {
    expect(reconstructRef(0xfff0, 0x10005)).toBe(0xfff0);
    expect(reconstructRef(5, 0x10008)).toBe(0x10005);
  });
});

describe('replay window', () => {
  it('accepts new counters once, recognises duplicates and rejects replays', () => {
    let s: ReplayState | undefined;
    for (const c of [10, 11, 13]) {
      expect(classifyCounter(s, c)).toBe('new');
      s = advanceWindow(s, c);
    }
    expect(classifyCounter(s, 11)).toBe('duplicate');
    expect(classifyCounter(s, 12)).toBe('new'); // out of order but inside the window
    s = advanceWindow(s, 12);
    expect(classifyCounter(s, 12)).toBe('duplicate');
    s = advanceWindow(s, 13 + REPLAY_WINDOW + 5);
    expect(classifyCounter(s, 13)).toBe('replay');
    expect(classifyCounter(s, 13 + REPLAY_WINDOW + 5)).toBe('duplicate');
  });
});

/** The rig's LineLog: a child's output by line, in a bounded tail, waited on by event. */
import { PassThrough } from 'node:stream';
import { LineLog } from '../../rig/line-log';

const TEXT = 'info one\nwarn two\n\ndebug three\n';
const LINES = ['info one', 'warn two', '', 'debug three'];

function feed(chunks: string[], limits?: { maxLines: number; maxLineChars: number }): { log: LineLog; emitted: string[]; stream: PassThrough } {
  const stream = new PassThrough();
  const log = new LineLog('test', stream, limits);
  const emitted: string[] = [];
  log.on('line', (l) => emitted.push(l));
  for (const c of chunks) stream.write(c);
  return { log, emitted, stream };
}

describe('LineLog', () => {
  test('gives the same lines however the output is split, at every character', async () => {
    for (let i = 0; i <= TEXT.length; i++) {
      const { log, emitted } = feed([TEXT.slice(0, i), TEXT.slice(i)]);
      await new Promise((r) => setImmediate(r));
      expect(log.lines).toEqual(LINES);
      expect(emitted).toEqual(LINES);
    }
  });

  test('emits an unterminated last line when the stream ends', async () => {
    const { log, stream } = feed(['a\nb']);
    const ended = new Promise((r) => log.once('line', r));
    await new Promise((r) => setImmediate(r));
    expect(log.lines).toEqual(['a']);
    stream.end();
    await ended;
    expect(log.lines).toEqual(['a', 'b']);
  });

  test('keeps a bounded tail: past maxLines the oldest half goes, counted', async () => {
    const many = Array.from({ length: 25 }, (_, i) => `line ${i}\n`).join('');
    const { log, emitted } = feed([many], { maxLines: 10, maxLineChars: 100 });
    await new Promise((r) => setImmediate(r));
    expect(emitted).toHaveLength(25);
    expect(log.lines.length).toBeLessThanOrEqual(10);
    expect(log.dropped + log.lines.length).toBe(25);
    expect(log.lines.at(-1)).toBe('line 24');
  });

  test('cuts a line longer than maxLineChars, even one with no newline yet', async () => {
    const { log } = feed(['x'.repeat(25), 'y\n'], { maxLines: 10, maxLineChars: 10 });
    await new Promise((r) => setImmediate(r));
    expect(log.lines).toEqual(['x'.repeat(10), 'x'.repeat(10), 'xxxxxy']);
  });

  test('waitFor finds a kept line or the next one; next ignores the kept ones', async () => {
    const { log, stream } = feed(['ready at 1\n']);
    await new Promise((r) => setImmediate(r));
    await expect(log.waitFor(/ready/, 1_000)).resolves.toBe('ready at 1');
    const next = log.next(/ready/, 1_000);
    stream.write('ready at 2\n');
    await expect(next).resolves.toBe('ready at 2');
  });

  test('a wait that times out names what it waited for and shows the tail', async () => {
    const { log } = feed(['something else\n']);
    await new Promise((r) => setImmediate(r));
    await expect(log.waitFor(/never/, 20)).rejects.toThrow(/a test log line matching \/never\/[\s\S]*something else/);
  });
});

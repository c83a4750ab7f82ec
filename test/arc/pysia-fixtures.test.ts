/**
 * pysiaalarm's recorded answers (test/arc/fixtures/pysiaalarm-answers.json, with its commit and the
 * date): Vigil's reader and decoder make of each what they must, and the stand-in that the link tests
 * use reproduces each byte for byte — so when pysiaalarm's behaviour is recorded anew and differs,
 * a test fails here first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrameReader } from '../../arc/src/channel';
import { decryptRegion, parseTrailingTimestamp } from '../../arc/src/dc09';
import { decodeResponse } from '../../arc/src/response';
import { PYSIA_ACCOUNTS, PYSIA_CASES } from './pysiaalarm/cases';
import { pysiaAnswer } from '../../rig/arc-receiver/pysia-standin';

interface Recorded {
  name: string;
  note: string;
  atMs: number;
  request: string;
  answer: string;
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pysiaalarm-answers.json'), 'utf8')) as { source: Record<string, string>; cases: Recorded[] };
const accounts = Object.fromEntries(PYSIA_ACCOUNTS.map((a) => [a.account_id, a.key]));
const rows = PYSIA_CASES.map((c) => [c.name, c, fixture.cases.find((r) => r.name === c.name)!] as const);

/** The receiver's clock when it answered: the time in its answer, else when the case was recorded. */
function answeredAt(r: Recorded, key: string | undefined): number {
  const enc = /"\*ACK"[^[]*\[([0-9A-F]+)\r$/.exec(r.answer);
  const clear = enc && key ? decryptRegion(enc[1]!, Buffer.from(key, 'latin1')) : r.answer.replace(/\r$/, '');
  return (clear ? parseTrailingTimestamp(clear) : undefined) ?? r.atMs;
}

describe(`pysiaalarm's answers (${fixture.source['describe']}, recorded ${fixture.source['recordedAt']?.slice(0, 10)})`, () => {
  it('has a recorded answer for every case', () => {
    expect(fixture.source).toMatchObject({ peer: 'pysiaalarm', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(fixture.cases.map((c) => c.name)).toEqual(PYSIA_CASES.map((c) => c.name));
  });

  it.each(rows)('%s: Vigil reads the answer as it must', (_name, c, r) => {
    const frames = new FrameReader().push(r.answer);
    expect(frames).toEqual([r.answer]);
    const d = decodeResponse(r.answer, { seq: c.message.seq, account: c.message.account, ...(c.key ? { key: Buffer.from(c.key, 'latin1') } : {}) });
    const { timestamp, ...reading } = c.reading as { timestamp?: boolean };
    expect(d).toMatchObject(reading);
    if (timestamp !== undefined) expect('timestampMs' in d && d.timestampMs !== undefined).toBe(timestamp);
  });

  it.each(rows)('%s: the reader cuts the answer out of a stream split at every byte', (_name, _c, r) => {
    const stream = `\x00${r.answer}\n0000`;
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader();
      expect([...reader.push(stream.slice(0, cut)), ...reader.push(stream.slice(cut))]).toEqual([r.answer]);
    }
  });

  it.each(rows)('%s: the stand-in answers byte for byte as pysiaalarm did', (_name, c, r) => {
    const at = answeredAt(r, accounts[c.message.account]);
    expect(pysiaAnswer(r.request, at, { accounts })).toBe(r.answer);
  });
});

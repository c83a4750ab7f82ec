/** Building the frames of cases.ts, asking a receiver once, and comparing answers whose time differs. */
import { createConnection } from 'node:net';
import { decryptRegion, encodeFrame } from '../../../arc/src/dc09';
import type { PysiaCase } from './cases';

export function caseFrame(c: PysiaCase, nowMs: number): string {
  const frame = encodeFrame(c.message, { timestampMs: nowMs + (c.skewMs ?? 0), ...(c.key ? { key: Buffer.from(c.key, 'latin1') } : {}) });
  return c.badCrc ? `\n${frame.slice(1, 5) === '0000' ? 'FFFF' : '0000'}${frame.slice(5)}` : frame;
}

/**
 * Sends one frame on a new TCP connection and returns the answer: a frame up to its <CR>, a bare
 * `"NAK"`, or whatever came until the line was quiet for `quietMs`.
 */
export function askOnce(port: number, frame: string, quietMs = 300, maxMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    let quiet: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(quiet);
      clearTimeout(max);
      socket.destroy();
      resolve(got);
    };
    const max = setTimeout(done, maxMs);
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.write(frame, 'latin1');
      quiet = setTimeout(done, quietMs);
    });
    socket.on('error', reject);
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (/^(?:\n[^\r]*\r|"[A-Z]{3}")$/.test(got)) return done();
      clearTimeout(quiet);
      quiet = setTimeout(done, quietMs);
    });
  });
}

const STAMP = /_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4}/g;

/** An answer with its times (and so its CRC) blanked, encrypted parts decrypted: equal shapes mean the same answer. */
export function answerShape(answer: string, key?: string): string {
  const m = /^\n[0-9A-F]{4}([0-9A-F]{4})(.*)\r$/s.exec(answer);
  if (!m) return answer;
  let body = m[2]!;
  const enc = /^("\*[A-Z]{3}"[^[]*\[)([0-9A-F]+)$/.exec(body);
  if (enc && key) body = `${enc[1]}<${decryptRegion(enc[2]!, Buffer.from(key, 'latin1')) ?? 'undecryptable'}>`;
  return `<LF>CRC?${m[1]}${body.replace(STAMP, '_HH:MM:SS,MM-DD-YYYY')}<CR>`;
}

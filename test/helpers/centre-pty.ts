/**
 * A pair of connected pseudo-terminals from socat (`socat -d -d pty,raw,echo=0 pty,raw,echo=0`): what
 * is written to one end is read at the other, as on a serial cable. Resolves when socat has printed
 * both device paths (no sleeping); `close` ends socat and waits for it.
 */
import { spawn } from 'node:child_process';

export interface PtyPair {
  a: string;
  b: string;
  close(): Promise<void>;
}

export function ptyPair(timeoutMs = 5000): Promise<PtyPair> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const paths: string[] = [];
    let text = '';
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`socat did not report two ptys within ${timeoutMs} ms: ${text}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`socat could not start (apt-get install socat): ${e.message}`));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      text += chunk;
      for (const m of chunk.matchAll(/PTY is (\S+)/g)) paths.push(m[1]!);
      if (paths.length === 2) {
        clearTimeout(timer);
        resolve({ a: paths[0]!, b: paths[1]!, close });
      }
    });
  });
}

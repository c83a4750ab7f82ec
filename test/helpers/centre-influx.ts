/**
 * A real InfluxDB 1.x (`influxd` from Debian's influxdb package) in a temp dir, on loopback ports the
 * OS chooses; resolves when influxd has logged the HTTP address it listens on. `stop` ends it and
 * removes its files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Influxd {
  url: string;
  stop(): Promise<void>;
}

export function startInfluxd(timeoutMs = 10_000): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-influx-'));
  writeFileSync(join(dir, 'influxdb.conf'), [
    'reporting-disabled = true',
    'bind-address = "127.0.0.1:0"',
    `[meta]\n  dir = "${join(dir, 'meta')}"`,
    `[data]\n  dir = "${join(dir, 'data')}"\n  wal-dir = "${join(dir, 'wal')}"\n  query-log-enabled = false`,
    '[http]\n  bind-address = "127.0.0.1:0"\n  log-enabled = false',
    '[monitor]\n  store-enabled = false',
    '[continuous_queries]\n  enabled = false',
  ].join('\n'));
  const child = spawn('influxd', ['-config', join(dir, 'influxdb.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`influxd did not listen within ${timeoutMs} ms: ${log.slice(-500)}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`influxd could not start (apt-get install influxdb): ${e.message}`));
    });
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const m = /msg="Listening on HTTP".*addr=(\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve({ url: `http://${m[1]}`, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}

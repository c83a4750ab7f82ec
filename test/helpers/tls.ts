/**
 * Test certificates made at test time with the machine's openssl: a throw-away CA and a server
 * certificate for localhost and 127.0.0.1 signed by it (P-256 keys, valid one day).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: Buffer;
  remove(): void;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pki-'));
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=Vigil test CA', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  ssl('req', ...ec, '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('san.ext'), '-out', f('server.crt'));
  return { dir, caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key'), ca: readFileSync(f('ca.crt')), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

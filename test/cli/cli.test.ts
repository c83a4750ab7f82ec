import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');

describe('vigil CLI', () => {
  it('lists every subcommand in --help', () => {
    const out = execFileSync('node', [BIN, '--help'], { encoding: 'utf8' });
    for (const c of ['demo', 'gateway', 'centre', 'sim', 'eval', 'frame', 'device']) expect(out).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('reports every gateway config error by path before opening anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    try {
      const file = join(dir, 'gateway.yaml');
      writeFileSync(file, 'siteId: "bad/id"\ngatewayId: gw-1\nmqtt: { url: "http://nope" }\nheartbeatS: 1\ncolour: blue\n');
      const r = spawnSync('node', [BIN, 'gateway', '--config', file], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('siteId: must match pattern');
      expect(r.stderr).toContain('dataDir: is required');
      expect(r.stderr).toContain('mqtt.url');
      expect(r.stderr).toContain('heartbeatS: must be >= 5');
      expect(r.stderr).toContain('colour: is not a known setting');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

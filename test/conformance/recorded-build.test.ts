/**
 * The fixtures come from builds with the devices' memory behaviour: a Storage read stays in flash
 * (firmware/check/record.ts assertFlashReads). A build without flash strings copies it into RAM and
 * its memory figures are no pendant's; the recorder refuses it, and this test refuses fixtures that
 * do not say which kind of build made them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_DIR } from '../../firmware/check/probes';
import { assertFlashReads } from '../../firmware/check/record';

const recorded = (file: string): string[] => {
  const j = JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as Record<string, unknown>;
  return typeof j['interpreter'] === 'string' ? [j['interpreter']] : Object.values(j).map((b) => (b as { interpreter: string }).interpreter);
};

describe('the build the fixtures were recorded on', () => {
  it.each(['memory.json', 'memory-snippets.puck.json', 'memory-snippets.bangle.json'])('%s: a Storage read stayed in flash', (file) => {
    for (const what of recorded(file)) expect(() => assertFlashReads(what)).not.toThrow();
  });

  it('a build that copies Storage reads into RAM is refused, and one that does not say', () => {
    expect(() => assertFlashReads('2v29 2630 variables of 13 bytes; AES function, AES.ccmEncrypt undefined; Storage.read of 200 bytes 17 variables')).toThrow(/SPIFLASH_BASE/);
    expect(() => assertFlashReads('2v29 2630 variables of 13 bytes; AES function, AES.ccmEncrypt undefined')).toThrow(/copies Storage reads into RAM/);
  });
});

/**
 * What the centre ships of the firmware. The worker app runs the pendant's own detector in the
 * browser (one detection code path, docs/worker.md), so `centre/web/app/detect.js` is
 * `firmware/src/lib/detect.js` with one header line: the centre serves its own web folder and never
 * reads the firmware's at run time (it is installed and run without it). The copy is committed;
 * `make web-firmware` writes it after a change of the detector, and test/centre/firmware-copy.test.ts
 * fails while it differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const REPO = join(__dirname, '..', '..');

/** Firmware file → the centre's copy, repository-relative. */
export const FIRMWARE_COPIES: readonly { from: string; to: string }[] = [
  { from: 'firmware/src/lib/detect.js', to: 'centre/web/app/detect.js' },
];

const header = (from: string): string => `// Copy of ${from} for the worker app, written by \`make web-firmware\`: edit the firmware's file, not this one.\n`;

/** What the copy of `from` must hold. */
export function copyOf(from: string): string {
  return header(from) + readFileSync(join(REPO, from), 'utf8');
}

/** The copies that differ from their firmware file (empty when all match). */
export function staleCopies(): string[] {
  return FIRMWARE_COPIES.filter(({ from, to }) => {
    try {
      return readFileSync(join(REPO, to), 'utf8') !== copyOf(from);
    } catch {
      return true;
    }
  }).map(({ to }) => to);
}

export function writeCopies(): string[] {
  return FIRMWARE_COPIES.map(({ from, to }) => {
    writeFileSync(join(REPO, to), copyOf(from));
    return relative(REPO, join(REPO, to));
  });
}

if (require.main === module) {
  for (const f of writeCopies()) console.log(`wrote ${f}`);
}

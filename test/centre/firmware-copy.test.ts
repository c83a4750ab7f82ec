/**
 * The centre's copy of the pendant's detector (centre/tools/firmware-copy.ts) is the firmware's file:
 * the worker app must run the very code the pendant runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOf, FIRMWARE_COPIES, staleCopies } from '../../centre/tools/firmware-copy';

describe('what the centre ships of the firmware', () => {
  it('every copy matches its firmware file (else: make web-firmware)', () => {
    expect(staleCopies()).toEqual([]);
  });

  it('a copy is the firmware file under one header line', () => {
    for (const { from, to } of FIRMWARE_COPIES) {
      const copy = readFileSync(join(__dirname, '..', '..', to), 'utf8');
      expect(copy.slice(copy.indexOf('\n') + 1)).toBe(readFileSync(join(__dirname, '..', '..', from), 'utf8'));
      expect(copy.split('\n', 1)[0]).toMatch(/^\/\/ Copy of firmware\/src\/lib\/detect\.js .*make web-firmware/);
      expect(copyOf(from)).toBe(copy);
    }
  });
});

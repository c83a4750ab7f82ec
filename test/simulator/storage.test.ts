import { createStorageModule, Flash } from '../../simulator/src/espruino/storage';

type StorageApi = {
  write(name: string, data: unknown, offset?: number, size?: number): boolean;
  read(name: string, offset?: number, length?: number): string | undefined;
  readJSON(name: string, noExceptions?: boolean): unknown;
  writeJSON(name: string, v: unknown): boolean;
  erase(name: string): void;
  list(re?: RegExp): string[];
};

describe('Espruino Storage stand-in', () => {
  const make = () => {
    const flash = new Flash();
    return { flash, S: createStorageModule(flash) as unknown as StorageApi };
  };

  it('writes only into erased bytes of a pre-sized file', () => {
    const { S } = make();
    S.write('ctr', 'ab', 0, 8);
    expect(S.read('ctr')).toBe('ab' + '\xff'.repeat(6));
    S.write('ctr', 'cd', 2);
    expect(S.read('ctr')!.slice(0, 4)).toBe('abcd');
    expect(() => S.write('ctr', 'zz', 1)).toThrow('File already written with different data');
    S.write('ctr', 'bc', 1); // identical bytes are fine
    S.write('ctr', 'zz', 0); // offset 0 without a size replaces the file
    expect(S.read('ctr')).toBe('zz');
  });

  it('reads JSON leniently when asked, and cuts names to 28 characters (as the real interpreter does)', () => {
    const { S } = make();
    S.write('broken.json', '{nope');
    expect(S.readJSON('broken.json', true)).toBeUndefined();
    expect(() => S.readJSON('broken.json')).toThrow();
    expect(S.readJSON('missing.json', true)).toBeUndefined();
    expect(S.write('x'.repeat(29), 'a')).toBe(true);
    expect(S.read('x'.repeat(28))).toBe('a');
    S.writeJSON('vigil.json', { id: 'a' });
    expect(S.list(/json$/)).toEqual(['broken.json', 'vigil.json']);
  });

  it('keeps superseded copies as garbage until compaction', () => {
    const { S, flash } = make();
    S.write('f', 'x'.repeat(100));
    S.write('f', 'y'.repeat(100));
    expect(flash.garbageBytes).toBeGreaterThan(100);
  });
});

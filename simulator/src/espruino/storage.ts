/**
 * Espruino's Storage on flash, as the firmware sees it (ESPRUINO.md §4; recorded from the real
 * interpreter: firmware/check/fixtures/probes/storage.puck.txt): names of up to 28 characters (a longer
 * name is cut to 28), files that are rewritten as new copies (journaling), writes at an offset only
 * into erased (0xFF) bytes of an existing file, no zero-length files, `readJSON(name, true)` returning
 * undefined on a missing or broken file. The Flash object outlives a board's JS context, so a reboot
 * keeps what was written.
 */
export class StorageError extends Error {}

const NAME_MAX = 28;

export class Flash {
  readonly files = new Map<string, Uint8Array>();
  /** Bytes written in total, as a wear measure. */
  bytesWritten = 0;
  /** Bytes held by superseded copies, reclaimed by compact(). */
  garbageBytes = 0;

  constructor(readonly capacityBytes = 40 * 1024) {}

  usedBytes(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.length + 32; // each file has a header in flash
    return n + this.garbageBytes;
  }
}

function checkName(name: unknown): string {
  return String(name).slice(0, NAME_MAX);
}

/** Converts what Espruino accepts as data (string, array, typed array, ArrayBuffer) to bytes. */
export function toBytes(data: unknown): Uint8Array {
  if (typeof data === 'string') {
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data.charCodeAt(i) & 0xff;
    return out;
  }
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer).slice();
  if (ArrayBuffer.isView(data)) {
    const v = data;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  }
  if (Array.isArray(data)) return Uint8Array.from(data.map((x) => Number(x) & 0xff));
  if (typeof data === 'number') return Uint8Array.of(data & 0xff);
  throw new StorageError('Unsupported data type for Storage');
}

/** Espruino strings are 8-bit: one char per byte. */
export function bytesToString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Builds the object returned by `require("Storage")` over a Flash. */
export function createStorageModule(flash: Flash, realmArrayBuffer: ArrayBufferConstructor = ArrayBuffer): Record<string, unknown> {
  const write = (nameArg: unknown, data: unknown, offset?: number, size?: number): boolean => {
    const name = checkName(nameArg);
    if (name === '') return true; // Espruino answers true and writes no file of that name (divergences.ts)
    const bytes = toBytes(data);
    const off = offset ?? 0;
    const existing = flash.files.get(name);
    if (size === undefined && off > 0) {
      // Writing into a pre-sized file: only erased bytes may change.
      if (!existing) throw new StorageError('Unable to find or create file');
      if (off + bytes.length > existing.length) throw new StorageError(`Too much data for file size`);
      for (let i = 0; i < bytes.length; i++) {
        const cur = existing[off + i]!;
        if (cur !== bytes[i] && cur !== 0xff) throw new StorageError('File already written with different data');
      }
      existing.set(bytes, off);
      flash.bytesWritten += bytes.length;
      return true;
    }
    const total = size ?? bytes.length;
    if (total === 0) throw new StorageError("Can't create zero length file");
    if (off + bytes.length > total) throw new StorageError('Too much data for file size');
    if (existing && size === undefined && sameBytes(existing, bytes)) return true; // identical rewrite is a no-op
    const file = new Uint8Array(total).fill(0xff);
    file.set(bytes, off);
    if (existing) flash.garbageBytes += existing.length + 32;
    if (flash.usedBytes() - (existing ? existing.length + 32 : 0) + total + 32 > flash.capacityBytes) {
      if (flash.usedBytes() - flash.garbageBytes + total + 32 > flash.capacityBytes) throw new StorageError('Unable to find or create file');
      flash.garbageBytes = 0; // Espruino compacts automatically when it runs out
    }
    flash.files.set(name, file);
    flash.bytesWritten += total;
    return true;
  };
  const read = (nameArg: unknown, offset?: number, length?: number): string | undefined => {
    const file = flash.files.get(checkName(nameArg));
    if (!file) return undefined;
    const start = offset ?? 0;
    const end = length === undefined ? file.length : Math.min(file.length, start + length);
    return bytesToString(file.subarray(start, end));
  };
  return {
    write,
    read,
    readJSON: (name: unknown, noExceptions?: boolean): unknown => {
      const s = read(name);
      if (s === undefined) return undefined;
      try {
        return JSON.parse(s);
      } catch (e) {
        if (noExceptions) return undefined;
        throw e;
      }
    },
    writeJSON: (name: unknown, value: unknown): boolean => write(name, JSON.stringify(value)),
    readArrayBuffer: (nameArg: unknown): ArrayBuffer | undefined => {
      const file = flash.files.get(checkName(nameArg));
      if (!file) return undefined;
      const ab = new realmArrayBuffer(file.length);
      new Uint8Array(ab).set(file);
      return ab;
    },
    erase: (nameArg: unknown): void => {
      const name = checkName(nameArg);
      const f = flash.files.get(name);
      if (f) flash.garbageBytes += f.length + 32;
      flash.files.delete(name);
    },
    list: (re?: RegExp): string[] => [...flash.files.keys()].filter((n) => !re || re.test(n)).sort(),
    getFree: (): number => flash.capacityBytes - flash.usedBytes(),
    compact: (): void => {
      flash.garbageBytes = 0;
    },
    eraseAll: (): void => {
      flash.files.clear();
      flash.garbageBytes = 0;
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

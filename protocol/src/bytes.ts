/** Byte helpers on Uint8Array (no Node Buffer: this package also runs in browsers). */

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Parses lower- or upper-case hex; returns undefined on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function readUint(bytes: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + bytes[offset + i]!;
  return v;
}

export function writeUint(bytes: Uint8Array, offset: number, size: number, value: number): void {
  let v = value;
  for (let i = size - 1; i >= 0; i--) {
    bytes[offset + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** Two's-complement signed read of `size` bytes. */
export function readInt(bytes: Uint8Array, offset: number, size: number): number {
  const u = readUint(bytes, offset, size);
  const half = 2 ** (8 * size - 1);
  return u >= half ? u - 2 * half : u;
}

export function writeInt(bytes: Uint8Array, offset: number, size: number, value: number): void {
  writeUint(bytes, offset, size, value < 0 ? value + 2 ** (8 * size) : value);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Device ids travel as uint32 and are written as 8 lower-case hex digits, e.g. `00c0ffee`. */
export function formatDeviceId(id: number): string {
  return id.toString(16).padStart(8, '0');
}

export function parseDeviceId(text: string): number | undefined {
  if (!/^[0-9a-fA-F]{8}$/.test(text)) return undefined;
  return parseInt(text, 16);
}

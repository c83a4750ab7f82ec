/**
 * The pixel size an uploaded floor plan claims, read from its header without decoding it (PNG IHDR;
 * JPEG's SOFn marker; WebP's VP8, VP8L or VP8X header), and whether an SVG declares entities. An
 * "image bomb" — a few kilobytes that claim 50,000 × 50,000 pixels, or an SVG whose entities expand
 * to gigabytes — would be decoded by every operator's browser that opens the site's map: it is
 * refused at upload instead.
 */
export const MAX_PLAN_PIXELS = 100_000_000;
export const MAX_PLAN_SIDE = 20_000;

export function imageSize(type: string, b: Buffer): { width: number; height: number } | undefined {
  switch (type) {
    case 'image/png':
      return b.length >= 24 && b.subarray(12, 16).toString('latin1') === 'IHDR' ? { width: b.readUInt32BE(16), height: b.readUInt32BE(20) } : undefined;
    case 'image/jpeg':
      return jpegSize(b);
    case 'image/webp':
      return webpSize(b);
    default:
      return undefined;
  }
}

function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    if (length < 2) return undefined;
    i += 2 + length;
  }
  return undefined;
}

function webpSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 30) return undefined;
  const chunk = b.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  return undefined;
}

/** Why a floor plan is refused, or undefined. */
export function planProblem(type: string, b: Buffer): string | undefined {
  if (type === 'image/svg+xml') return /<!ENTITY/i.test(b.toString('utf8')) ? 'an SVG with entity declarations is not accepted (they can expand without bound)' : undefined;
  const size = imageSize(type, b);
  if (!size) return `cannot read the ${type} image's size`;
  if (size.width === 0 || size.height === 0 || size.width > MAX_PLAN_SIDE || size.height > MAX_PLAN_SIDE || size.width * size.height > MAX_PLAN_PIXELS) {
    return `${size.width} × ${size.height} pixels: at most ${MAX_PLAN_SIDE} per side and ${MAX_PLAN_PIXELS / 1e6} million in all`;
  }
  return undefined;
}

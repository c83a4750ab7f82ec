/**
 * Image bombs as floor plans (the HTTP fuzzer's uploads): a few kilobytes claiming 50,000 × 50,000
 * pixels, or an SVG whose entities expand without bound, would be decoded by the browser of every
 * operator who opens the site's map. They are refused at upload with a 400 that says why; real plans
 * (the 1-pixel PNG, the console tests' SVG drawing) still go in.
 */
import { startHarness, type Harness } from '../helpers/centre-harness';
import { login } from '../helpers/http';
import { imageSize, planProblem } from '../../centre/src/http/image-size';

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

function png(width: number, height: number): Buffer {
  const b = Buffer.from(PNG_1PX);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}
/** SOI, a JFIF APP0 segment, then SOF0 with the size. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}
function webpVp8x(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBPVP8X', 8, 'latin1');
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}
const SVG_BOMB = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>';
const SVG_PLAN = '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="300"><rect width="480" height="300" fill="#eee"/></svg>';

it('reads the claimed size from the headers', () => {
  expect(imageSize('image/png', png(640, 480))).toEqual({ width: 640, height: 480 });
  expect(imageSize('image/jpeg', jpeg(4000, 3000))).toEqual({ width: 4000, height: 3000 });
  expect(imageSize('image/webp', webpVp8x(16383, 2))).toEqual({ width: 16383, height: 2 });
  expect(planProblem('image/png', png(50_000, 50_000))).toMatch(/50000 × 50000 pixels/);
  expect(planProblem('image/png', png(15_000, 15_000))).toMatch(/100 million/);
  expect(planProblem('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toMatch(/cannot read/);
  expect(planProblem('image/svg+xml', Buffer.from(SVG_BOMB))).toMatch(/entity/);
});

describe('uploads', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness({ http: true });
    await h.centre.auth.createUser({ username: 'ada', password: 'ada-password-1', role: 'admin' });
    token = await login(h.base, 'ada', 'ada-password-1');
  });
  afterAll(() => h.stop());

  const put = async (type: string, body: Buffer): Promise<{ status: number; message: string }> => {
    const res = await fetch(`${h.base}/api/sites/site-a/plans/0?widthM=48&heightM=30`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
    const j = (await res.json()) as { error?: { message: string } };
    return { status: res.status, message: j.error?.message ?? '' };
  };

  it.each([
    ['a PNG claiming 50,000 × 50,000 pixels', 'image/png', png(50_000, 50_000)],
    ['a JPEG claiming 65,000 × 65,000 pixels', 'image/jpeg', jpeg(65_000, 65_000)],
    ['a WebP claiming 16,000,000 × 2 pixels', 'image/webp', webpVp8x(16_000_000, 2)],
    ['an SVG entity bomb', 'image/svg+xml', Buffer.from(SVG_BOMB)],
  ])('%s is refused', async (_what, type, body) => {
    const r = await put(type, body);
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/^The plan is refused: |^The body is not a/);
  });

  it.each([['a real PNG', 'image/png', PNG_1PX], ['a plain SVG drawing', 'image/svg+xml', Buffer.from(SVG_PLAN)], ['a JPEG of 4000 × 3000', 'image/jpeg', jpeg(4000, 3000)]])('%s goes in', async (_what, type, body) => {
    expect((await put(type, body)).status).toBe(200);
  });
});

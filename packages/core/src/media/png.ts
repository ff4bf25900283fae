/**
 * One small PNG encoder for every backend (TensorBoard image summaries, W&B media, MLflow artifacts):
 * 8-bit grey, RGB or RGBA, filter 0 on every row, node:zlib deflate, core's CRC-32.
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../crc32.js';
import type { EncodedImage, RawImage } from '../spec.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
/** PNG colour types by channel count: grey, grey+alpha, RGB, RGBA. */
const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/** Encodes raw 8-bit pixels (row-major, `channels` bytes per pixel) as a PNG. Throws a RangeError on bad sizes. */
export function encodePng(image: RawImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new RangeError('PNG width and height must be positive integers');
  if (COLOR_TYPE[channels] === undefined) throw new RangeError(`PNG images have 1, 2, 3 or 4 channels, not ${channels}`);
  const stride = width * channels;
  if (data.length < stride * height) throw new RangeError(`PNG pixel data too short: need ${stride * height} bytes, got ${data.length}`);
  const raw = Buffer.allocUnsafe((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    raw[row] = 0;
    raw.set(data.subarray(y * stride, (y + 1) * stride), row + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels]!;
  return new Uint8Array(Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]));
}

/** The file bytes of any image record: PNG for raw pixels, the bytes as given otherwise. */
export function imageFile(image: RawImage | EncodedImage): { bytes: Uint8Array; mimeType: 'image/png' | 'image/jpeg'; extension: 'png' | 'jpg' } {
  if ('bytes' in image) return { bytes: image.bytes, mimeType: image.mimeType, extension: image.mimeType === 'image/jpeg' ? 'jpg' : 'png' };
  return { bytes: encodePng(image), mimeType: 'image/png', extension: 'png' };
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

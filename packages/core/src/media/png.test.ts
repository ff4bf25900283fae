import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../crc32.js';
import { encodePng, imageFile } from './png.js';

describe('encodePng', () => {
  it('writes signature, IHDR, IDAT and IEND with valid chunk CRCs and inflatable rows', () => {
    const px = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = Buffer.from(encodePng({ width: 2, height: 2, channels: 3, data: px }));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const chunks: { type: string; body: Buffer }[] = [];
    for (let off = 8; off < png.length; ) {
      const len = png.readUInt32BE(off);
      const type = png.subarray(off + 4, off + 8).toString('latin1');
      const body = png.subarray(off + 8, off + 8 + len);
      expect(png.readUInt32BE(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
      chunks.push({ type, body });
      off += 12 + len;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = chunks[0]!.body;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([2, 2, 8, 2]);
    const raw = inflateSync(chunks[1]!.body);
    expect([...raw]).toEqual([0, ...px.subarray(0, 6), 0, ...px.subarray(6)]);
  });

  it('rejects short pixel data', () => {
    expect(() => encodePng({ width: 4, height: 4, channels: 4, data: new Uint8Array(10) })).toThrow(RangeError);
  });

  it('gives raw pixels as PNG and encoded images as they are', () => {
    expect(imageFile({ width: 1, height: 1, channels: 1, data: new Uint8Array([7]) })).toMatchObject({ mimeType: 'image/png', extension: 'png' });
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff]);
    expect(imageFile({ mimeType: 'image/jpeg', bytes: jpeg, width: 1, height: 1 })).toEqual({ bytes: jpeg, mimeType: 'image/jpeg', extension: 'jpg' });
  });
});

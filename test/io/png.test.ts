import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, writePng, type Image } from '../../src/io/png.js';
import { crc32 } from '../../src/io/crc32.js';
import { crc32Bitwise, tempDir } from './helpers.js';

// --- An independent minimal PNG reader and writer, written from the spec for these tests. ---

function predictor(f: number, a: number, b: number, c: number): number {
  if (f === 0) return 0;
  if (f === 1) return a;
  if (f === 2) return b;
  if (f === 3) return Math.floor((a + b) / 2);
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

interface Chunk { type: string; data: Uint8Array; crcOk: boolean }

function chunksOf(png: Uint8Array): Chunk[] {
  const out: Chunk[] = [];
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let pos = 8; pos < png.length;) {
    const len = dv.getUint32(pos);
    const type = new TextDecoder().decode(png.subarray(pos + 4, pos + 8));
    const crc = dv.getUint32(pos + 8 + len);
    out.push({ type, data: png.subarray(pos + 8, pos + 8 + len), crcOk: crc === crc32Bitwise(png.subarray(pos + 4, pos + 8 + len)) });
    pos += 12 + len;
  }
  return out;
}

function referenceDecode(png: Uint8Array): { image: Image; filters: number[] } {
  expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const chunks = chunksOf(png);
  for (const c of chunks) expect(c.crcOk, `CRC of ${c.type}`).toBe(true);
  expect(chunks[0].type).toBe('IHDR');
  expect(chunks[chunks.length - 1].type).toBe('IEND');
  const h = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset, 13);
  const width = h.getUint32(0), height = h.getUint32(4);
  expect(chunks[0].data[8]).toBe(8);
  const channels = ({ 0: 1, 4: 2, 2: 3, 6: 4 } as Record<number, number>)[chunks[0].data[9]] as 1 | 2 | 3 | 4;
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * channels;
  const out = new Uint8Array(stride * height);
  const filters: number[] = [];
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    filters.push(f);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      out[y * stride + x] = (raw[y * (stride + 1) + 1 + x] + predictor(f, a, b, c)) % 256;
    }
  }
  return { image: { width, height, channels, data: out }, filters };
}

/** Build a PNG by hand, row y filtered with filters[y % filters.length]. */
function referenceEncode(img: Image, filters: number[], extra: { type: string; data: Uint8Array }[] = [], ihdrOverride?: Partial<Record<8 | 9 | 12, number>>): Uint8Array {
  const { width, height, channels, data } = img;
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const f = filters[y % filters.length];
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? data[y * stride + x - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      raw[y * (stride + 1) + 1 + x] = (data[y * stride + x] - predictor(f, a, b, c) + 256) % 256;
    }
  }
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  for (const [k, v] of Object.entries(ihdrOverride ?? {})) ihdr[Number(k)] = v;
  const parts: Uint8Array[] = [Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10])];
  const add = (type: string, body: Uint8Array) => {
    const c = new Uint8Array(12 + body.length);
    const dv = new DataView(c.buffer);
    dv.setUint32(0, body.length);
    c.set(new TextEncoder().encode(type), 4);
    c.set(body, 8);
    dv.setUint32(8 + body.length, crc32Bitwise(c.subarray(4, 8 + body.length)));
    parts.push(c);
  };
  add('IHDR', ihdr);
  for (const e of extra) add(e.type, e.data);
  const z = deflateSync(raw);
  add('IDAT', z.subarray(0, 10)); // split the stream over two IDAT chunks, as the spec allows
  add('IDAT', z.subarray(10));
  add('IEND', new Uint8Array(0));
  return Buffer.concat(parts);
}

/** A deterministic test picture with gradients (favours Sub/Up/Paeth) and noise (favours None). */
function testImage(width: number, height: number, channels: 1 | 2 | 3 | 4): Image {
  const data = new Uint8Array(width * height * channels);
  let s = 12345;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const noise = y % 4 === 3 ? (s >>> 24) : 0;
    data[(y * width + x) * channels + c] = (x * 7 + y * 3 + c * 50 + noise) & 255;
  }
  return { width, height, channels, data };
}

/** Random pixels from a few levels: Paeth's ties (pa = pb, pb = pc) are frequent, so its tie rule is exercised. */
function fewLevels(channels: 1 | 2 | 3 | 4): Image {
  let s = 99 + channels;
  const data = Uint8Array.from({ length: 23 * 9 * channels }, () => { s = (s * 1103515245 + 12345) >>> 0; return [0, 1, 2, 3, 250][(s >>> 16) % 5]; });
  return { width: 23, height: 9, channels, data };
}

describe('PNG', () => {
  it('the table CRC-32 matches a bitwise one and the standard check value', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Bitwise(check)).toBe(0xcbf43926);
    const bytes = testImage(33, 7, 3).data;
    expect(crc32(bytes)).toBe(crc32Bitwise(bytes));
  });

  it('encodePng output is read back exactly by an independent decoder, for 1, 3 and 4 channels', () => {
    for (const channels of [1, 3, 4] as const) {
      const img = testImage(37, 21, channels);
      const png = encodePng(img);
      const { image, filters } = referenceDecode(png);
      expect(image.width).toBe(37);
      expect(image.height).toBe(21);
      expect(image.channels).toBe(channels);
      expect(Buffer.from(image.data).equals(Buffer.from(img.data))).toBe(true);
      // The heuristic picks different filters for gradient rows and noisy rows.
      expect(new Set(filters).size).toBeGreaterThan(1);
      const few = fewLevels(channels);
      expect(Buffer.from(referenceDecode(encodePng(few)).image.data).equals(Buffer.from(few.data))).toBe(true);
    }
  });

  it('decodePng reads hand-built PNGs using each of the 5 filter types, for all 4 colour types', () => {
    for (const channels of [1, 2, 3, 4] as const) for (const img of [testImage(19, 10, channels), fewLevels(channels)]) {
      for (const filters of [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4]]) {
        const png = referenceEncode(img, filters, [{ type: 'tEXt', data: new TextEncoder().encode('Comment\0hi') }]);
        const got = decodePng(png, 'hand.png');
        expect(got.channels).toBe(channels);
        expect(Buffer.from(got.data).equals(Buffer.from(img.data)), `channels ${channels} filters ${filters}`).toBe(true);
      }
    }
  });

  it('round-trips through writePng (atomic) and decodePng', () => {
    const dir = tempDir('png');
    const file = path.join(dir, 'pic.png');
    const img = testImage(8, 5, 4);
    writePng(file, img);
    expect(fs.readdirSync(dir)).toEqual(['pic.png']);
    const back = decodePng(fs.readFileSync(file), file);
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
  });

  it('gives clear errors for bad input', () => {
    const img = testImage(4, 4, 1);
    const good = encodePng(img);
    expect(() => decodePng(Buffer.from('GIF89a.........'), 'anim.gif')).toThrow(/'anim\.gif': not a PNG: bad signature, found 47 49 46 38 39 61 2e 2e, expected 89 50 4e 47/);
    const badCrc = Buffer.from(good);
    badCrc[8 + 8 + 13 - 1] ^= 1; // flip a bit inside IHDR's data
    expect(() => decodePng(badCrc, 'flip.png')).toThrow(/'flip\.png': chunk 'IHDR' has CRC 0x[0-9a-f]+, computed 0x/);
    expect(() => decodePng(good.subarray(0, good.length - 20), 'cut.png')).toThrow(/'cut\.png': chunk 'IDAT' at byte 33 declares \d+ data bytes but the file ends/);
    expect(() => decodePng(good.subarray(0, good.length - 12), 'noend.png')).toThrow(/'noend\.png': truncated: no IEND chunk/);
    expect(() => decodePng(referenceEncode(img, [0], [], { 12: 1 }), 'adam7.png')).toThrow(/'adam7\.png': interlaced \(Adam7\) images are not supported/);
    expect(() => decodePng(referenceEncode(img, [0], [], { 8: 16 }), 'deep.png')).toThrow(/'deep\.png': bit depth 16 is not supported, only 8/);
    expect(() => decodePng(referenceEncode(img, [0], [], { 9: 3 }), 'pal.png')).toThrow(/'pal\.png': colour type 3 is not supported \(palette images are not\)/);
    expect(() => decodePng(referenceEncode(img, [7]), 'filt.png')).toThrow(/'filt\.png': row 0 has unknown filter type 7/);
    expect(() => encodePng({ width: 3, height: 2, channels: 3, data: new Uint8Array(17) })).toThrow(/encodePng: a 3×2×3 image needs 18 bytes, got 17/);
  });
});

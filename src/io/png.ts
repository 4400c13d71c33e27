// PNG (ISO/IEC 15948) for 8-bit, non-interlaced images: gray (1), RGB (3), RGBA (4) to write;
// gray, gray+alpha, RGB, RGBA to read. A file is the 8-byte signature, then chunks
// [u32 BE length][4-byte type][data][u32 BE CRC-32 of type+data]: IHDR, IDAT(s), IEND.
// The image data is the rows, each prefixed by a filter byte, zlib-compressed.

import { deflateSync } from 'node:zlib';
import { inflateExactly } from './inflate.js';
import { writeFileAtomic } from './atomic.js';
import { crc32 } from './crc32.js';

export interface Image {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha (decode only), 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** height × width × channels, row-major, 8 bits per sample. */
  data: Uint8Array;
}

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG colour type for our channel counts: 0 gray, 4 gray+alpha, 2 RGB, 6 RGBA. */
const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
const CHANNELS_OF_COLOR_TYPE: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 4: 2, 2: 3, 6: 4 };

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Paeth predictor (PNG spec 9.4): the neighbour a, b or c closest to a + b - c. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

/**
 * Filter one row with filter type `f` into `out` (without the filter byte).
 * x = current row, prev = the row above (zeros for the first row), bpp = bytes per pixel.
 */
function filterRow(f: number, x: Uint8Array, prev: Uint8Array, bpp: number, out: Uint8Array): void {
  for (let i = 0; i < x.length; i++) {
    const a = i >= bpp ? x[i - bpp] : 0;
    const b = prev[i];
    const c = i >= bpp ? prev[i - bpp] : 0;
    let pred = 0;
    if (f === 1) pred = a;
    else if (f === 2) pred = b;
    else if (f === 3) pred = (a + b) >>> 1;
    else if (f === 4) pred = paeth(a, b, c);
    out[i] = (x[i] - pred) & 0xff;
  }
}

/** Encode an 8-bit image as PNG. Each row gets the filter with the smallest sum of |signed residuals| (libpng's heuristic). */
export function encodePng(image: Image): Buffer {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodePng: width and height must be positive integers, got ${width}×${height}`);
  }
  if (!(channels in COLOR_TYPE)) throw new Error(`encodePng: channels must be 1, 2, 3 or 4, got ${channels}`);
  const stride = width * channels;
  if (data.length !== stride * height) {
    throw new Error(`encodePng: a ${width}×${height}×${channels} image needs ${stride * height} bytes, got ${data.length}`);
  }
  const raw = new Uint8Array((stride + 1) * height);
  const zeros = new Uint8Array(stride);
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? data.subarray((y - 1) * stride, y * stride) : zeros;
    let bestFilter = 0;
    let bestScore = Infinity;
    for (let f = 0; f < 5; f++) {
      filterRow(f, row, prev, channels, candidate);
      let score = 0;
      for (let i = 0; i < stride; i++) score += candidate[i] < 128 ? candidate[i] : 256 - candidate[i];
      if (score < bestScore) { bestScore = score; bestFilter = f; }
    }
    const dst = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    filterRow(bestFilter, row, prev, channels, dst);
    raw[y * (stride + 1)] = bestFilter;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Write a PNG atomically. */
export function writePng(filePath: string, image: Image): void {
  writeFileAtomic(filePath, encodePng(image));
}

/** Decode an 8-bit, non-interlaced PNG (gray, gray+alpha, RGB, RGBA). CRCs are checked. */
export function decodePng(buf: Uint8Array, name = '<buffer>'): Image {
  const fail = (what: string): never => { throw new Error(`decodePng: '${name}': ${what}`); };
  if (buf.length < 8 || PNG_SIGNATURE.some((b, i) => buf[i] !== b)) {
    fail(`not a PNG: bad signature, found ${Array.from(buf.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}, expected 89 50 4e 47 0d 0a 1a 0a`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  let width = 0, height = 0, channels: 1 | 2 | 3 | 4 = 1;
  let sawHeader = false, sawEnd = false;
  const idat: Uint8Array[] = [];
  while (pos < buf.length) {
    if (pos + 12 > buf.length) fail(`truncated chunk header at byte ${pos}`);
    const len = view.getUint32(pos, false);
    const type = String.fromCharCode(...buf.subarray(pos + 4, pos + 8));
    if (pos + 12 + len > buf.length) fail(`chunk '${type}' at byte ${pos} declares ${len} data bytes but the file ends after ${buf.length - pos - 12}`);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    const stored = view.getUint32(pos + 8 + len, false);
    const actual = crc32(buf.subarray(pos + 4, pos + 8 + len));
    if (stored !== actual) fail(`chunk '${type}' has CRC 0x${stored.toString(16)}, computed 0x${actual.toString(16)}`);
    if (type === 'IHDR') {
      if (len !== 13) fail(`IHDR must be 13 bytes, got ${len}`);
      const hv = new DataView(body.buffer, body.byteOffset, 13);
      width = hv.getUint32(0, false);
      height = hv.getUint32(4, false);
      const [depth, colorType, , , interlace] = body.subarray(8, 13);
      if (depth !== 8) fail(`bit depth ${depth} is not supported, only 8`);
      if (!(colorType in CHANNELS_OF_COLOR_TYPE)) fail(`colour type ${colorType} is not supported (palette images are not); expected 0, 2, 4 or 6`);
      if (interlace !== 0) fail(`interlaced (Adam7) images are not supported`);
      if (width < 1 || height < 1) fail(`bad size ${width}×${height}`);
      channels = CHANNELS_OF_COLOR_TYPE[colorType];
      sawHeader = true;
    } else if (type === 'IDAT') {
      if (!sawHeader) fail(`IDAT before IHDR`);
      idat.push(body);
    } else if (type === 'IEND') {
      sawEnd = true;
      break;
    } else if ((buf[pos + 4] & 0x20) === 0) {
      fail(`unknown critical chunk '${type}'`);
    }
    pos += 12 + len;
  }
  if (!sawHeader) fail(`no IHDR chunk`);
  if (!sawEnd) fail(`truncated: no IEND chunk`);
  // Inflate at most the bytes IHDR declares (rows plus their filter bytes): a 1 MB IDAT of zeros
  // behind a small IHDR would otherwise expand to gigabytes before the size check.
  const stride = width * channels;
  const raw = inflateExactly('zlib', Buffer.concat(idat), (stride + 1) * height, `decodePng: '${name}': image data`);
  if (raw.length !== (stride + 1) * height) fail(`image data is ${raw.length} bytes, expected ${(stride + 1) * height} for ${width}×${height}×${channels}`);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = out.subarray(y * stride, (y + 1) * stride);
    const prevRow = y > 0 ? out.subarray((y - 1) * stride, y * stride) : null;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prevRow ? prevRow[i] : 0;
      const c = prevRow && i >= channels ? prevRow[i - channels] : 0;
      let pred: number;
      switch (f) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >>> 1; break;
        case 4: pred = paeth(a, b, c); break;
        default: return fail(`row ${y} has unknown filter type ${f}, expected 0-4`);
      }
      cur[i] = (src[i] + pred) & 0xff;
    }
  }
  return { width, height, channels, data: out };
}

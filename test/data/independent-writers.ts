// Writers for the formats the data tests feed tessera, built from the format descriptions and
// nothing in src/: .npy bytes (numpy.lib.format 1.0), PNG bytes (signature, IHDR, one zlib IDAT,
// IEND, CRC-32 from the tests' own bitwise crc32 in test/io/helpers.ts), so a bug in tessera's own
// writers cannot hide one in its readers.
import { deflateSync } from 'node:zlib';
import { crc32Bitwise as crc32 } from '../io/helpers.js';

/** A version 1.0 .npy file: the header dict padded with spaces to a multiple of 64, then `body`. */
export function npyBytes(descr: string, shape: number[], body: Uint8Array): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
}

/** Little-endian bytes of `values` as numpy's descr says ('<f4', '<f8', '|u1', '<i4', '<i8', '|b1', '<i2'). */
export function npyBody(descr: string, values: number[]): Uint8Array {
  const size: Record<string, number> = { '<f4': 4, '<f8': 8, '|u1': 1, '<i4': 4, '<i8': 8, '|b1': 1, '<i2': 2 };
  const b = size[descr];
  const dv = new DataView(new ArrayBuffer(values.length * b));
  values.forEach((v, i) => {
    switch (descr) {
      case '<f4': dv.setFloat32(4 * i, v, true); break;
      case '<f8': dv.setFloat64(8 * i, v, true); break;
      case '|u1': case '|b1': dv.setUint8(i, v); break;
      case '<i2': dv.setInt16(2 * i, v, true); break;
      case '<i4': dv.setInt32(4 * i, v, true); break;
      case '<i8': dv.setBigInt64(8 * i, BigInt(v), true); break;
    }
  });
  return new Uint8Array(dv.buffer);
}

export const npyOf = (descr: string, shape: number[], values: number[]) => npyBytes(descr, shape, npyBody(descr, values));

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit PNG, grey (channels 1) or RGB (3), every row with filter type 0. */
export function pngBytes(width: number, height: number, channels: 1 | 3, pixels: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = channels === 1 ? 0 : 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0)),
  ]);
}

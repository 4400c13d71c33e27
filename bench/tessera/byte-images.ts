// Fashion-MNIST images kept as bytes (47 MB for the training set instead of a 188 MB float32
// copy), scaled to [0, 1] as rows are gathered into a batch: the same float32 values as
// loadFashionMnist's pixel / 255.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { fashionMnistDir, type Dataset } from '../../src/index.js';

/** byte / 255 rounded to float32, for every byte (loadFashionMnist's values, bit for bit). */
const SCALE = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/** Fashion-MNIST images as bytes; rows are scaled to [0, 1] as they are read. */
export class ByteImages implements Dataset {
  readonly featureShape = [784];
  readonly length: number;
  /** The same bytes read four at a time (784 = 4 · 196, so every row starts on a word). */
  private readonly words: Uint32Array;

  constructor(pixels: Uint8Array) {
    if (pixels.length % 784 !== 0) throw new Error(`ByteImages: ${pixels.length} bytes are not whole 784-pixel rows`);
    const aligned = pixels.byteOffset % 4 === 0 ? pixels : pixels.slice();
    this.words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
    this.length = pixels.length / 784;
  }

  readRows(indices: ArrayLike<number>, out: Float32Array): void {
    if (out.length < indices.length * 784) throw new Error(`ByteImages.readRows: out holds ${out.length} values, need ${indices.length} × 784`);
    const w32 = this.words;
    const lut = SCALE;
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!(r >= 0 && r < this.length)) throw new Error(`ByteImages.readRows: index ${r} is out of range [0, ${this.length})`);
      const src = r * 196;
      let o = i * 784;
      // One 32-bit load and four table lookups per four pixels (little-endian: byte 0 is the low
      // one). Measured per batch of 256: 0.23 ms dividing by 255, 0.19 ms with the table one
      // byte at a time, 0.12 ms like this; a float32 copy of the data set needs 0.03 ms.
      for (let k = 0; k < 196; k++, o += 4) {
        const w = w32[src + k];
        out[o] = lut[w & 255];
        out[o + 1] = lut[(w >>> 8) & 255];
        out[o + 2] = lut[(w >>> 16) & 255];
        out[o + 3] = lut[w >>> 24];
      }
    }
  }
}

/**
 * The bundled training or test images, as bytes. The .gz file is inflated as a stream into one
 * array of the size its IDX header gives: readIdx's gunzipSync holds the compressed file, the
 * inflated chunks and their concatenation at once (measured: RSS 53 → 215 MiB while loading the
 * training set), this holds the 47 MB of pixels and one chunk (53 → ~105 MiB).
 */
export async function loadByteImages(split: 'train' | 'test'): Promise<ByteImages> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const file = `${fashionMnistDir()}/${prefix}-images-idx3-ubyte.gz`;
  const where = `bench/tessera/byte-images.ts: ${file}`;
  const header = new Uint8Array(16);
  let pixels: Uint8Array | null = null;
  let have = 0; // bytes of the inflated stream seen so far (header included)
  for await (const chunk of createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    let c: Uint8Array = chunk;
    if (have < 16) {
      const take = Math.min(16 - have, c.length);
      header.set(c.subarray(0, take), have);
      have += take;
      c = c.subarray(take);
      if (have === 16) {
        const v = new DataView(header.buffer);
        // magic 0x00000803: unsigned bytes, 3 dimensions (IDX)
        if (v.getUint32(0) !== 0x803 || v.getUint32(8) * v.getUint32(12) !== 784) {
          throw new Error(`${where}: expected an IDX uint8 [n, 28, 28] header, got magic 0x${v.getUint32(0).toString(16)}`);
        }
        pixels = new Uint8Array(v.getUint32(4) * 784);
      }
    }
    if (c.length === 0) continue;
    if (!pixels || have - 16 + c.length > pixels.length) throw new Error(`${where}: more pixel bytes than its header declares`);
    pixels.set(c, have - 16);
    have += c.length;
  }
  if (!pixels || have - 16 !== pixels.length) throw new Error(`${where}: truncated: ${Math.max(0, have - 16)} pixel bytes, header declares ${pixels?.length ?? '?'}`);
  return new ByteImages(pixels);
}

// Fashion-MNIST images kept as bytes (47 MB for the training set instead of a 188 MB float32
// copy) in a ByteDataset, scaled to [0, 1] as rows are gathered into a batch (natively when the
// addon is built): the same float32 values as loadFashionMnist's pixel / 255.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { ByteDataset, fashionMnistDir } from '../../src/index.js';

/**
 * The bundled training or test images, as bytes. The .gz file is inflated as a stream into one
 * array of the size its IDX header gives: readIdx's gunzipSync holds the compressed file, the
 * inflated chunks and their concatenation at once (measured: RSS 53 → 215 MiB while loading the
 * training set), this holds the 47 MB of pixels and one chunk (53 → ~105 MiB).
 */
export async function loadByteImages(split: 'train' | 'test'): Promise<ByteDataset> {
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
  return new ByteDataset(pixels, [784]);
}

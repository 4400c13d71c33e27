// Fashion-MNIST images kept as bytes (47 MB for the training set instead of a 188 MB float32
// copy), scaled to [0, 1] as rows are gathered into a batch: the same float32 values as
// loadFashionMnist's pixel / 255.
import { fashionMnistDir, readIdx, type Dataset } from '../../src/index.js';

/** Fashion-MNIST images as bytes; rows are scaled to [0, 1] as they are read. */
export class ByteImages implements Dataset {
  readonly featureShape = [784];
  readonly length: number;
  constructor(private readonly pixels: Uint8Array) {
    this.length = pixels.length / 784;
  }

  readRows(indices: ArrayLike<number>, out: Float32Array): void {
    const px = this.pixels;
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!(r >= 0 && r < this.length)) throw new Error(`ByteImages.readRows: index ${r} is out of range [0, ${this.length})`);
      const src = r * 784;
      const dst = i * 784;
      for (let k = 0; k < 784; k++) out[dst + k] = px[src + k] / 255;
    }
  }
}

/** The bundled training or test images, as bytes. */
export function loadByteImages(split: 'train' | 'test'): ByteImages {
  const prefix = split === 'train' ? 'train' : 't10k';
  const idx = readIdx(`${fashionMnistDir()}/${prefix}-images-idx3-ubyte.gz`);
  if (idx.type !== 'uint8' || idx.dims.length !== 3 || idx.dims[1] * idx.dims[2] !== 784) {
    throw new Error(`bench/tessera/byte-images.ts: ${prefix} images are ${idx.type} [${idx.dims.join(', ')}], expected uint8 [n, 28, 28]`);
  }
  return new ByteImages(idx.data as Uint8Array);
}


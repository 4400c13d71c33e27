// The page's data: the Fashion-MNIST subset that the server (or any static host of the built
// folder) serves under data/, and the user's own PNG images, decoded by the browser and turned
// into 28×28 grey rows like Fashion-MNIST's (0…255, one byte per pixel).
import { IMAGE_SIZE, PIXELS } from './session.js';

export interface ImageSet {
  /** count·784 bytes. */
  images: Uint8Array;
  /** Class 0…9 per image (-1: the user's own). */
  labels: Int8Array;
  count: number;
}

async function bytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`playground: GET ${url} answered ${response.status} (build the page with npm run build:web)`);
  return new Uint8Array(await response.arrayBuffer());
}

async function imageSet(name: string): Promise<ImageSet> {
  const [images, labels] = await Promise.all([bytes(`data/${name}-images.u8`), bytes(`data/${name}-labels.u8`)]);
  const count = labels.length;
  if (images.length !== count * PIXELS) throw new Error(`playground: data/${name}-images.u8 has ${images.length} bytes, expected ${count}·${PIXELS} for its ${count} labels`);
  return { images, labels: new Int8Array(labels.buffer, labels.byteOffset, labels.length), count };
}

export async function loadFashion(): Promise<{ train: ImageSet; test: ImageSet }> {
  const [train, test] = await Promise.all([imageSet('train'), imageSet('test')]);
  return { train, test };
}

/** A dropped or chosen image file as a 28×28 grey row: scaled to fit, centred on black, luminance. */
export async function decodeImageFile(file: File): Promise<Uint8Array> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (e) {
    throw new Error(`playground: ${file.name} could not be decoded as an image (${(e as Error).message})`);
  }
  const canvas = document.createElement('canvas');
  canvas.width = IMAGE_SIZE;
  canvas.height = IMAGE_SIZE;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('playground: no 2-D canvas context to decode images with');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, IMAGE_SIZE, IMAGE_SIZE);
  const scale = IMAGE_SIZE / Math.max(bitmap.width, bitmap.height);
  const w = bitmap.width * scale, h = bitmap.height * scale;
  ctx.drawImage(bitmap, (IMAGE_SIZE - w) / 2, (IMAGE_SIZE - h) / 2, w, h);
  const rgba = ctx.getImageData(0, 0, IMAGE_SIZE, IMAGE_SIZE).data;
  const out = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) out[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
  return out;
}

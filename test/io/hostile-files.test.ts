// Hostile files: decompression bombs (a small gzip/zlib stream that inflates to far more than
// its header declares) and paths that are not regular files (/dev/zero behind a symlink, a FIFO,
// a directory). Every reader must refuse with the file named, quickly, without its memory growing.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDeflate, createGzip, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readIdx } from '../../src/io/idx.js';
import { readNpy } from '../../src/io/npy.js';
import { decodePng } from '../../src/io/png.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { IdxFileDataset } from '../../src/data/idx-file-dataset.js';
import { NpyFileDataset } from '../../src/data/npy-file-dataset.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { compressStream, crc32Bitwise, MiB, peakRss, tempDir } from './helpers.js';

/** How much zero padding the bombs carry: 256 MiB inflated, ~1 MiB compressed, ~0.5 s to build. */
const BOMB_PAYLOAD = 256 * MiB;

/** An IDX header for uint8 data of `dims`, followed by prod(dims) bytes of `fill`. */
function idxFile(dims: number[], fill = 7): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const buf = new Uint8Array(4 + 4 * dims.length + count).fill(fill);
  buf.fill(0, 0, 4);
  buf[2] = 0x08;
  buf[3] = dims.length;
  const dv = new DataView(buf.buffer);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  return buf;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32Bitwise(body), 8 + data.length);
  return out;
}

/** A PNG whose IHDR says `width`×`height` gray but whose IDAT stream is `idat`. */
function pngWith(width: number, height: number, idat: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0)),
  ]);
}

// The bombs run first in this file, so the peak RSS before them is this fork's baseline.
describe('decompression bombs', () => {
  it('readIdx refuses a gzip that inflates past its header, without inflating it (file and loaders)', async () => {
    const bomb = await compressStream(createGzip({ level: 1 }), idxFile([10]), BOMB_PAYLOAD);
    expect(bomb.length).toBeLessThan(4 * MiB);
    const dir = tempDir('bomb');
    const file = path.join(dir, 'train-labels-idx1-ubyte.gz');
    fs.writeFileSync(file, bomb);
    const before = peakRss();
    expect(() => readIdx(bomb, 'bomb.gz')).toThrow(/readIdx: 'bomb\.gz' decompresses to more than the 18 bytes its header declares/);
    expect(() => readIdx(file)).toThrow(new RegExp(`'${file.replace(/[.]/g, '\\.')}' decompresses to more than`));
    // The loaders that read labels (or a whole data folder) go through readIdx too.
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxFile([10, 28, 28]));
    expect(() => loadFashionMnist({ split: 'train', dataDir: dir })).toThrow(/train-labels-idx1-ubyte\.gz' decompresses to more than/);
    expect(() => new IdxFileDataset(path.join(dir, 'train-images-idx3-ubyte'), { labelsPath: file })).toThrow(/decompresses to more than/);
    // Inflating the payload would have cost at least BOMB_PAYLOAD; the cap keeps it to a few MiB.
    expect(peakRss() - before).toBeLessThan(64 * MiB);
  });

  it('readIdx refuses a header that declares more than the compressed bytes could ever hold', () => {
    const small = idxFile([4]);
    const lying = new Uint8Array(small);
    new DataView(lying.buffer).setUint32(4, 2_000_000_000, false);
    const gz = deflateGzip(lying);
    expect(() => readIdx(gz, 'lying.gz')).toThrow(/readIdx: 'lying\.gz' is truncated: its header declares 2000000008 decompressed bytes/);
  });

  it('decodePng refuses IDAT that inflates past what IHDR declares', async () => {
    const idat = await compressStream(createDeflate({ level: 1 }), new Uint8Array(0), BOMB_PAYLOAD);
    const png = pngWith(4, 4, idat);
    const before = peakRss();
    expect(() => decodePng(png, 'bomb.png')).toThrow(/decodePng: 'bomb\.png': image data decompresses to more than the 20 bytes its header declares/);
    expect(peakRss() - before).toBeLessThan(64 * MiB);
  });

  it('decodePng still reads an image whose IDAT is exactly what IHDR declares', () => {
    const raw = new Uint8Array((3 + 1) * 2); // 3×2 gray, filter byte 0 per row
    raw.set([0, 10, 20, 30, 0, 40, 50, 60]);
    const img = decodePng(pngWith(3, 2, deflateSync(raw)), 'ok.png');
    expect(Array.from(img.data)).toEqual([10, 20, 30, 40, 50, 60]);
  });
});

/** gzip by the system's gzip(1), an implementation independent of node:zlib. */
function deflateGzip(bytes: Uint8Array): Buffer {
  return execFileSync('gzip', ['-c', '-n'], { input: bytes });
}

describe('non-regular files', () => {
  const readers: [string, (p: string) => unknown][] = [
    ['readSafetensors', (p) => readSafetensors(p)],
    ['readNpy', (p) => readNpy(p)],
    ['readIdx', (p) => readIdx(p)],
    ['NpyFileDataset', (p) => new NpyFileDataset(p)],
    ['IdxFileDataset', (p) => new IdxFileDataset(p)],
  ];

  it('refuse /dev/zero behind a symlink, naming the link, at once', () => {
    const dir = tempDir('devzero');
    const link = path.join(dir, 'model.safetensors');
    fs.symlinkSync('/dev/zero', link);
    const before = peakRss();
    for (const [op, read] of readers) {
      expect(() => read(link), op).toThrow(new RegExp(`${op}: '${link.replace(/[.]/g, '\\.')}' is a character device, not a regular file`));
    }
    expect(peakRss() - before).toBeLessThan(64 * MiB);
  });

  it('refuse a FIFO without blocking, and a directory', () => {
    const dir = tempDir('fifo');
    const fifo = path.join(dir, 'data.npy');
    execFileSync('mkfifo', [fifo]);
    for (const [op, read] of readers) {
      expect(() => read(fifo), op).toThrow(new RegExp(`${op}: '.*data\\.npy' is a named pipe \\(FIFO\\), not a regular file`));
      expect(() => read(dir), op).toThrow(new RegExp(`${op}: '.*' is a directory, not a regular file`));
    }
  }, 10_000);

  it('name the file when it does not exist', () => {
    expect(() => readSafetensors('/nonexistent/x.safetensors')).toThrow(/readSafetensors: cannot read '\/nonexistent\/x\.safetensors': ENOENT/);
  });
});

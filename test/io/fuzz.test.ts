// Fuzzing the file readers with a fixed seed: valid safetensors, npy, IDX (raw and gzip) and PNG
// files are truncated, bit-flipped, given forged length fields and huge dimensions, and every
// reader must either parse the result into something self-consistent or throw an error that
// names the file: never crash, hang or balloon in memory. A model loaded from a mutated
// safetensors file must be unchanged when the load fails. CSV has its own block at the end
// (its parser is being rewritten separately; it is fuzzed through the public readCsv as it is).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Generator, setBackend } from '../../src/index.js';
import { readCsv } from '../../src/io/csv.js';
import { loadModule, saveModuleSync } from '../../src/nn/checkpoint.js';
import { parseIdxHeader, readIdx } from '../../src/io/idx.js';
import { MAX_DEFLATE_RATIO } from '../../src/io/inflate.js';
import { encodeNpy, readNpy } from '../../src/io/npy.js';
import { decodePng, encodePng } from '../../src/io/png.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { compressStream, crc32Bitwise, MiB, peakRss, tempDir } from './helpers.js';

/** mulberry32: a tiny seeded generator, independent of src/random.ts. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HUGE = [0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 1e9, 0];

/** One random mutation of `src`: truncation, bit flips, a forged 32-bit field, or duplicated bytes. */
function mutate(src: Uint8Array, rand: () => number, fields: number[]): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const out = Uint8Array.from(src);
  switch (pick(5)) {
    case 0: return src.subarray(0, pick(src.length));
    case 1: {
      for (let k = 1 + pick(4); k > 0; k--) { const i = pick(out.length); out[i] ^= 1 << pick(8); }
      return out;
    }
    case 2: {
      // A length or dimension field (given per format, big- or little-endian alike) set to a huge or odd value.
      const at = fields.length > 0 && rand() < 0.8 ? fields[pick(fields.length)] : pick(Math.max(1, out.length - 4));
      const v = rand() < 0.7 ? HUGE[pick(HUGE.length)] : pick(0x100000000);
      const dv = new DataView(out.buffer);
      if (at + 4 <= out.length) dv.setUint32(at, v >>> 0, rand() < 0.5);
      return out;
    }
    case 3: {
      const i = pick(out.length);
      const len = 1 + pick(64);
      const both = new Uint8Array(out.length + len);
      both.set(out.subarray(0, i));
      both.set(out.subarray(i, i + len), i);
      both.set(out.subarray(i), i + Math.min(len, out.length - i));
      return both.subarray(0, out.length + Math.min(len, out.length - i));
    }
    default: {
      const i = pick(out.length);
      out.fill(rand() < 0.5 ? 0xff : 0, i, i + 1 + pick(16));
      return out;
    }
  }
}

const ROUNDS = 300;

/**
 * Runs `parse` on ROUNDS mutations of `valid`: each parses to something `check` accepts, or
 * throws an Error naming `name`. Returns [parsed, refused] counts.
 */
function fuzz(valid: Uint8Array, fields: number[], seed: number, name: string, parse: (bytes: Uint8Array) => unknown, check: (r: unknown) => void): [number, number] {
  const rand = rng(seed);
  let ok = 0, refused = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const bytes = mutate(valid, rand, fields);
    let result: unknown;
    try {
      result = parse(bytes);
    } catch (err) {
      expect(err, `round ${round}`).toBeInstanceOf(Error);
      expect((err as Error).message, `round ${round}: the error must name the file`).toContain(name);
      refused++;
      continue;
    }
    check(result);
    ok++;
  }
  return [ok, refused];
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('fuzzing the binary readers (fixed seed)', () => {
  const before = peakRss();

  it('safetensors', () => {
    const valid = serializeSafetensors({
      'enc.weight': { dtype: 'F32', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) },
      'enc.bias': { dtype: 'F64', shape: [3], data: Float64Array.from([1, -2, 3]) },
    }, { epoch: '3' });
    const headerLen = Number(new DataView(valid.buffer, valid.byteOffset).getBigUint64(0, true));
    // The length field, and the digits of every number in the header (shapes and offsets).
    const fields = [0, 4, ...Array.from(valid.subarray(8, 8 + headerLen)).flatMap((b, i) => (b >= 0x30 && b <= 0x39 ? [8 + i] : []))];
    const [ok, refused] = fuzz(valid, fields, 1, 'fuzz.safetensors', (b) => parseSafetensors(b, 'fuzz.safetensors'), (r) => {
      for (const t of (r as ReturnType<typeof parseSafetensors>).tensors.values()) expect(t.data.length).toBe(product(t.shape));
    });
    expect(refused).toBeGreaterThan(ROUNDS / 2);
    expect(ok + refused).toBe(ROUNDS);
  });

  it('npy', () => {
    const valid = encodeNpy(Float32Array.from({ length: 12 }, (_, i) => i), [3, 4]);
    const [, refused] = fuzz(valid, [6, 8], 2, 'fuzz.npy', (b) => readNpy(b, 'fuzz.npy'), (r) => {
      const a = r as ReturnType<typeof readNpy>;
      expect(a.data.length).toBe(product(a.shape));
    });
    expect(refused).toBeGreaterThan(ROUNDS / 2);
    // Huge dimensions written into the header text itself.
    for (const shape of ['(4294967295, 4294967295)', '(99999999999999999999,)', '(3, -4)', '(3, 4', "'x'"]) {
      const text = Buffer.from(valid).toString('latin1').replace('(3, 4)', shape);
      expect(() => readNpy(Buffer.from(text, 'latin1'), 'dims.npy'), shape).toThrow(/'dims\.npy'/);
    }
  });

  it('IDX, raw and gzip-compressed', () => {
    const raw = new Uint8Array(4 + 12 + 5 * 4 * 4);
    raw.set([0, 0, 0x08, 3]);
    const dv = new DataView(raw.buffer);
    [5, 4, 4].forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
    for (let i = 16; i < raw.length; i++) raw[i] = i * 37;
    const check = (r: unknown) => {
      const a = r as ReturnType<typeof readIdx>;
      expect(a.data.length).toBe(product(a.dims));
    };
    const fields = [0, 4, 8, 12];
    expect(fuzz(raw, fields, 3, 'fuzz.idx', (b) => readIdx(b, 'fuzz.idx'), check)[1]).toBeGreaterThan(ROUNDS / 2);
    // Mutate the compressed bytes, and compress mutated files (huge dims behind a valid gzip).
    const gz = gzipSync(raw);
    expect(fuzz(gz, [4, gz.length - 8, gz.length - 4], 4, 'fuzz.idx.gz', (b) => readIdx(b, 'fuzz.idx.gz'), check)[1]).toBeGreaterThan(ROUNDS / 2);
    fuzz(raw, fields, 5, 'inner.idx.gz', (b) => readIdx(gzipSync(b), 'inner.idx.gz'), check);
  });

  it('IDX gzip with a bomb appended (a second gzip member of 256 MiB of zeros) behind mutated headers', async () => {
    // gzip files may hold several members, decompressed one after the other: the tail is legal gzip.
    const tail = await compressStream(createGzip({ level: 1 }), new Uint8Array(0), 256 * MiB);
    const raw = new Uint8Array(4 + 8 + 6 * 5);
    raw.set([0, 0, 0x08, 2]);
    new DataView(raw.buffer).setUint32(4, 6, false);
    new DataView(raw.buffer).setUint32(8, 5, false);
    const rand = rng(10);
    const start = peakRss();
    // A header may honestly declare a large array: memory may grow to what it declares, never to the tail.
    let declared = 0;
    for (let round = 0; round < 12; round++) {
      const head = round === 0 ? raw : mutate(raw, rand, [4, 8]);
      const file = Buffer.concat([gzipSync(head), tail]);
      try {
        const h = parseIdxHeader(head, 'head');
        const size = h.dataOffset + h.count * h.bytesPerElement;
        // Sizes the compressed bytes cannot hold (deflate expands at most ~1032:1) are refused unread.
        if (size <= MAX_DEFLATE_RATIO * file.length + 65536) declared = Math.max(declared, size);
      } catch { /* a header that does not parse is refused before any inflating */ }
      expect(() => readIdx(file, 'bomb.idx.gz'), `round ${round}`).toThrow(/'bomb\.idx\.gz'/);
      expect(peakRss() - start, `round ${round}`).toBeLessThan(64 * MiB + declared);
    }
  });

  it('PNG, with and without the CRCs fixed up after the mutation', () => {
    const img = { width: 9, height: 7, channels: 3 as const, data: Uint8Array.from({ length: 9 * 7 * 3 }, (_, i) => (i * 29) & 0xff) };
    const valid = encodePng(img);
    const check = (r: unknown) => {
      const im = r as ReturnType<typeof decodePng>;
      expect(im.data.length).toBe(im.width * im.height * im.channels);
    };
    // IHDR's width and height, and the IDAT length field.
    const fields = [16, 20, 33];
    fuzz(valid, fields, 6, 'fuzz.png', (b) => decodePng(b, 'fuzz.png'), check);
    /** Recomputes every chunk's CRC so that mutations reach past the CRC check. */
    const fixCrcs = (b: Uint8Array): Uint8Array => {
      const out = Uint8Array.from(b);
      const v = new DataView(out.buffer);
      for (let pos = 8; pos + 12 <= out.length;) {
        const len = v.getUint32(pos, false);
        if (pos + 12 + len > out.length) break;
        v.setUint32(pos + 8 + len, crc32Bitwise(out.subarray(pos + 4, pos + 8 + len)), false);
        pos += 12 + len;
      }
      return out;
    };
    const [, refused] = fuzz(valid, fields, 7, 'crc.png', (b) => decodePng(fixCrcs(b), 'crc.png'), check);
    expect(refused).toBeGreaterThan(ROUNDS / 3);
  });

  it('a model loaded from a mutated safetensors file is unchanged when the load fails', () => {
    setBackend('js');
    const dir = tempDir('fuzz-model');
    const model = denseAutoencoder({ hidden: [6], latent: 2, generator: new Generator(5) });
    const good = path.join(dir, 'good.safetensors');
    saveModuleSync(good, model);
    const other = denseAutoencoder({ hidden: [6], latent: 2, generator: new Generator(6) });
    const snapshot = () => other.parameters().map((p) => Array.from(p.dataSync() as Float32Array));
    const before = snapshot();
    const valid = fs.readFileSync(good);
    const rand = rng(8);
    const file = path.join(dir, 'mutated.safetensors');
    let failed = 0;
    for (let round = 0; round < 80; round++) {
      fs.writeFileSync(file, mutate(valid, rand, [0, 4]));
      try {
        loadModule(file, other);
        // A mutation that still loads (e.g. a flipped bit in a weight) may change the weights: start again.
        saveModuleSync(file, denseAutoencoder({ hidden: [6], latent: 2, generator: new Generator(6) }));
        loadModule(file, other);
      } catch (err) {
        expect((err as Error).message).toContain('mutated.safetensors');
        failed++;
      }
      expect(snapshot(), `round ${round}`).toEqual(before);
    }
    expect(failed).toBeGreaterThan(40);
  });

  it('the fuzzing stayed within bounded memory', () => {
    expect(peakRss() - before).toBeLessThan(256 * 2 ** 20);
  });
});

// CSV is being rewritten separately: this block fuzzes it through the public file API as it is,
// kept apart so that the rewrite can tighten it.
describe('fuzzing readCsv through a file (fixed seed)', () => {
  it('a mutated CSV file parses consistently or is refused naming the file', () => {
    const dir = tempDir('fuzz-csv');
    const file = path.join(dir, 'fuzz.csv');
    const valid = Buffer.from('a,b,c\n1,2.5,-3\n4e2,NaN,6\n7,8,9\n', 'utf8');
    const rand = rng(9);
    for (let round = 0; round < 200; round++) {
      fs.writeFileSync(file, mutate(valid, rand, []));
      try {
        const t = readCsv(file);
        expect(t.data.length).toBe(t.rows * t.cols);
      } catch (err) {
        expect((err as Error).message, `round ${round}`).toContain('fuzz.csv');
      }
    }
  });
});

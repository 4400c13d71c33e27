// `tessera train --stream`: the training rows of a .npy or raw IDX file are read a batch at a time
// from the file (never with readDataFile, which loads the whole file), and the run is the same run:
// byte-identical weights and identical losses to training from memory, for float32 and uint8 .npy
// and for raw IDX files (uint8, float32) written here with their own writers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { Generator } from '../../src/index.js';
import { npyOf } from '../data/independent-writers.js';
import { cli, tempDir } from './helpers.js';
import * as dataFile from '../../src/data/data-file.js';
import { streamsFrom } from '../../src/train/run-data.js';

// A spy on the in-memory reader: the streamed run must never call it for its training data.
vi.mock('../../src/data/data-file.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/data/data-file.js')>();
  return { ...real, readDataFile: vi.fn(real.readDataFile) };
});
const readDataFile = vi.mocked(dataFile.readDataFile);

const root = tempDir('stream');
const at = (f: string) => path.join(root, f);
const JS = ['--backend', 'js', '--quiet', '--epochs', '2', '--batch-size', '16', '--hidden', '16', '--latent', '3'];

/** Raw IDX bytes (big-endian), written here: magic 0 0 type ndim, dims, data. */
function idxOf(type: 0x08 | 0x0d, dims: number[], values: number[]): Buffer {
  const size = type === 0x08 ? 1 : 4;
  const b = Buffer.alloc(4 + 4 * dims.length + values.length * size);
  b[2] = type; b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  const o = 4 + 4 * dims.length;
  values.forEach((v, i) => (type === 0x08 ? b.writeUInt8(v, o + i) : b.writeFloatBE(v, o + 4 * i)));
  return b;
}

const g = new Generator(7);
const N = 150, F = 12;
const floats = Array.from({ length: N * F }, (_, i) => 3 + (i % F) + 2 * g.normal());
const bytes = Array.from({ length: N * 64 }, () => Math.floor(g.uniform() * 256));
const labels = Array.from({ length: N }, (_, i) => i % 3);

async function trainBoth(name: string, args: string[]): Promise<{ memory: string; stream: string }> {
  const memory = at(`${name}-memory`), stream = at(`${name}-stream`);
  const dataArg = args[args.indexOf('--data') + 1];
  readDataFile.mockClear();
  const a = await cli(['train', ...JS, ...args, '--out', memory]);
  expect(a.stderr).toBe('');
  expect(a.code).toBe(0);
  expect(readDataFile.mock.calls.map((c) => c[0])).toContain(dataArg);   // the spy sees the in-memory read
  readDataFile.mockClear();
  const b = await cli(['train', ...JS, ...args, '--stream', '--out', stream]);
  expect(b.stderr).toBe('');
  expect(b.code).toBe(0);
  // The streamed training data was never read whole.
  expect(readDataFile.mock.calls.map((c) => c[0])).not.toContain(dataArg);
  return { memory, stream };
}

function expectSameRun(r: { memory: string; stream: string }): void {
  const w = (dir: string) => fs.readFileSync(path.join(dir, 'model.safetensors'));
  expect(Buffer.compare(w(r.memory), w(r.stream))).toBe(0);
  const m = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
  // Every per-epoch figure but the time taken and the speed.
  const history = (dir: string) => { const h = m(dir).history; delete h.seconds; delete h.samplesPerSecond; return h; };
  expect(history(r.memory).loss).toHaveLength(2);
  expect(history(r.stream)).toEqual(history(r.memory));
  expect(m(r.stream).test).toEqual(m(r.memory).test);
  const c = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).transform;
  expect(c(r.stream)).toEqual(c(r.memory));
}

describe('tessera train --stream', () => {
  test('float32 .npy, standardized, a seeded --val-split and labels: the same run as from memory', async () => {
    fs.writeFileSync(at('f32.npy'), npyOf('<f4', [N, F], floats));
    fs.writeFileSync(at('labels.npy'), npyOf('<i8', [N], labels));
    const r = await trainBoth('f32', ['--data', at('f32.npy'), '--labels', at('labels.npy')]);
    expectSameRun(r);
    const t = JSON.parse(fs.readFileSync(path.join(r.stream, 'config.json'), 'utf8')).transform;
    expect(t.kind).toBe('standardize');
  }, 60_000);

  test('float32 .npy with --scale minmax and --limit', async () => {
    expectSameRun(await trainBoth('minmax', ['--data', at('f32.npy'), '--scale', 'minmax', '--limit', '90']));
  }, 60_000);

  test('uint8 .npy images: divided by 255 a batch at a time, as ByteDataset does', async () => {
    fs.writeFileSync(at('u8.npy'), npyOf('|u1', [N, 1, 8, 8], bytes));
    expectSameRun(await trainBoth('u8', ['--data', at('u8.npy'), '--val-split', '0.2']));
    // Bytes standardized per feature, with a separate test file (read into memory: it is small).
    fs.writeFileSync(at('u8-test.npy'), npyOf('|u1', [30, 1, 8, 8], bytes.slice(0, 30 * 64)));
    expectSameRun(await trainBoth('u8std', ['--data', at('u8.npy'), '--scale', 'standardize', '--test-data', at('u8-test.npy')]));
  }, 60_000);

  test('raw IDX files, uint8 and float32', async () => {
    fs.writeFileSync(at('images-idx3-ubyte'), idxOf(0x08, [N, 8, 8], bytes));
    fs.writeFileSync(at('floats.idx'), idxOf(0x0d, [N, F], floats));
    expectSameRun(await trainBoth('idx8', ['--data', at('images-idx3-ubyte')]));
    expectSameRun(await trainBoth('idxf', ['--data', at('floats.idx'), '--scale', 'standardize']));
  }, 60_000);

  test('a non-finite value in a streamed file is refused before the run folder is written', async () => {
    const bad = [...floats];
    bad[5 * F + 2] = NaN;
    fs.writeFileSync(at('nan.npy'), npyOf('<f4', [N, F], bad));
    const out = at('nan-run');
    const r = await cli(['train', ...JS, '--data', at('nan.npy'), '--scale', 'none', '--stream', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nan\.npy' row 6, column 3: NaN is not a finite/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('--loss bce checks the streamed rows, naming the row, before the run folder is written', async () => {
    const out = at('bce-run');
    const r = await cli(['train', ...JS, '--data', at('f32.npy'), '--scale', 'none', '--loss', 'bce', '--stream', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--loss bce needs every value in \[0, 1\], but '.*f32\.npy' row 1, column 1 is .* after --scale none/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('--stream on a CSV is a usage error naming the file and the way out; nothing is written', async () => {
    fs.writeFileSync(at('t.csv'), '1,2\n3,4\n5,6\n');
    const out = at('csv-run');
    const r = await cli(['train', ...JS, '--data', at('t.csv'), '--stream', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--stream reads rows by position from a .npy or raw IDX file, but '${at('t.csv')}' is a CSV file; convert it to .npy`);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('streamsFrom: stream or load', () => {
  test('a .npy or raw IDX file larger than half the free memory streams; smaller ones load unless --stream', () => {
    const size = fs.statSync(at('f32.npy')).size;
    expect(streamsFrom('train', at('f32.npy'), false, 2 * size + 2)).toBe(false);
    expect(streamsFrom('train', at('f32.npy'), false, 2 * size - 2)).toBe(true);
    expect(streamsFrom('train', at('f32.npy'), true, 1e12)).toBe(true);
    expect(streamsFrom('train', at('images-idx3-ubyte'), false, 100)).toBe(true);
  });

  test('a CSV or gzip IDX too large for memory is refused, naming the file and the way out', () => {
    expect(() => streamsFrom('train', at('t.csv'), false, 10)).toThrow(/'.*t\.csv' \(12 bytes\) is larger than half the free memory \(10 bytes\) and, as a CSV file, cannot be streamed; convert it to \.npy/);
    fs.writeFileSync(at('x-idx3-ubyte.gz'), Buffer.alloc(64));
    expect(() => streamsFrom('train', at('x-idx3-ubyte.gz'), true)).toThrow(/is a gzip-compressed IDX file; decompress it \(gunzip -k\)/);
    expect(streamsFrom('train', at('t.csv'), false, 1e12)).toBe(false);
  });
});

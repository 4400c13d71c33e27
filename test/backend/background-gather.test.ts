// Backend.gatherRows(..., background = true) on native: the pool's workers gather between kernels, the
// returned function finishes the rest. Checked against the js gather's bits (odd row sizes, 1, 2
// and 3 threads, pool jobs run before the finish), that at two threads the rows are written while
// the caller is busy elsewhere (the point of it), and that a second start while one is running, a
// bad row, a bad handle and a handle never finished each do what the interface says.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { packageRoot } from '../../src/backend/native/addon.js';
import { gatherRows as gatherRowsJs } from '../../src/backend/js/gather.js';
import { nativeAddon, nativeInfo, setNativeThreads } from '../../src/backend/native/index.js';
import { gatherRows } from '../../src/ops/creation.js';
import { getBackend } from '../../src/index.js';
import { Generator } from '../../src/random.js';
import { nativeOrThrow } from './native-helpers.js';

const addon = nativeAddon();

function bytes(n: number, gen: Generator): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(gen.uniform() * 256);
  return b;
}

/** A data set of nRows random byte rows, `picks` rows of it in random order, and js's gather of them. */
function gatherCase(gen: Generator, rowSize: number, nRows: number, picks: number, divisor: number) {
  const src = bytes(nRows * rowSize, gen);
  const rows = Uint32Array.from({ length: picks }, (_, i) => (i === 0 ? nRows - 1 : Math.floor(gen.uniform() * nRows)));
  const want = new Float32Array(picks * rowSize);
  gatherRowsJs(src, rowSize, rows, divisor, want);
  return { src, rows, want };
}

function firstDifference(got: Float32Array, want: Float32Array): string | null {
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return `[${i}]: got ${got[i]}, want ${want[i]}`;
  return null;
}

/** A product big enough to be a pool job at two threads (gemmSplit: ≥ 4 MFLOP). */
function poolJob(gen: Generator): void {
  const n = 128, a = new Float32Array(n * n).map(() => gen.uniform()), out = new Float32Array(n * n);
  nativeOrThrow().matmul(a, a, out, { batch: 1, m: n, n, k: n, transA: false, transB: false, strideA: 0, strideB: 0 });
}

describe.skipIf(addon === null)('native gatherRows in the background', () => {
  const threadsBefore = addon === null ? 1 : nativeInfo().threads;
  afterEach(() => setNativeThreads(threadsBefore));

  it('gives the js gather\'s bits on odd row sizes at 1, 2 and 3 threads, with pool jobs run before the finish', () => {
    const gen = new Generator(41);
    const native = nativeOrThrow();
    for (const threads of [1, 2, 3]) {
      setNativeThreads(threads);
      for (const rowSize of [1, 3, 17, 784, 4099]) {
        const { src, rows, want } = gatherCase(gen, rowSize, 37, 301, 255);
        const got = new Float32Array(want.length + 3).fill(-1);
        const finish = native.gatherRows(src, rowSize, rows, 255, got, true);
        poolJob(gen);
        poolJob(gen);
        finish();
        finish();  // a second call does nothing
        expect(firstDifference(got.subarray(0, want.length), want), `${threads} threads, rows of ${rowSize}`).toBeNull();
        expect(Array.from(got.subarray(want.length)), 'past the rows').toEqual([-1, -1, -1]);
      }
    }
  });

  it('at two threads a worker writes the rows while the caller runs JavaScript; at one thread they are there at once', () => {
    const gen = new Generator(5);
    const native = nativeOrThrow();
    const rowSize = 784, nRows = 500, src = bytes(nRows * rowSize, gen);
    src.fill(7, 0, rowSize);  // row 0 of the data set: no zero byte, so a row written reads non-zero
    const rows = Uint32Array.from({ length: 4000 }, (_, i) => (i % 50 === 0 ? 0 : Math.floor(gen.uniform() * nRows)));
    const want = new Float32Array(rows.length * rowSize);
    gatherRowsJs(src, rowSize, rows, 255, want);
    const written = (out: Float32Array): boolean => rows.every((r, i) => r !== 0 || out[i * rowSize] !== 0);
    setNativeThreads(1);
    const once = new Float32Array(want.length);
    const finishOnce = native.gatherRows(src, rowSize, rows, 255, once, true);
    expect(written(once), 'one thread: gathered before the call returns').toBe(true);
    finishOnce();
    setNativeThreads(2);
    const out = new Float32Array(want.length);
    const finish = native.gatherRows(src, rowSize, rows, 255, out, true);
    // No native call from here to finish(): only the pool's worker can write the rows.
    const deadline = Date.now() + 10_000;
    while (!written(out) && Date.now() < deadline) { /* the caller is busy elsewhere */ }
    const before = written(out);
    finish();
    expect(before, 'every row written by the worker before finish()').toBe(true);
    expect(firstDifference(out, want)).toBeNull();
  });

  it('a start while another is unfinished gathers at once; the first still finishes right', () => {
    const gen = new Generator(8);
    const native = nativeOrThrow();
    const rowSize = 97, { src, rows: many, want: wantMany } = gatherCase(gen, rowSize, 60, 5000, 3);
    const few = Uint32Array.of(3, 59, 0), wantFew = new Float32Array(few.length * rowSize);
    gatherRowsJs(src, rowSize, few, 3, wantFew);
    setNativeThreads(2);
    const outMany = new Float32Array(wantMany.length), outFew = new Float32Array(wantFew.length);
    const finishMany = native.gatherRows(src, rowSize, many, 3, outMany, true);
    native.gatherRows(src, rowSize, few, 3, outFew, true);  // not finished: it ran at once
    expect(firstDifference(outFew, wantFew), 'the second, before any finish').toBeNull();
    finishMany();
    expect(firstDifference(outMany, wantMany), 'the first').toBeNull();
  });

  it('resizing the pool while a gather runs finishes its rows first; the finish after still returns', () => {
    const gen = new Generator(13);
    const native = nativeOrThrow();
    const rowSize = 300, { src, rows, want } = gatherCase(gen, rowSize, 80, 3000, 255);
    for (const after of [1, 3]) {
      setNativeThreads(2);
      const out = new Float32Array(want.length);
      const finish = native.gatherRows(src, rowSize, rows, 255, out, true);
      setNativeThreads(after);
      expect(firstDifference(out, want), `2 → ${after} threads, before the finish`).toBeNull();
      finish();
      expect(firstDifference(out, want), `2 → ${after} threads`).toBeNull();
    }
  });

  it('a handle collected without its finish is finished by its finalizer, which frees the pool for the next', () => {
    // In a fresh node with gc exposed: a gather whose handle is dropped unfinished holds the pool's one
    // background slot until its finalizer waits for it. A start after the collection runs in the
    // background again (its first row, the caller's, is not written when the call returns); without
    // the collection it runs at once.
    const script = (collect: boolean) => `const a = require(${JSON.stringify(join(packageRoot()!, 'build', 'Release', 'tessera.node'))});
      a.setThreads(2);
      // 16,000 rows (50 MB): the worker takes ms to reach row 0. Everything allocated first, so that
      // without the gc() calls no collection comes between the two starts.
      const src = new Uint8Array(500 * 784).fill(7), rows = Uint32Array.from({ length: 16000 }, (_, i) => i % 500);
      const first = new Float32Array(16000 * 784), out = new Float32Array(16000 * 784);
      (() => { a.gatherBytesStart(src, 784, rows, 255, first); })();
      (async () => {
        for (let i = 0; ${collect} && i < 3; i++) { gc(); await new Promise((r) => setImmediate(r)); }
        const h = a.gatherBytesStart(src, 784, rows, 255, out);
        const background = out[0] === 0;
        a.gatherBytesWait(h);
        console.log(JSON.stringify({ background, rows: out.every((v) => v === Math.fround(7 / 255)) }));
      })();`;
    const run = (collect: boolean) => {
      const r = spawnSync(process.execPath, ['--expose-gc', '-e', script(collect)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { background: boolean; rows: boolean };
    };
    expect(run(true)).toEqual({ background: true, rows: true });
    expect(run(false)).toEqual({ background: false, rows: true });
  });

  it('refuses a row outside the data set (nothing starts) and a handle that is not one', () => {
    const out = new Float32Array(6);
    expect(() => addon!.gatherBytesStart(Uint8Array.of(1, 2, 3, 4), 2, Uint32Array.of(0, 2, 1), 255, out))
      .toThrow(/gatherBytesStart: row 2 at position 1 is out of range \[0, 2\)/);
    expect(() => addon!.gatherBytesStart(Uint8Array.of(1, 2, 3, 4), 2, Uint32Array.of(0, 1, 1), 255, new Float32Array(5)))
      .toThrow(/gatherBytesStart: out holds 5 values, need 3 rows of 2/);
    expect(() => addon!.gatherBytesWait({})).toThrow(/gatherBytesWait: expected the handle gatherBytesStart returned/);
    // The refused start left no background job behind: the next one runs and finishes.
    const finish = nativeOrThrow().gatherRows(Uint8Array.of(0, 51, 102, 255), 2, Uint32Array.of(1, 0), 255, out, true);
    finish();
    expect(Array.from(out.subarray(0, 4))).toEqual([Math.fround(102 / 255), 1, 0, Math.fround(51 / 255)]);
  });

  it('the gatherRows op asks the backend for the background only when told to, and js gathers at once either way', () => {
    const src = Uint8Array.of(0, 51, 102, 255), out = new Float32Array(2);
    const finishJs = gatherRows(src, 2, Uint32Array.of(1), 255, out, getBackend('js'), true);
    expect(Array.from(out)).toEqual([Math.fround(102 / 255), 1]);
    finishJs();
    const asked: (boolean | undefined)[] = [];
    const native = nativeOrThrow();
    const spy = { ...native, gatherRows: (...args: Parameters<typeof native.gatherRows>) => { asked.push(args[5]); return native.gatherRows(...args); } };
    gatherRows(src, 2, Uint32Array.of(0), 255, out, spy, true)();
    expect(Array.from(out)).toEqual([0, Math.fround(51 / 255)]);
    gatherRows(src, 2, Uint32Array.of(1), 255, out, spy)();
    expect(Array.from(out)).toEqual([Math.fround(102 / 255), 1]);
    expect(asked).toEqual([true, false]);
  });
});

// Native matmul against an exact float64 product and against the js backend's kernel, on every
// ISA path of this CPU: odd sizes, sizes below a SIMD vector, size 1, tile and block edges, all
// four transpose combinations, batch strides with broadcasting, bias + every activation, and
// threads > 1 against one thread.
import { describe, expect, it } from 'vitest';
import type { Activation, MatmulParams } from '../../src/backend/backend.js';
import { Generator, U, expectWithin, isasHere, js, nativeOrThrow, uniform, useIsa } from './native-helpers.js';
import { nativeAddon } from '../../src/backend/native/index.js';

const native = nativeOrThrow();

interface Case { batch: number; m: number; n: number; k: number; strideA?: 'full' | 0; strideB?: 'full' | 0 }

/** Exact A·B in float64, and Σ|a|·|b| per output (the scale of float32 accumulation error). */
function exactProduct(a: Float32Array, b: Float32Array, p: MatmulParams): { exact: Float64Array; absSum: Float64Array } {
  const { batch, m, n, k, transA, transB, strideA, strideB } = p;
  const exact = new Float64Array(batch * m * n), absSum = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0, sa = 0;
        for (let t = 0; t < k; t++) {
          const av = transA ? a[bi * strideA + t * m + i] : a[bi * strideA + i * k + t];
          const bv = transB ? b[bi * strideB + j * k + t] : b[bi * strideB + t * n + j];
          s += av * bv;
          sa += Math.abs(av * bv);
        }
        exact[(bi * m + i) * n + j] = s;
        absSum[(bi * m + i) * n + j] = sa;
      }
    }
  }
  return { exact, absSum };
}

function applyAct(v: number, act: Activation): number {
  switch (act) {
    case 'none': return v;
    case 'relu': return v > 0 ? v : 0;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
  }
}

function check(gen: Generator, c: Case, transA: boolean, transB: boolean, bias: boolean, act: Activation): void {
  const { batch, m, n, k } = c;
  const strideA = c.strideA === 0 ? 0 : m * k, strideB = c.strideB === 0 ? 0 : k * n;
  const a = uniform(gen, Math.max(1, (batch - 1) * strideA + m * k));
  const b = uniform(gen, Math.max(1, (batch - 1) * strideB + k * n));
  const biasArr = bias ? uniform(gen, n) : undefined;
  const p: MatmulParams = { batch, m, n, k, transA, transB, strideA, strideB, bias: biasArr, activation: act };
  const got = new Float32Array(batch * m * n).fill(NaN);  // every output must be written
  native.matmul(a, b, got, p);
  const viaJs = new Float32Array(batch * m * n);
  js.matmul(a, b, viaJs, p);
  const { exact, absSum } = exactProduct(a, b, p);
  const want = new Float64Array(exact.length), tol = new Float64Array(exact.length);
  for (let i = 0; i < exact.length; i++) {
    const pre = exact[i] + (biasArr ? biasArr[i % n] : 0);
    // float32 accumulation of k products: error ~ √k·u·Σ|a||b| (random-walk growth), with a
    // margin of 8; then one rounding for the bias add and ≤ 2 ulp for the activation.
    // The activations are 1-Lipschitz, so the pre-activation error carries over unchanged.
    const accTol = 8 * Math.sqrt(k) * U * absSum[i] + 2 * U * Math.abs(pre);
    want[i] = applyAct(pre, act);
    tol[i] = accTol + 4 * U * Math.abs(want[i]) + 1e-30;
  }
  const label = `matmul b${batch} ${m}x${n}x${k} tA=${transA} tB=${transB} sA=${strideA} sB=${strideB} bias=${bias} ${act}`;
  expectWithin(got, want, tol, `${label} vs exact`);
  // And against the js backend: both within tol of the exact value, so within 2·tol of each other.
  expectWithin(got, viaJs, tol.map((t) => 2 * t), `${label} vs js`);
}

const SHAPES: Case[] = [
  { batch: 1, m: 1, n: 1, k: 1 },
  { batch: 1, m: 1, n: 5, k: 3 },
  { batch: 1, m: 7, n: 1, k: 9 },
  { batch: 1, m: 3, n: 4, k: 1 },
  { batch: 1, m: 13, n: 31, k: 17 },       // below one micro-tile
  { batch: 1, m: 14, n: 32, k: 64 },       // exactly one AVX-512 tile
  { batch: 1, m: 15, n: 33, k: 257 },      // tile edges + a second k block (KC = 256)
  { batch: 1, m: 29, n: 67, k: 300 },
  { batch: 1, m: 200, n: 70, k: 530 },     // more than one MC block
  { batch: 1, m: 3, n: 4200, k: 5 },       // more than one NC block
  { batch: 1, m: 4, n: 6, k: 0 },          // empty sum: zeros, then bias and activation
];

describe.each(isasHere())('native matmul on %s', (isa) => {
  it('every transpose combination on odd, tiny and block-edge shapes', () => {
    useIsa(isa);
    const gen = new Generator(11);
    for (const c of SHAPES) for (const tA of [false, true]) for (const tB of [false, true]) check(gen, c, tA, tB, false, 'none');
  });

  it('batched with strides, and stride 0 broadcasting either operand', () => {
    useIsa(isa);
    const gen = new Generator(12);
    for (const c of [
      { batch: 3, m: 9, n: 17, k: 11 },
      { batch: 4, m: 5, n: 40, k: 33, strideA: 0 as const },
      { batch: 2, m: 30, n: 7, k: 19, strideB: 0 as const },
      { batch: 5, m: 1, n: 1, k: 3, strideA: 0 as const, strideB: 0 as const },
    ]) for (const tA of [false, true]) for (const tB of [false, true]) check(gen, c, tA, tB, false, 'none');
  });

  it('fused bias + each activation', () => {
    useIsa(isa);
    const gen = new Generator(13);
    for (const act of ['none', 'relu', 'sigmoid', 'tanh'] as const) {
      for (const c of [{ batch: 1, m: 17, n: 35, k: 40 }, { batch: 2, m: 3, n: 5, k: 7 }, { batch: 1, m: 4, n: 6, k: 0 }]) {
        check(gen, c, false, true, true, act);
        check(gen, c, true, false, true, act);
        check(gen, c, false, false, false, act);
      }
    }
  });

  it('large products with 2 threads equal one thread', () => {
    const gen = new Generator(14);
    for (const c of [{ batch: 1, m: 300, n: 517, k: 700 }, { batch: 1, m: 700, n: 40, k: 300 }, { batch: 3, m: 64, n: 200, k: 100 }]) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true]] as const) {
        const a = uniform(gen, c.batch * c.m * c.k), b = uniform(gen, c.batch * c.k * c.n), bias = uniform(gen, c.n);
        const p: MatmulParams = { ...c, transA: tA, transB: tB, strideA: c.m * c.k, strideB: c.k * c.n, bias, activation: 'tanh' };
        const one = new Float32Array(c.batch * c.m * c.n), two = new Float32Array(c.batch * c.m * c.n);
        useIsa(isa, 1);
        native.matmul(a, b, one, p);
        useIsa(isa, 2);
        native.matmul(a, b, two, p);
        useIsa(isa, 1);
        // Blocks are split on micro-tile edges and the k order per output is unchanged, so the
        // two runs do the same arithmetic; allow one float32 rounding anyway.
        expectWithin(two, one, Float64Array.from(one, (v) => 2 * U * Math.abs(v)), `threads ${JSON.stringify(c)}`);
      }
    }
  });

  it('any thread count gives the one-thread result bit for bit, on odd shapes and W1\'s', () => {
    // Blocks are split on micro-tile edges, B is packed once or per block with the same values,
    // and each output's k order is the same: the arithmetic is the same whatever the split. The
    // products of ≥ 4 MFLOP here are split (257 rows and columns: the last tile is partial),
    // by rows (B shared) or by columns; the smaller ones run on one thread, as a check of the
    // threshold's edge. The one-thread result is itself checked against float64 by the tests above.
    const gen = new Generator(15);
    const dims = [1, 7, 33, 257];
    const cases: Case[] = [];
    for (const m of dims) for (const n of dims) for (const k of dims) cases.push({ batch: 1, m, n, k });
    cases.push({ batch: 1, m: 256, n: 784, k: 64 }, { batch: 1, m: 256, n: 64, k: 784 }, { batch: 1, m: 784, n: 64, k: 256 },
      { batch: 1, m: 64, n: 784, k: 256 }, { batch: 1, m: 300, n: 40, k: 700 }, { batch: 2, m: 33, n: 257, k: 257 },
      // W2's decoder product and W3's encoder's (row blocks: A is the batch's rows), A's rows 4 KiB apart (column blocks, each packing A).
      { batch: 1, m: 256, n: 392, k: 32 }, { batch: 1, m: 256, n: 256, k: 784 }, { batch: 1, m: 64, n: 1000, k: 1024 });
    for (const c of cases) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = uniform(gen, c.batch * c.m * c.k), b = uniform(gen, c.batch * c.k * c.n), bias = uniform(gen, c.n);
        const p: MatmulParams = { ...c, transA: tA, transB: tB, strideA: c.m * c.k, strideB: c.k * c.n, bias, activation: 'sigmoid' };
        useIsa(isa, 1);
        const one = new Float32Array(c.batch * c.m * c.n);
        native.matmul(a, b, one, p);
        for (const threads of [2, 3]) {
          useIsa(isa, threads);
          const got = new Float32Array(c.batch * c.m * c.n).fill(NaN);
          native.matmul(a, b, got, p);
          const at = got.findIndex((v, i) => !Object.is(v, one[i]));
          if (at >= 0) throw new Error(`${threads} threads ${JSON.stringify(c)} tA=${tA} tB=${tB} [${at}]: ${got[at]}, one thread ${one[at]}`);
        }
        useIsa(isa, 1);
      }
    }
  });

  it('a weight gradient over a batch sums its two halves of k and adds them, the same bits at 1, 2 and 3 threads', () => {
    // Aᵀ·B without bias or activation, k in [192, 512], ≥ 4 MFLOP and a result no larger than half
    // of what it reads (native/gemm.cc's splitsK): out = fl(Σ over k's first half + Σ over its
    // second), each half as the product over those rows alone gives it (k/2 < 192: not split
    // again). W1's two weight gradients, odd sizes with an odd k, a partial last tile; the last
    // case's result is larger than half its inputs, so its k is not split (one chain of k).
    const gen = new Generator(23);
    const cases: Case[] = [{ batch: 1, m: 784, n: 64, k: 256 }, { batch: 1, m: 64, n: 784, k: 256 }, { batch: 1, m: 333, n: 97, k: 301 },
      { batch: 1, m: 100, n: 200, k: 192 }, { batch: 1, m: 300, n: 300, k: 256 }];
    for (const c of cases) {
      const a = uniform(gen, c.k * c.m), b = uniform(gen, c.k * c.n);
      const p = (k: number): MatmulParams => ({ ...c, k, transA: true, transB: false, strideA: 0, strideB: 0, bias: null, activation: 'none' });
      const h = c.k >> 1, first = new Float32Array(c.m * c.n), second = new Float32Array(c.m * c.n);
      useIsa(isa, 1);
      native.matmul(a.subarray(0, h * c.m), b.subarray(0, h * c.n), first, p(h));
      native.matmul(a.subarray(h * c.m), b.subarray(h * c.n), second, p(c.k - h));
      const halves = first.map((v, i) => Math.fround(v + second[i]));
      const splits = 2 * c.m * c.n <= c.k * (c.m + c.n);
      const { exact, absSum } = exactProduct(a, b, p(c.k));
      for (const threads of [1, 2, 3]) {
        useIsa(isa, threads);
        const got = new Float32Array(c.m * c.n).fill(NaN);
        native.matmul(a, b, got, p(c.k));
        const what = `${threads} thread(s) ${JSON.stringify(c)}`;
        if (splits) {
          const at = got.findIndex((v, i) => !Object.is(v, halves[i]));
          if (at >= 0) throw new Error(`${what} [${at}]: ${got[at]}, the halves' sum ${halves[at]}`);
        }
        // Either way within float32 accumulation's bound of the exact product.
        expectWithin(got, exact, Float64Array.from(absSum, (s) => (c.k + 2) * U * s + 1e-30), what);
      }
      // The halves' sum is not what one chain over all of k gives (else the check above proves nothing).
      if (splits) expect(halves.some((v, i) => v !== Math.fround(exact[i])), JSON.stringify(c)).toBe(true);
      useIsa(isa, 1);
    }
  });
});

describe.each(isasHere())('native matmul: how a product is split among threads, on %s', (isa) => {
  const addon = nativeAddon();
  if (addon === null) throw new Error('the native addon did not load');
  /** [row blocks, column blocks] of one product at `threads` (2 unless told). */
  const split = (m: number, n: number, k: number, transA: boolean, transB: boolean, threads = 2): [number, number] => {
    useIsa(isa, 1);
    return addon.gemmSplit(1, m, n, k, transA, transB, threads);
  };
  const byRows = ([rows, cols]: [number, number]) => rows > 1 && cols === 1;
  const byColumns = ([rows, cols]: [number, number]) => rows === 1 && cols > 1;

  it('rows where they have more tiles or A is a batch\'s rows over a short k; with A transposed, columns where B would need a packing pass and column blocks read A in place', () => {
    // More column tiles: columns (128×1000×1024, though A's rows 4 KiB apart make every column block pack A).
    expect(byColumns(split(128, 1000, 1024, false, false))).toBe(true);
    // W1's first layer, X·W₁ᵀ (256×64×784): more row tiles, and X's rows are the batch's: rows (each
    // thread reads the rows its core gathered), though W₁ stored transposed needs a packing pass.
    expect(byRows(split(256, 64, 784, false, true))).toBe(true);
    // W1's last layer (256×784×64): more column tiles, but a short k over the batch's rows: rows;
    // W3's (256×784×256): columns where the column tiles outnumber the row tiles (not the portable
    // kernel's 4-row tiles).
    expect(byRows(split(256, 784, 64, false, true))).toBe(true);
    if (isa !== 'portable') expect(byColumns(split(256, 784, 256, false, true))).toBe(true);
    // A transposed, more row tiles: row-major B read in place by row blocks: rows. B's rows 4 KiB apart
    // (n 1024) need the pass: columns, as they read A in place.
    expect(byRows(split(784, 64, 256, true, false))).toBe(true);
    expect(byColumns(split(1024, 1024, 1024, true, false))).toBe(true);
    expect(byRows(split(1024, 1024, 1024, false, false))).toBe(true);
    // W3's X·W₁ᵀ (256×256×784): rows. W1's at 3 threads: rows.
    expect(byRows(split(256, 256, 784, false, true))).toBe(true);
    expect(byRows(split(256, 64, 784, false, true, 3))).toBe(true);
    // A single panel (n 8) for two threads: rows.
    expect(byRows(split(2048, 8, 784, false, true))).toBe(true);
    // Below 4 MFLOP, or at one thread, nothing is split.
    expect(split(64, 64, 64, false, true)).toEqual([1, 1]);
    expect(split(256, 64, 784, false, true, 1)).toEqual([1, 1]);
    // An empty product is one block, whatever the signs (a negative m times a negative k once divided by zero).
    expect(split(0, 64, 784, false, true)).toEqual([1, 1]);
    expect(split(-5, 1e6, -1, false, false)).toEqual([1, 1]);
  });
});

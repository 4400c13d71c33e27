// The wasm backend's worker threads (src/backend/wasm/module.ts, native/wasm_runtime.cc's pool):
// every kernel the shared sources split into ranges gives at two threads the one-thread result bit
// for bit (the split only moves where a chunk runs), and js's within float32 error; the workers
// stop and restart, a process using them ends by itself, and without threads the backend runs on one.
import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Backend } from '../../src/backend/backend.js';
import { packageRoot } from '../../src/util/package-root.js';
import { setWasmThreads, startThreads, stopWasmThreads, wasmInfo } from '../../src/backend/wasm/index.js';
import { instantiateWasmBytes } from '../../src/backend/wasm/instance.js';
import { makeBackend } from '../../src/backend/wasm/make-backend.js';
import { getBackend, Generator } from '../../src/index.js';
import { probeWasm, probedBackend } from '../backend-probe.js';
import { randomArray } from '../helpers.js';

const wasm = probeWasm();
// Large and odd: above every kernel's grain (native/elementwise.cc, optim.cc, reduce.cc: 32K-64K
// elements per chunk), so two threads do split them, with a tail that is no multiple of 16.
const N = 300_001;

/** Where two float32 arrays first differ in their bits (NaN payloads and -0 count too), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(Float32Array.from(a).buffer), y = new Uint32Array(Float32Array.from(b).buffer);
  return x.findIndex((v, i) => v !== y[i]);
}

function closeTo(what: string, actual: Float32Array, expected: Float32Array, tol: number): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0, at = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    const err = Number.isNaN(e) ? (Number.isNaN(a) ? 0 : Infinity) : a === e ? 0 : Math.abs(a - e) / (1 + Math.abs(e));
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `${what}: worst error ${worst} at ${at} (got ${actual[at]}, expected ${expected[at]})`).toBeLessThanOrEqual(tol);
}

type Kernel = { name: string; inputs: number; run: (b: Backend, ins: Float32Array[], outs: Float32Array[]) => void; outs: number[]; tol?: number };

const adam = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, step: 3 };
const sgd = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 1e-3, firstStep: false };
const rows = 601, cols = 499;  // rows · cols = 299,899: reductions and softmax over [rows, cols]
const kernels: Kernel[] = [
  { name: 'unary exp', inputs: 1, outs: [N], run: (b, [x], [o]) => b.unary('exp', x, o, N, {}) },
  { name: 'unary neg', inputs: 1, outs: [N], run: (b, [x], [o]) => b.unary('neg', x, o, N, {}) },
  { name: 'unary tanh', inputs: 1, outs: [N], run: (b, [x], [o]) => b.unary('tanh', x, o, N, {}) },
  { name: 'activationGrad sigmoid', inputs: 2, outs: [N], run: (b, [y, g], [o]) => b.activationGrad('sigmoid', y, g, o, N) },
  { name: 'binary mul', inputs: 2, outs: [N], run: (b, [x, y], [o]) => b.binary('mul', x, [1], y, [1], o, [N]) },
  // A row broadcast against a matrix (bias add), strided.
  { name: 'binary add broadcast', inputs: 2, outs: [rows * cols], run: (b, [x, y], [o]) => b.binary('add', x, [cols, 1], y, [0, 1], o, [rows, cols]) },
  { name: 'binary bceGrad', inputs: 2, outs: [N], run: (b, [x, y], [o]) => b.binary('bceGrad', x, [1], y, [1], o, [N]) },
  { name: 'reduce sum over rows', inputs: 1, outs: [cols], run: (b, [x], [o]) => b.reduce('sum', x, o, 1, rows, cols), tol: 1e-5 },
  { name: 'reduce max per row', inputs: 1, outs: [rows], run: (b, [x], [o]) => b.reduce('max', x, o, rows, cols, 1) },
  { name: 'softmax rows', inputs: 1, outs: [rows * cols], run: (b, [x], [o]) => b.softmax(x, o, rows, cols, 1, false) },
  { name: 'softmax columns (log)', inputs: 1, outs: [rows * cols], run: (b, [x], [o]) => b.softmax(x, o, 1, rows, cols, true) },
  // In place: param, m, v (and the momentum buffer) are both inputs and outputs.
  { name: 'adamStep', inputs: 4, outs: [], run: (b, [p, g, m, v]) => b.adamStep(p, g, m, v, null, N, adam) },
  { name: 'sgdStep', inputs: 3, outs: [], run: (b, [p, g, buf]) => b.sgdStep(p, g, buf, N, sgd) },
  { name: 'matmul 301x257x190', inputs: 2, outs: [301 * 257], tol: 1e-4, run: (b, [x, y], [o]) => b.matmul(x, y, o, { batch: 1, m: 301, n: 257, k: 190, transA: false, transB: true, strideA: 0, strideB: 0 }) },
  // W1's last-layer weight gradient, Gᵀ·H over a batch of 256: summed in two halves of k (native/gemm.cc's splitsK).
  { name: 'matmul 784x64x256 Aᵀ', inputs: 2, outs: [784 * 64], tol: 1e-4, run: (b, [x, y], [o]) => b.matmul(x, y, o, { batch: 1, m: 784, n: 64, k: 256, transA: true, transB: false, strideA: 0, strideB: 0 }) },
  // A batch of three: tasks per batch element.
  { name: 'matmul batch 3', inputs: 2, outs: [3 * 97 * 131], tol: 1e-4, run: (b, [x, y], [o]) => b.matmul(x, y, o, { batch: 3, m: 97, n: 131, k: 120, transA: true, transB: false, strideA: 97 * 120, strideB: 120 * 131 }) },
];

/** Inputs of N values in [-3, 3] (positive for v, the second moment), a few of them NaN and ±Inf. */
function inputs(gen: Generator, k: Kernel): Float32Array[] {
  return Array.from({ length: k.inputs }, (_, i) => {
    const x = Float32Array.from(randomArray(gen, N, k.name === 'adamStep' && i === 3 ? 0 : -3, 3));
    if (k.name.startsWith('unary') || k.name.startsWith('binary mul')) { x[7] = NaN; x[70_001] = Infinity; x[N - 1] = -Infinity; }
    return x;
  });
}

/** Runs a kernel on `b` over copies of the inputs; returns the outputs and the in-place inputs. */
function run(b: Backend, k: Kernel, host: Float32Array[]): Float32Array[] {
  const ins = host.map((h) => b.upload(h) as Float32Array);
  const outs = k.outs.map((n) => b.alloc('float32', n) as Float32Array);
  k.run(b, ins, outs);
  const result = [...outs, ...ins].map((s) => Float32Array.from(s));
  if (b.name === 'wasm') [...ins, ...outs].forEach((s) => b.free(s));
  return result;
}

describe.skipIf(wasm.skip)('the wasm backend at two threads', () => {
  afterAll(() => setWasmThreads(1));

  it('gives one thread\'s results bit for bit on every split kernel, and js\'s within float32 error', () => {
    const b = probedBackend(wasm, 'wasm');
    const gen = new Generator(18);
    for (const k of kernels) {
      const host = inputs(gen, k);
      setWasmThreads(1);
      const one = run(b, k, host);
      setWasmThreads(2);
      expect(wasmInfo().threads).toBe(2);
      const two = run(b, k, host);
      const ref = run(getBackend('js'), k, host);
      two.forEach((t, i) => {
        expect(firstDifference(t, one[i]), `${k.name} result ${i}: the first element where two threads differ from one`).toBe(-1);
        closeTo(`${k.name} result ${i} against js`, t, ref[i], k.tol ?? 2e-6);
      });
    }
  }, 120_000);

  it('stops its workers (one thread after) and starts new ones that compute the same', async () => {
    const b = probedBackend(wasm, 'wasm');
    const k = kernels.find((c) => c.name === 'matmul 301x257x190')!;
    const host = inputs(new Generator(3), k);
    setWasmThreads(2);
    const before = run(b, k, host);
    await stopWasmThreads();
    expect(wasmInfo().threads).toBe(1);
    const alone = run(b, k, host);
    setWasmThreads(2);
    expect(wasmInfo().threads).toBe(2);
    const again = run(b, k, host);
    expect(firstDifference(alone[0], before[0])).toBe(-1);
    expect(firstDifference(again[0], before[0])).toBe(-1);
  });

  it('leaves a process that used two threads free to end by itself (the built dist/)', () => {
    const index = path.join(packageRoot(), 'dist', 'src', 'index.js');
    // No process.exit: the script's end must end the process, parked workers or not.
    const script = `import(${JSON.stringify(index)}).then((t) => {
      const b = t.getBackend('wasm'), n = 256;
      const x = b.upload(new Float32Array(n * n).fill(0.5)), y = b.alloc('float32', n * n);
      b.matmul(x, x, y, { batch: 1, m: n, n, k: n, transA: false, transB: false, strideA: 0, strideB: 0 });
      process.stdout.write(b.describe().threads + ' ' + y[n * n - 1]);
    })`;
    const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TESSERA_THREADS: '2' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.signal, 'the process hung and was killed').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`2 ${0.25 * 256}`);
  });
});

describe('without threads', () => {
  it('runs on one thread and says why: no SharedArrayBuffer or Atomics, or workers that do not start', () => {
    let asked = 0;
    const module = { setThreads: () => { asked++; } };
    expect(startThreads(module, 2, { Atomics })).toBe('wasm backend: no SharedArrayBuffer here, so no worker threads');
    expect(startThreads(module, 2, {})).toBe('wasm backend: no SharedArrayBuffer or Atomics here, so no worker threads');
    expect(asked).toBe(0);
    expect(startThreads(module, 2, { SharedArrayBuffer, Atomics })).toBeNull();
    expect(asked).toBe(1);
    const failing = { setThreads: () => { throw new Error('wasm backend: only 0 of 1 worker threads started within 20 s'); } };
    expect(startThreads(failing, 2, { SharedArrayBuffer, Atomics })).toBe('wasm backend: only 0 of 1 worker threads started within 20 s');
  });

  it.skipIf(wasm.skip)('where WebAssembly.Memory({ shared: true }) throws: an unshared memory of fixed size, one thread, js\'s results', () => {
    // As a browser that refuses shared memory (instance.ts, shared by Node and the page): the module
    // is instantiated from a copy whose memory import is not shared.
    // The project's lib has no WebAssembly typings.
    const api = (globalThis as unknown as { WebAssembly: { Memory: new (d: { shared?: boolean }) => unknown } }).WebAssembly;
    const Memory = api.Memory;
    let module;
    try {
      api.Memory = function (d: { shared?: boolean }) {
        if (d.shared) throw new TypeError('refused by this test');
        return new Memory(d);
      } as unknown as typeof Memory;
      let started = 0;
      module = instantiateWasmBytes(new Uint8Array(readFileSync(path.join(packageRoot(), 'build', 'tessera.wasm'))), 'tessera.wasm', () => {
        started++;
        return { exited: async () => {} };
      }, true);
      expect(module.unshared).toBe('no shared memory here (refused by this test), so no worker threads');
      expect(module.memory.buffer).toBeInstanceOf(ArrayBuffer);
      expect(startThreads(module, 2)).toBe('wasm backend: no shared memory here (refused by this test), so no worker threads');
      expect(started).toBe(0);
      expect(module.threads()).toBe(1);
    } finally {
      api.Memory = Memory;
    }
    // More than the shared memory's initial 16 MiB: the fixed memory holds it, and earlier views stay whole.
    const b = makeBackend(module);
    const k = kernels.find((c) => c.name === 'matmul 301x257x190')!;
    const host = inputs(new Generator(5), k);
    const big = b.alloc('float32', 6_000_000) as Float32Array;
    big.fill(2);
    const got = run(b, k, host);
    const ref = run(getBackend('js'), k, host);
    closeTo('matmul on the unshared memory against js', got[0], ref[0], 1e-4);
    expect(big.length).toBe(6_000_000);
    expect(big[5_999_999]).toBe(2);
  });
});

// The wasm backend's module: found or explained, its storage checked, and its thread pool
// (workers on the shared memory) giving the one-thread result bit for bit.
import { describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../../src/util/package-root.js';
import { findWasmFile } from '../../src/backend/wasm/module.js';
import { setWasmThreads, wasmInfo } from '../../src/backend/wasm/index.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { getBackend, Generator } from '../../src/index.js';
import { probeWasm, probedBackend } from '../backend-probe.js';
import { randomArray } from '../helpers.js';

const wasm = probeWasm();

describe('the wasm module file', () => {
  it('is missing with the build script\'s recorded reason and the command to build it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-wasm-'));
    fs.mkdirSync(path.join(root, 'build'));
    fs.writeFileSync(path.join(root, 'build', 'wasm-status.json'), JSON.stringify({ ok: false, reason: 'not built: clang not found' }));
    const found = findWasmFile(root);
    expect(found).toEqual({ missing: `${path.join(root, 'build', 'tessera.wasm')} is missing (not built: clang not found); run \`node scripts/build-wasm.mjs\` in ${root} (needs clang, lld and wasi-libc)` });
    expect(findWasmFile(null)).toHaveProperty('missing');
  });
});

describe.skipIf(wasm.skip)('the wasm backend', () => {
  it('is ≤ 300 KB, says its tile and threads, and refuses storage that is not its own', () => {
    const b = probedBackend(wasm, 'wasm');
    const info = wasmInfo();
    expect(info.kilobytes).toBeLessThanOrEqual(300);
    expect(info.gemmTile).toMatch(/^\d+x\d+$/);
    expect(b.describe()).toMatchObject({ backend: 'wasm', simd: 'wasm simd128' });
    const mine = b.alloc('float32', 4) as Float32Array;
    expect(() => b.unary('neg', new Float32Array(4), mine, 4, {})).toThrow(/wasm backend unary: the storage is not the wasm backend's/);
    expect(() => b.unary('neg', mine, mine, 5, {})).toThrow('wasm backend unary: x has 4 elements, the shapes need 5');
  });

  it('two threads give one thread\'s GEMM and softmax bit for bit', () => {
    const b = probedBackend(wasm, 'wasm');
    const gen = new Generator(5);
    const m = 301, n = 257, k = 190;
    const a = b.upload(Float32Array.from(randomArray(gen, m * k, -1, 1)));
    const bb = b.upload(Float32Array.from(randomArray(gen, k * n, -1, 1)));
    const run = (threads: number): Float32Array[] => {
      setWasmThreads(threads);
      expect(wasmInfo().threads).toBe(threads);
      const out = b.alloc('float32', m * n) as Float32Array;
      b.matmul(a, bb, out, { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0 });
      const soft = b.alloc('float32', m * n) as Float32Array;
      b.softmax(out, soft, 1, m, n, false);
      return [out.slice(), soft.slice()];
    };
    const one = run(1), two = run(2);
    expect(two[0]).toEqual(one[0]);
    expect(two[1]).toEqual(one[1]);
    // And both are js's product within float32 summation-order error.
    const ref = getBackend('js').alloc('float32', m * n) as Float32Array;
    getBackend('js').matmul(b.readSync(a, 'float32', m * k), b.readSync(bb, 'float32', k * n), ref,
      { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0 });
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - one[0][i]));
    expect(worst).toBeLessThan(1e-4);
  });
});

describe.skipIf(wasm.skip)('the wasm backend\'s own kernels', () => {
  it('run conv, pooling, gatherRows and random without calling a js kernel (their results: conv-direct, gather-rows, random tests)', () => {
    const b = probedBackend(wasm, 'wasm');
    const spies = Object.entries(jsBackend).filter(([, v]) => typeof v === 'function')
      .map(([name]) => vi.spyOn(jsBackend as unknown as Record<string, () => unknown>, name));
    try {
      const g = { n: 2, c: 3, h: 5, w: 6, kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 0, dh: 1, dw: 2, oh: 3, ow: 4 };
      const f = (n: number) => b.upload(new Float32Array(n).fill(0.5)) as Float32Array;
      const x = f(2 * 3 * 30), w = f(4 * 3 * 6), y = f(2 * 4 * 12);
      b.conv2d(x, w, f(4), y, g, 4);
      b.conv2dBackwardData(y, w, null, x, g, 4);
      b.conv2dBackwardWeight(x, y, w, f(4), g, 4);
      const pool = { ...g, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, oh: 2, ow: 3 };
      const py = f(2 * 3 * 6), arg = f(2 * 3 * 6);
      b.maxPool2d(x, py, arg, pool);
      b.maxPool2dBackward(py, arg, x, pool);
      b.gatherRows(Uint8Array.of(1, 2, 3, 4), 2, Uint32Array.of(1, 0), 255, f(4));
      for (const kind of ['bits', 'uniform', 'bernoulli', 'normal'] as const) b.random!(kind, f(9), 9, [1, 2], 3, {});
      for (const spy of spies) expect(spy, spy.getMockName()).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe.skipIf(wasm.skip)('the default backend', () => {
  it('is wasm when the native addon is unavailable, with one warning saying so (the built dist/, as users run it)', () => {
    const index = path.join(packageRoot(), 'dist', 'src', 'index.js');
    const script = `import(${JSON.stringify(index)}).then((m) => process.stdout.write(m.getBackend().name))`;
    // An unknown TESSERA_ISA makes the native backend unavailable with a reason (src/backend/native/index.ts).
    const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_ISA: 'no-such-isa' };
    delete env.TESSERA_BACKEND;
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('wasm');
    expect(r.stderr).toMatch(/the native backend is unavailable \(native backend: TESSERA_ISA='no-such-isa' cannot be used.*\); using the wasm backend/);
    const forced = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TESSERA_BACKEND: 'wasm' }, encoding: 'utf8' });
    expect(forced.stdout).toBe('wasm');
  });
});

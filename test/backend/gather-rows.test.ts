// Backend.gatherRows on every backend against js and against the formula itself,
// out[i·rowSize + j] = fround(src[rows[i]·rowSize + j] / divisor), on odd row sizes, repeated and
// unordered rows, and divisors whose quotients are not exact; plus the declared capabilities.
import { describe, expect, it } from 'vitest';
import { getBackend, type Backend } from '../../src/index.js';
import { gatherRows } from '../../src/ops/creation.js';
import { Generator } from '../../src/random.js';
import { probeNative, probeWasm, probeWebGPU, probedBackend } from '../backend-probe.js';

const native = probeNative();
const wasm = probeWasm();
const webgpu = await probeWebGPU();

interface Case { rowSize: number; nRows: number; picks: number; divisor: number }
const CASES: Case[] = [
  { rowSize: 1, nRows: 5, picks: 9, divisor: 255 },
  { rowSize: 3, nRows: 7, picks: 1, divisor: 7 },
  { rowSize: 17, nRows: 37, picks: 300, divisor: 255 },
  { rowSize: 784, nRows: 11, picks: 33, divisor: 1 },
  { rowSize: 4099, nRows: 3, picks: 5, divisor: 256 },
];

function makeCase(c: Case, gen: Generator): { src: Uint8Array; rows: Uint32Array; want: Float32Array } {
  const src = Uint8Array.from({ length: c.nRows * c.rowSize }, () => Math.floor(gen.uniform() * 256));
  src[0] = 255; // the largest byte appears at least once
  const rows = Uint32Array.from({ length: c.picks }, (_, i) => (i === 0 ? c.nRows - 1 : Math.floor(gen.uniform() * c.nRows)));
  const want = new Float32Array(c.picks * c.rowSize);
  for (let i = 0; i < c.picks; i++) {
    for (let j = 0; j < c.rowSize; j++) want[i * c.rowSize + j] = Math.fround(src[rows[i] * c.rowSize + j] / c.divisor);
  }
  return { src, rows, want };
}

async function check(backend: Backend): Promise<void> {
  const gen = new Generator(29);
  const js = getBackend('js');
  for (const c of CASES) {
    const { src, rows, want } = makeCase(c, gen);
    const out = backend.alloc('float32', want.length);
    backend.gatherRows(src, c.rowSize, rows, c.divisor, out);
    const got = await backend.read(out, 'float32', want.length);
    const ref = new Float32Array(want.length);
    js.gatherRows(src, c.rowSize, rows, c.divisor, ref);
    const label = `${backend.name}, rowSize ${c.rowSize}, divisor ${c.divisor}`;
    expect(Array.from(got.subarray(0, want.length)), label).toEqual(Array.from(want));
    expect(Array.from(ref), `js, ${label}`).toEqual(Array.from(want));
    backend.free(out);
  }
}

describe('Backend.gatherRows', () => {
  it('js gathers rows as byte / divisor rounded to float32', async () => {
    await check(getBackend('js'));
  });

  it.skipIf(native.skip)('native matches js and the formula', async () => {
    await check(probedBackend(native, 'native'));
  });

  it.skipIf(wasm.skip)('wasm matches js and the formula, and refuses a row outside the data set', async () => {
    const b = probedBackend(wasm, 'wasm');
    await check(b);
    const out = b.alloc('float32', 6);
    expect(() => b.gatherRows(Uint8Array.of(1, 2, 3, 4), 2, Uint32Array.of(0, 2, 1), 255, out)).toThrow(/wasm backend gatherRows: row 2 is outside the data set \(2 rows of 2\)/);
    expect(() => b.gatherRows(Uint8Array.of(1, 2, 3, 4), 2, Uint32Array.of(0, 1, 1), 255, b.alloc('float32', 5))).toThrow(/gatherRows: out has 5 elements/);
  });

  it.skipIf(webgpu.skip)('webgpu matches js and the formula', async () => {
    await check(probedBackend(webgpu, 'webgpu'));
  });

  it('the gatherRows op runs the given host-visible backend\'s kernel, and js\'s for a GPU backend', () => {
    const seen: string[] = [];
    const spy = (b: Backend): Backend => ({ ...b, gatherRows: (...args: Parameters<Backend['gatherRows']>) => { seen.push(b.name); return b.gatherRows(...args); } });
    const src = Uint8Array.of(0, 51, 102, 255);
    const out = new Float32Array(2);
    gatherRows(src, 2, Uint32Array.of(1), 255, out, spy(getBackend('js')));
    expect(Array.from(out)).toEqual([Math.fround(102 / 255), 1]);
    expect(seen).toEqual(['js']);
    // A GPU backend's own kernel (spied: it would add 'webgpu' to seen) is not the one that runs.
    const gpuLike = spy({ ...getBackend('js'), name: 'webgpu', hostVisible: false, garbageCollected: false } as Backend);
    gatherRows(src, 2, Uint32Array.of(0), 255, out, gpuLike);
    expect(Array.from(out)).toEqual([0, Math.fround(51 / 255)]);
    expect(seen).toEqual(['js']);
  });

  it('declares the capabilities library code relies on', () => {
    expect([getBackend('js').hostVisible, getBackend('js').garbageCollected]).toEqual([true, true]);
    if (!native.skip) expect([probedBackend(native, 'native').hostVisible, probedBackend(native, 'native').garbageCollected]).toEqual([true, true]);
    if (!wasm.skip) expect([probedBackend(wasm, 'wasm').hostVisible, probedBackend(wasm, 'wasm').garbageCollected]).toEqual([true, false]);
    if (!webgpu.skip) expect([probedBackend(webgpu, 'webgpu').hostVisible, probedBackend(webgpu, 'webgpu').garbageCollected]).toEqual([false, false]);
  });
});

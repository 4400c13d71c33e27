// The wasm backend side by side with its JavaScript peer and with the native addon it is compiled
// from (issue 18): SGEMM 1024³ on one thread (tessera wasm, jax-js's Wasm backend, tessera native)
// in alternating rounds of one process, and the .wasm's size. The machine may be loaded by others:
// each round's ratios come from back-to-back runs, and their medians are what RESULTS.md quotes.
//
//   bash bench/setup-peers.sh --no-apt      # jax-js into bench/.peers (never a dependency)
//   TESSERA_THREADS=1 node dist/bench/wasm.js [--rounds 7] [--n 1024]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadNativeBackend } from '../src/backend/native/index.js';
import { loadWasmBackend, wasmInfo } from '../src/backend/wasm/index.js';
import { packageRoot } from '../src/util/package-root.js';
import { summarize } from './harness/stats.js';
import { machineLine } from '../src/util/machine.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('rounds', 7);
const n = arg('n', 1024);
const flops = 2 * n * n * n;
if (process.env.TESSERA_THREADS !== '1') throw new Error('bench/wasm.ts: run with TESSERA_THREADS=1 (the comparison is one thread each)');

interface Contender { name: string; run: () => Promise<void> | void }
const contenders: Contender[] = [];
const host = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
const params = { batch: 1, m: n, n, k: n, transA: false, transB: false, strideA: 0, strideB: 0 };

const wasm = loadWasmBackend().backend;
if (wasm === null) throw new Error(`bench/wasm.ts: ${loadWasmBackend().reason}`);
{
  const a = wasm.upload(host), b = wasm.upload(host), c = wasm.alloc('float32', n * n);
  contenders.push({ name: 'tessera wasm', run: () => wasm.matmul(a, b, c, params) });
}
const native = loadNativeBackend().backend;
if (native !== null) {
  const a = host.slice(), b = host.slice(), c = new Float32Array(n * n);
  contenders.push({ name: 'tessera native', run: () => native.matmul(a, b, c, params) });
}
const jaxPath = join(packageRoot(), 'bench', '.peers', 'node_modules', '@jax-js', 'jax', 'dist', 'index.js');
let jaxVersion = 'absent';
try {
  // jax-js reads navigator (a global from Node 21 on): its thread count, and its GPU probe.
  (globalThis as { navigator?: object }).navigator ??= { hardwareConcurrency: 1 };
  const jax = await import(pathToFileURL(jaxPath).href) as {
    init(): Promise<string[]>; defaultDevice(d: string): void;
    numpy: { array(data: Float32Array, opts: { shape: number[] }): JaxArray; matmul(a: JaxArray, b: JaxArray): JaxArray };
  };
  interface JaxArray { ref: JaxArray; blockUntilReady(): Promise<JaxArray>; dispose(): void }
  const devices = await jax.init();
  if (!devices.includes('wasm')) throw new Error(`no wasm device (${devices.join(', ')})`);
  jax.defaultDevice('wasm');
  const a = jax.numpy.array(host, { shape: [n, n] }), b = jax.numpy.array(host, { shape: [n, n] });
  contenders.push({
    name: 'jax-js wasm',
    run: async () => { const c = jax.numpy.matmul(a.ref, b.ref); await c.blockUntilReady(); c.dispose(); },
  });
  jaxVersion = '0.1.25';
} catch (e) {
  console.warn(`bench/wasm.ts: jax-js not run (${(e as Error).message}); bash bench/setup-peers.sh --no-apt installs it`);
}

// One warm-up each (wasm tiers up to optimised code, jax-js compiles its kernel), then alternating rounds.
for (const c of contenders) await c.run();
// Wall time, and the process's CPU time (user + system, every thread): on a machine loaded by
// others the second leaves out the time this process waited for a core.
const gflops = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
const cpuGflops = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const c of contenders) {
    const t = performance.now(), cpu = process.cpuUsage();
    await c.run();
    const used = process.cpuUsage(cpu);
    gflops.get(c.name)!.push(flops / ((performance.now() - t) / 1000) / 1e9);
    cpuGflops.get(c.name)!.push(flops / ((used.user + used.system) / 1e6) / 1e9);
  }
}
const ratio = (table: Map<string, number[]>, x: string, y: string): number[] | null =>
  table.has(x) && table.has(y) ? table.get(x)!.map((v, i) => v / table.get(y)![i]) : null;
const fmt = (v: number[]): string => { const s = summarize(v); return `${s.median.toFixed(2)} (spread ${s.spread.toFixed(2)})`; };
console.log(`machine: ${machineLine()}; SGEMM ${n}³, one thread each, ${rounds} alternating rounds (median, spread = (max − min) / median)`);
for (const [name, v] of gflops) console.log(`  ${name.padEnd(15)} GFLOP/s ${fmt(v)} wall, ${fmt(cpuGflops.get(name)!)} per CPU second`);
for (const [x, y] of [['tessera wasm', 'jax-js wasm'], ['tessera wasm', 'tessera native']] as const) {
  const r = ratio(gflops, x, y), rc = ratio(cpuGflops, x, y);
  if (r && rc) console.log(`  ${x} / ${y}: ${fmt(r)} wall, ${fmt(rc)} per CPU second`);
}
const info = wasmInfo();
console.log(`  .wasm: ${info.file} ${statSync(info.file).size} bytes (${info.kilobytes} KB), tile ${info.gemmTile}; jax-js ${jaxVersion}`);
process.exit(0);

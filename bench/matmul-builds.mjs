// Products timed alone at 1 and 2 threads on two builds in one process, alternating (rounds flip
// the order of builds and of thread counts): the 10th percentile and median per call of each, and
// after/before ratios. For a change to how the native matmul splits a product among threads
// (native/gemm.cc's gemmSplit), on shapes the change moves and shapes it must leave alone.
//
//   npx tsc -p tsconfig.build.json && node bench/matmul-builds.mjs BEFORE_ROOT AFTER_ROOT [rounds=4] [calls=100] SHAPE...
//   SHAPE: MxNxK with At and/or Bt for a transposed operand, e.g. 256x64x784Bt 784x64x256At
//
// A ROOT is a tree with dist/ and build/ (another branch's copy). Inputs are seeded uniform values.
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { mulberry32 } from './peers/peer-common.mjs';
const { percentile } = await import(new URL('../dist/bench/harness/stats.js', import.meta.url).href);

const [beforeRoot, afterRoot, ...rest] = process.argv.slice(2);
const numbers = rest.filter((a) => /^\d+$/.test(a)).map(Number), names = rest.filter((a) => !/^\d+$/.test(a));
const [rounds = 4, calls = 100] = numbers;
if (!beforeRoot || !afterRoot || names.length === 0) throw new Error('usage: node bench/matmul-builds.mjs BEFORE_ROOT AFTER_ROOT [rounds] [calls] SHAPE...');
const shapes = names.map((name) => {
  const m = /^(\d+)x(\d+)x(\d+)(At)?(Bt)?$/.exec(name);
  if (m === null) throw new Error(`bench/matmul-builds.mjs: shape '${name}': expected MxNxK with optional At and Bt, e.g. 256x64x784Bt`);
  return { name, m: +m[1], n: +m[2], k: +m[3], transA: m[4] !== undefined, transB: m[5] !== undefined };
});
const builds = [];
for (const root of [beforeRoot, afterRoot]) {
  const mod = await import(`${resolve(root)}/dist/src/backend/native/index.js`);
  builds.push({ backend: mod.loadNativeBackend().backend, setThreads: mod.setNativeThreads });
}
const random = mulberry32(11);
const rnd = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = random() - 0.5; return a; };
const operands = shapes.map((s) => ({ a: rnd(s.m * s.k), b: rnd(s.k * s.n), out: new Float32Array(s.m * s.n),
  p: { batch: 1, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB, strideA: 0, strideB: 0, bias: null, activation: 'none' } }));
const times = {};  // `${shape}|${threads}` → [before ms[], after ms[]]
for (let r = 0; r < rounds; r++) {
  for (const which of r % 2 ? [1, 0] : [0, 1]) {
    for (const threads of r % 2 ? [2, 1] : [1, 2]) {
      const { backend, setThreads } = builds[which];
      setThreads(threads);
      shapes.forEach((s, i) => {
        const { a, b, out, p } = operands[i];
        for (let w = 0; w < 20; w++) backend.matmul(a, b, out, p);
        const xs = (times[`${s.name}|${threads}`] ??= [[], []])[which];
        for (let c = 0; c < calls; c++) { const t0 = performance.now(); backend.matmul(a, b, out, p); xs.push(performance.now() - t0); }
      });
    }
  }
}
const q = (xs, p) => percentile(xs, 100 * p) * 1000;
console.log(`load ${loadavg()[0].toFixed(2)}; ${rounds} rounds x ${calls} calls; µs per call, p10 / median`);
console.log('shape|threads'.padEnd(24), 'before p10   med'.padStart(18), 'after p10   med'.padStart(18), '  after/before p10  med');
for (const [key, [before, after]] of Object.entries(times)) {
  const [b10, b50, a10, a50] = [q(before, 0.1), q(before, 0.5), q(after, 0.1), q(after, 0.5)];
  console.log(key.padEnd(24), b10.toFixed(1).padStart(9), b50.toFixed(1).padStart(8), a10.toFixed(1).padStart(10), a50.toFixed(1).padStart(8), (a10 / b10).toFixed(3).padStart(10), (a50 / b50).toFixed(3).padStart(6));
}

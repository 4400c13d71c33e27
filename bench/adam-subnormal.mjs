// The native Adam step over W1's parameter count (104,960 floats) with a share of its lanes in the
// state a dead unit leaves (gradient 0, momentum at 2^-149, where β1·m rounds back to itself): µs
// per call, 10th percentile and median of 200, one thread. Before the subnormal path of
// native/simd_optim.inc each such lane cost Intel cores a microcode assist per multiply.
//
//   npx tsc -p tsconfig.build.json && TESSERA_THREADS=1 node bench/adam-subnormal.mjs [ROOT=.]
//
// ROOT is a tree with dist/ and build/ (another build's copy, to compare two side by side).
import { resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const { loadNativeBackend } = await import(`${root}/dist/src/backend/native/index.js`);
const b = loadNativeBackend().backend;
const n = 2 * 50_176 + 4_608;
let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const args = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1000 };
for (const dead of [0, 0.02, 0.2]) {
  const p = new Float32Array(n).map(() => random() - 0.5), g = new Float32Array(n).map(() => (random() - 0.5) * 1e-2);
  const m = new Float32Array(n).map(() => (random() - 0.5) * 1e-4), v = new Float32Array(n).map(() => random() * 1e-6);
  for (let i = 0; i < n; i++) if (random() < dead) { g[i] = 0; m[i] = 2 ** -149; }
  const times = [];
  for (let call = 0; call < 200; call++) {
    const t0 = process.hrtime.bigint();
    b.adamStep(p, g, m, v, null, n, args);
    times.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  times.sort((x, y) => x - y);
  console.log(`${root}: lanes dead ${dead}: ${times[20].toFixed(1)} µs (p10), ${times[100].toFixed(1)} (median)`);
}

// W1's split kernels one by one, each alone in a loop at 1 and 2 threads (rounds alternate 1, 2 /
// 2, 1): the minimum, 10th percentile and median per call, and their ratios. On a busy machine
// the median mostly measures the neighbours; the 10th percentile of many calls is what two free
// cores give (bench/RESULTS.md, "Two threads: what the pool does inside W1's step ...").
//
//   npx tsc -p tsconfig.build.json && node bench/thread-kernels.mjs [ROOT=.] [rounds=4] [calls=100]
//
// ROOT is a tree with dist/ and build/ (another branch's copy, to compare two builds side by side).
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
const root = resolve(process.argv[2] ?? '.');
const rounds = Number(process.argv[3] ?? 4), reps = Number(process.argv[4] ?? 100);
const { loadNativeBackend, setNativeThreads } = await import(`${root}/dist/src/backend/native/index.js`);
const b = loadNativeBackend().backend;
const rnd = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5; return a; };
const B = 256;
const X = rnd(B * 784), W1 = rnd(64 * 784), b1 = rnd(64), H = rnd(B * 64), W4 = rnd(784 * 64), b4 = rnd(784);
const Y = rnd(B * 784), dY = rnd(B * 784), out784 = new Float32Array(B * 784), out64 = new Float32Array(B * 64), dW = new Float32Array(784 * 64);
const mm = (m, n, k, transA, transB, bias, activation) => ({ batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0, bias, activation });
const p1 = rnd(50176), p2 = rnd(50176), g1 = rnd(50176), g2 = rnd(50176), m1 = new Float32Array(50176), m2 = new Float32Array(50176), v1 = new Float32Array(50176), v2 = new Float32Array(50176);
const small = [64, 2048, 32, 2048, 64, 784].map((n) => ({ param: rnd(n), grad: rnd(n), m: new Float32Array(n), v: new Float32Array(n), vMax: null, size: n }));
const slots = [{ param: p1, grad: g1, m: m1, v: v1, vMax: null, size: 50176 }, { param: p2, grad: g2, m: m2, v: v2, vMax: null, size: 50176 }, ...small];
const adamP = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 10 };
const s784 = [B, 784], st784 = [784, 1];
const gsrc = new Uint8Array(60000 * 784).map((_, i) => i & 255), rows = new Uint32Array(B).map((_, i) => (i * 7919) % 60000);
const kernels = {
  'mm 256x784x64 Bt +bias +sigmoid': () => b.matmul(H, W4, out784, mm(256, 784, 64, false, true, b4, 'sigmoid')),
  'mm 64x784x256 At (dW4)': () => b.matmul(H, dY, dW, mm(64, 784, 256, true, false, null, 'none')),
  'mm 256x64x784 Bt +bias +relu': () => b.matmul(X, W1, out64, mm(256, 64, 784, false, true, b1, 'relu')),
  'mm 784x64x256 At (dW1)': () => b.matmul(X, H, dW, mm(784, 64, 256, true, false, null, 'none')),
  'mm 256x64x784 (dH)': () => b.matmul(dY, W4, out64, mm(256, 64, 784, false, false, null, 'none')),
  'binary sub [256x784]': () => b.binary('sub', Y, st784, X, st784, out784, s784),
  'activationGrad sigmoid': () => b.activationGrad('sigmoid', Y, dY, out784, B * 784),
  'reduce sum [1x256x784]': () => b.reduce('sum', dY, out784, 1, 256, 784),
  'reduce sumSquares [200704]': () => b.reduce('sumSquares', dY, out784, 1, 200704, 1),
  'adamSteps W1': () => b.adamSteps(slots, adamP),
  'gatherRows 256x784': () => b.gatherRows(gsrc, 784, rows, 255, out784),
};
// Checked before timing: each kernel's output at 2 threads equals its output at 1 bit for bit (Adam
// updates its state in place and the gather's rows are fixed, so both are left to their tests).
const outputs = { 'mm 256x784x64 Bt +bias +sigmoid': out784, 'mm 64x784x256 At (dW4)': dW, 'mm 256x64x784 Bt +bias +relu': out64,
  'mm 784x64x256 At (dW1)': dW, 'mm 256x64x784 (dH)': out64, 'binary sub [256x784]': out784, 'activationGrad sigmoid': out784,
  'reduce sum [1x256x784]': out784, 'reduce sumSquares [200704]': out784 };
for (const [name, out] of Object.entries(outputs)) {
  setNativeThreads(1);
  kernels[name]();
  const one = out.slice();
  setNativeThreads(2);
  kernels[name]();
  const at = out.findIndex((v, i) => !Object.is(v, one[i]));
  if (at >= 0) throw new Error(`bench/thread-kernels.mjs: ${name} at 2 threads differs from 1 thread at [${at}]: ${out[at]} against ${one[at]}`);
}
const res = {};
for (let r = 0; r < rounds; r++) {
  for (const t of (r % 2 ? [2, 1] : [1, 2])) {
    setNativeThreads(t);
    for (const [name, f] of Object.entries(kernels)) {
      for (let i = 0; i < 20; i++) f();
      const xs = [];
      for (let i = 0; i < reps; i++) { const t0 = performance.now(); f(); xs.push(performance.now() - t0); }
      xs.sort((a, b) => a - b);
      ((res[name] ??= { 1: [], 2: [] })[t]).push(xs);
    }
  }
}
const q = (arrs, p) => { const all = arrs.flat().sort((a, b) => a - b); return all[Math.floor(p * (all.length - 1))] * 1000; };
console.log(`load ${loadavg()[0].toFixed(2)}; ${rounds} rounds x ${reps} reps; µs: min / p10 / median`);
console.log('kernel'.padEnd(32), '1t min  p10   med'.padStart(20), '2t min  p10   med'.padStart(20), ' min-ratio p10-ratio med-ratio');
for (const [name, r] of Object.entries(res)) {
  const a = [0, 0.1, 0.5].map((p) => q(r[1], p)), c = [0, 0.1, 0.5].map((p) => q(r[2], p));
  console.log(name.padEnd(32), a.map((v) => v.toFixed(1).padStart(6)).join(''), '  ', c.map((v) => v.toFixed(1).padStart(6)).join(''), '  ', a.map((v, i) => (v / c[i]).toFixed(2).padStart(6)).join('    '));
}

// A workload's split kernels one by one, each alone in a loop at 1 and 2 threads (rounds alternate
// 1, 2 / 2, 1): the minimum, 10th percentile and median per call, and their ratios. On a busy
// machine the median mostly measures the neighbours; the 10th percentile of many calls is what two
// free cores give (bench/RESULTS.md, "Two threads: what the pool does inside W1's step ...").
//
//   npx tsc -p tsconfig.build.json && node bench/thread-kernels.mjs [--workload W1|W2] [--cold] [ROOT=.] [rounds=4] [calls=100]
//
// ROOT is a tree with dist/ and build/ (another branch's copy, to compare two builds side by side).
// The kernels are the workload's at its shapes, batch 256, on random inputs. Looped alone, a
// kernel finds its inputs in the cache (W2's 12.8 MB maps fit the 32 MiB L3); inside a step they
// come from memory. --cold writes 64 MiB before each timed call (not timed), so that inputs and
// outputs start in memory, as in the step: a kernel bound by memory bandwidth shows it there.
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { mulberry32 } from './peers/peer-common.mjs';
const args = process.argv.slice(2);
const wi = args.indexOf('--workload');
const workload = wi >= 0 ? args.splice(wi, 2)[1] : 'W1';
const ci = args.indexOf('--cold');
const cold = ci >= 0 ? (args.splice(ci, 1), new Float32Array(16 << 20)) : null;
let evictions = 0;
const root = resolve(args[0] ?? '.');
const rounds = Number(args[1] ?? 4), reps = Number(args[2] ?? 100);
const { loadNativeBackend, setNativeThreads } = await import(`${root}/dist/src/backend/native/index.js`);
const b = loadNativeBackend().backend;
const random = mulberry32(7);  // seeded: the same inputs in every run and build compared
const rnd = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = random() - 0.5; return a; };
const B = 256;
const adamP = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 10 };
const adamSlots = (sizes) => sizes.map((n) => ({ param: rnd(n), grad: rnd(n), m: new Float32Array(n), v: new Float32Array(n), vMax: null, size: n }));
const gsrc = new Uint8Array(60000 * 784).map((_, i) => i & 255), rows = new Uint32Array(B).map((_, i) => (i * 7919) % 60000);
const mm = (m, n, k, transA, transB, bias, activation) => ({ batch: 1, m, n, k, transA, transB, strideA: 0, strideB: 0, bias, activation });

// Each workload: its kernels, and the output each writes (checked before timing: at 2 threads it
// equals the output at 1 bit for bit; Adam updates its state in place and the gather's rows are
// fixed, so both are left to their tests).
function w1() {
  const X = rnd(B * 784), W1 = rnd(64 * 784), b1 = rnd(64), H = rnd(B * 64), W4 = rnd(784 * 64), b4 = rnd(784);
  const Y = rnd(B * 784), dY = rnd(B * 784), out784 = new Float32Array(B * 784), out64 = new Float32Array(B * 64), dW = new Float32Array(784 * 64);
  const p1 = rnd(50176), p2 = rnd(50176), g1 = rnd(50176), g2 = rnd(50176), m1 = new Float32Array(50176), m2 = new Float32Array(50176), v1 = new Float32Array(50176), v2 = new Float32Array(50176);
  const small = adamSlots([64, 2048, 32, 2048, 64, 784]);
  const slots = [{ param: p1, grad: g1, m: m1, v: v1, vMax: null, size: 50176 }, { param: p2, grad: g2, m: m2, v: v2, vMax: null, size: 50176 }, ...small];
  const s784 = [B, 784], st784 = [784, 1];
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
  const outputs = Object.fromEntries(Object.entries({ 'mm 256x784x64 Bt +bias +sigmoid': out784, 'mm 64x784x256 At (dW4)': dW, 'mm 256x64x784 Bt +bias +relu': out64,
    'mm 784x64x256 At (dW1)': dW, 'mm 256x64x784 (dH)': out64, 'binary sub [256x784]': out784, 'activationGrad sigmoid': out784,
    'reduce sum [1x256x784]': out784, 'reduce sumSquares [200704]': out784 }).map(([k, o]) => [k, [o]]));
  return { kernels, outputs };
}
function w2() {
  // Conv2dGeometry: input [n, c, h, w], a k×k kernel, stride s, padding p, output oh×oh.
  const geo = (c, h, k, s, p, oh) => ({ n: B, c, h, w: h, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, dh: 1, dw: 1, oh, ow: oh });
  const x1 = rnd(B * 784), a16 = rnd(B * 16 * 784), g16 = rnd(B * 16 * 784), a16h = rnd(B * 16 * 196), a8h = rnd(B * 8 * 196), g8h = rnd(B * 8 * 196);
  const a8q = rnd(B * 8 * 49), g1 = rnd(B * 784), o16 = new Float32Array(B * 16 * 784), o16h = new Float32Array(B * 16 * 196);
  const o8h = new Float32Array(B * 8 * 196), o8q = new Float32Array(B * 8 * 49), o1 = new Float32Array(B * 784);
  const w16x1 = rnd(16 * 9), w8x16 = rnd(8 * 16 * 9), w8x8 = rnd(8 * 8 * 9), w1x16 = rnd(16 * 9), b16 = rnd(16), b8 = rnd(8), b1 = rnd(1);
  const gw = new Float32Array(8 * 16 * 9), gb = new Float32Array(16);
  // Argmax planes from a real pool (the backward reads them).
  const arg16 = new Float32Array(B * 16 * 196), arg8 = new Float32Array(B * 8 * 49), pool16 = geo(16, 28, 2, 2, 0, 14), pool8 = geo(8, 14, 2, 2, 0, 7);
  b.maxPool2d(a16, o16h, arg16, pool16);
  b.maxPool2d(a8h, o8q, arg8, pool8);
  const z = rnd(B * 32), Wd = rnd(392 * 32), bd = rnd(392), We = rnd(32 * 392), be = rnd(32), o392 = new Float32Array(B * 392), o32 = new Float32Array(B * 32), dWd = new Float32Array(392 * 32);
  const slots = adamSlots([144, 16, 1152, 8, 12544, 32, 12544, 392, 576, 8, 1152, 16, 144, 1]);
  const kernels = {
    'conv2d 1->16 28x28 +bias': () => b.conv2d(x1, w16x1, b16, o16, geo(1, 28, 3, 1, 1, 28), 16),
    'maxPool2d [256x16x28x28]': () => b.maxPool2d(a16, o16h, arg16, pool16),
    'conv2d 16->8 14x14 +bias': () => b.conv2d(a16h, w8x16, b8, o8h, geo(16, 14, 3, 1, 1, 14), 8),
    'maxPool2d [256x8x14x14]': () => b.maxPool2d(a8h, o8q, arg8, pool8),
    'mm 256x32x392 Bt +bias': () => b.matmul(a8q, We, o32, mm(256, 32, 392, false, true, be, 'none')),
    'mm 256x392x32 Bt +bias +relu': () => b.matmul(z, Wd, o392, mm(256, 392, 32, false, true, bd, 'relu')),
    'convT 8->8 s2 7->14 +bias +relu': () => b.conv2dBackwardData(a8q, w8x8, b8, o8h, geo(8, 14, 3, 2, 1, 7), 8, 'relu'),
    'convT 8->16 s2 14->28 +bias +relu': () => b.conv2dBackwardData(a8h, w8x16, b16, o16, geo(16, 28, 3, 2, 1, 14), 8, 'relu'),
    'conv2d 16->1 28x28 +bias +sigmoid': () => b.conv2d(a16, w1x16, b1, o1, geo(16, 28, 3, 1, 1, 28), 1, 'sigmoid'),
    'activationGrad sigmoid [200704]': () => b.activationGrad('sigmoid', x1, g1, o1, B * 784),
    'convBackwardData 1->16 28x28': () => b.conv2dBackwardData(g1, w1x16, null, o16, geo(16, 28, 3, 1, 1, 28), 1),
    'convBackwardWeight 16x28x28, 1 ch +bias': () => b.conv2dBackwardWeight(a16, g1, gw, gb, geo(16, 28, 3, 1, 1, 28), 1),
    'activationGrad relu [3211264]': () => b.activationGrad('relu', a16, g16, o16, B * 16 * 784),
    'conv2d 16->8 s2 28->14 (convT dx)': () => b.conv2d(g16, w8x16, null, o8h, geo(16, 28, 3, 2, 1, 14), 8),
    'convBackwardWeight 16x28x28 s2, 8 ch': () => b.conv2dBackwardWeight(g16, a8h, gw, null, geo(16, 28, 3, 2, 1, 14), 8),
    'reduce sum [4096x784x1] (convT bias)': () => b.reduce('sum', g16, o16h, 4096, 784, 1),
    'activationGrad relu [401408]': () => b.activationGrad('relu', a8h, g8h, o8h, B * 8 * 196),
    'conv2d 8->8 s2 14->7 (convT dx)': () => b.conv2d(g8h, w8x8, null, o8q, geo(8, 14, 3, 2, 1, 7), 8),
    'convBackwardWeight 8x14x14 s2, 8 ch': () => b.conv2dBackwardWeight(g8h, a8q, gw, null, geo(8, 14, 3, 2, 1, 7), 8),
    'mm 392x32x256 At (dWd)': () => b.matmul(o392, z, dWd, mm(392, 32, 256, true, false, null, 'none')),
    'maxPool2dBackward [256x8x14x14]': () => b.maxPool2dBackward(a8q, arg8, o8h, pool8),
    'convBackwardData 8->16 14x14': () => b.conv2dBackwardData(g8h, w8x16, null, o16h, geo(16, 14, 3, 1, 1, 14), 8),
    'convBackwardWeight 16x14x14, 8 ch +bias': () => b.conv2dBackwardWeight(a16h, g8h, gw, gb, geo(16, 14, 3, 1, 1, 14), 8),
    'maxPool2dBackward [256x16x28x28]': () => b.maxPool2dBackward(a16h, arg16, o16, pool16),
    'convBackwardWeight 1x28x28, 16 ch +bias': () => b.conv2dBackwardWeight(x1, g16, gw, gb, geo(1, 28, 3, 1, 1, 28), 16),
    'adamSteps W2': () => b.adamSteps(slots, adamP),
    'gatherRows 256x784': () => b.gatherRows(gsrc, 784, rows, 255, o1),
  };
  const writes = {
    'conv2d 1->16 28x28 +bias': o16, 'maxPool2d [256x16x28x28]': o16h, 'conv2d 16->8 14x14 +bias': o8h, 'maxPool2d [256x8x14x14]': o8q,
    'mm 256x32x392 Bt +bias': o32, 'mm 256x392x32 Bt +bias +relu': o392, 'convT 8->8 s2 7->14 +bias +relu': o8h,
    'convT 8->16 s2 14->28 +bias +relu': o16, 'conv2d 16->1 28x28 +bias +sigmoid': o1, 'activationGrad sigmoid [200704]': o1,
    'convBackwardData 1->16 28x28': o16, 'convBackwardWeight 16x28x28, 1 ch +bias': gw, 'activationGrad relu [3211264]': o16,
    'conv2d 16->8 s2 28->14 (convT dx)': o8h, 'convBackwardWeight 16x28x28 s2, 8 ch': gw, 'reduce sum [4096x784x1] (convT bias)': o16h,
    'activationGrad relu [401408]': o8h, 'conv2d 8->8 s2 14->7 (convT dx)': o8q, 'convBackwardWeight 8x14x14 s2, 8 ch': gw,
    'mm 392x32x256 At (dWd)': dWd, 'maxPool2dBackward [256x8x14x14]': o8h, 'convBackwardData 8->16 14x14': o16h,
    'convBackwardWeight 16x14x14, 8 ch +bias': gw, 'maxPool2dBackward [256x16x28x28]': o16, 'convBackwardWeight 1x28x28, 16 ch +bias': gw,
  };
  // The bias gradients are checked with the weights' (gb after gw).
  const outputs = Object.fromEntries(Object.entries(writes).map(([k, o]) => [k, o === gw && k.includes('bias') ? [gw, gb] : [o]]));
  return { kernels, outputs };
}
const workloads = { W1: w1, W2: w2 };
if (!(workload in workloads)) throw new Error(`bench/thread-kernels.mjs: --workload ${workload}: expected one of ${Object.keys(workloads).join(', ')}`);
const { kernels, outputs } = workloads[workload]();
// A kernel whose output at 2 threads is not its output at 1 bit for bit is marked in the table.
const differs = new Set();
// Each count starts from outputs filled with NaN (every kernel here overwrites its output), so a
// 2-thread run that skipped part of its output cannot pass on the 1-thread run's leftovers.
for (const [name, outs] of Object.entries(outputs)) {
  outs.forEach((o) => o.fill(NaN));
  setNativeThreads(1);
  kernels[name]();
  const ones = outs.map((o) => o.slice());
  outs.forEach((o) => o.fill(NaN));
  setNativeThreads(2);
  kernels[name]();
  outs.forEach((out, k) => {
    const at = out.findIndex((v, i) => !Object.is(v, ones[k][i]));
    if (at >= 0) { differs.add(name); console.log(`${name}: at 2 threads differs from 1 thread at [${at}]: ${out[at]} against ${ones[k][at]}`); }
  });
}
const res = {};
for (let r = 0; r < rounds; r++) {
  for (const t of (r % 2 ? [2, 1] : [1, 2])) {
    setNativeThreads(t);
    for (const [name, f] of Object.entries(kernels)) {
      for (let i = 0; i < 20; i++) f();
      const xs = [];
      for (let i = 0; i < reps; i++) { if (cold) cold.fill(++evictions); const t0 = performance.now(); f(); xs.push(performance.now() - t0); }
      xs.sort((a, b) => a - b);
      ((res[name] ??= { 1: [], 2: [] })[t]).push(xs);
    }
  }
}
const q = (arrs, p) => { const all = arrs.flat().sort((a, b) => a - b); return all[Math.floor(p * (all.length - 1))] * 1000; };
console.log(`${workload}${cold ? ', cold (64 MiB written before each call)' : ''}; load ${loadavg()[0].toFixed(2)}; ${rounds} rounds x ${reps} reps; µs: min / p10 / median`);
console.log('kernel'.padEnd(40), '1t min  p10   med'.padStart(20), '2t min  p10   med'.padStart(20), ' min-ratio p10-ratio med-ratio');
for (const [name, r] of Object.entries(res)) {
  const a = [0, 0.1, 0.5].map((p) => q(r[1], p)), c = [0, 0.1, 0.5].map((p) => q(r[2], p));
  console.log(name.padEnd(40), a.map((v) => v.toFixed(1).padStart(7)).join(''), '  ', c.map((v) => v.toFixed(1).padStart(7)).join(''), '  ', a.map((v, i) => (v / c[i]).toFixed(2).padStart(6)).join('    '), differs.has(name) ? '  (2t ≠ 1t bits)' : '');
}

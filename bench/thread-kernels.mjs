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
const { WORKLOAD_TABLE } = await import(new URL('../dist/bench/tessera/workloads.js', import.meta.url).href);
const { convAutoencoderShapes } = await import(new URL('../dist/bench/tessera/conv-shapes.js', import.meta.url).href);
const { percentile } = await import(new URL('../dist/bench/harness/stats.js', import.meta.url).href);
const w2Shapes = convAutoencoderShapes(WORKLOAD_TABLE.W2);
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
// W2's sizes come from its architecture in bench/tessera/workloads.ts (this tree's dist/), so they
// follow the table: c0 image channels of s0×s0, levels of c1 and c2 channels at s1 and s2, a latent.
function w2() {
  const { inChannels: c0, sides: [s0, s1, s2], channels: [c1, c2], latent, flat, activation: act, output: outAct, parameterSizes } = w2Shapes;
  // Conv2dGeometry: input [n, c, h, w], a k×k kernel, stride s, padding p, output oh×oh.
  const geo = (c, h, k, s, p, oh) => ({ n: B, c, h, w: h, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, dh: 1, dw: 1, oh, ow: oh });
  const [n0, n1, n2] = [s0 * s0, s1 * s1, s2 * s2];
  // Activations and gradients, named by channels and level: a1_0 is [B, c1, s0, s0].
  const x0 = rnd(B * c0 * n0), a1_0 = rnd(B * c1 * n0), g1_0 = rnd(B * c1 * n0), a1_1 = rnd(B * c1 * n1), a2_1 = rnd(B * c2 * n1), g2_1 = rnd(B * c2 * n1);
  const a2_2 = rnd(B * c2 * n2), g0 = rnd(B * c0 * n0), o1_0 = new Float32Array(B * c1 * n0), o1_1 = new Float32Array(B * c1 * n1);
  const o2_1 = new Float32Array(B * c2 * n1), o2_2 = new Float32Array(B * c2 * n2), o0 = new Float32Array(B * c0 * n0);
  // Weights [out, in, 3, 3] (ConvTranspose2d's [in, out, 3, 3] have the same sizes).
  const w1x0 = rnd(c1 * c0 * 9), w2x1 = rnd(c2 * c1 * 9), w2x2 = rnd(c2 * c2 * 9), w0x1 = rnd(c0 * c1 * 9), b1 = rnd(c1), b2 = rnd(c2), b0 = rnd(c0);
  const gw = new Float32Array(Math.max(c1 * c0, c2 * c1, c2 * c2) * 9), gb = new Float32Array(Math.max(c0, c1, c2));
  // Argmax planes from a real pool (the backward reads them).
  const arg1 = new Float32Array(B * c1 * n1), arg2 = new Float32Array(B * c2 * n2), pool1 = geo(c1, s0, 2, 2, 0, s1), pool2 = geo(c2, s1, 2, 2, 0, s2);
  b.maxPool2d(a1_0, o1_1, arg1, pool1);
  b.maxPool2d(a2_1, o2_2, arg2, pool2);
  const z = rnd(B * latent), Wd = rnd(flat * latent), bd = rnd(flat), We = rnd(latent * flat), be = rnd(latent);
  const oFlat = new Float32Array(B * flat), oLatent = new Float32Array(B * latent), dWd = new Float32Array(flat * latent);
  const slots = adamSlots(parameterSizes);
  const image = (c, s) => `[${B}x${c}x${s}x${s}]`;
  // [name, the call, its output(s)] in the step's order; a weight gradient with a bias checks gb after gw.
  const table = [
    [`conv2d ${c0}->${c1} ${s0}x${s0} +bias`, () => b.conv2d(x0, w1x0, b1, o1_0, geo(c0, s0, 3, 1, 1, s0), c1), [o1_0]],
    [`maxPool2d ${image(c1, s0)}`, () => b.maxPool2d(a1_0, o1_1, arg1, pool1), [o1_1]],
    [`conv2d ${c1}->${c2} ${s1}x${s1} +bias`, () => b.conv2d(a1_1, w2x1, b2, o2_1, geo(c1, s1, 3, 1, 1, s1), c2), [o2_1]],
    [`maxPool2d ${image(c2, s1)}`, () => b.maxPool2d(a2_1, o2_2, arg2, pool2), [o2_2]],
    [`mm ${B}x${latent}x${flat} Bt +bias`, () => b.matmul(a2_2, We, oLatent, mm(B, latent, flat, false, true, be, 'none')), [oLatent]],
    [`mm ${B}x${flat}x${latent} Bt +bias +${act}`, () => b.matmul(z, Wd, oFlat, mm(B, flat, latent, false, true, bd, act)), [oFlat]],
    [`convT ${c2}->${c2} s2 ${s2}->${s1} +bias +${act}`, () => b.conv2dBackwardData(a2_2, w2x2, b2, o2_1, geo(c2, s1, 3, 2, 1, s2), c2, act), [o2_1]],
    [`convT ${c2}->${c1} s2 ${s1}->${s0} +bias +${act}`, () => b.conv2dBackwardData(a2_1, w2x1, b1, o1_0, geo(c1, s0, 3, 2, 1, s1), c2, act), [o1_0]],
    [`conv2d ${c1}->${c0} ${s0}x${s0} +bias +${outAct}`, () => b.conv2d(a1_0, w0x1, b0, o0, geo(c1, s0, 3, 1, 1, s0), c0, outAct), [o0]],
    [`activationGrad ${outAct} [${B * c0 * n0}]`, () => b.activationGrad(outAct, x0, g0, o0, B * c0 * n0), [o0]],
    [`convBackwardData ${c0}->${c1} ${s0}x${s0}`, () => b.conv2dBackwardData(g0, w0x1, null, o1_0, geo(c1, s0, 3, 1, 1, s0), c0), [o1_0]],
    [`convBackwardWeight ${c1}x${s0}x${s0}, ${c0} ch +bias`, () => b.conv2dBackwardWeight(a1_0, g0, gw, gb, geo(c1, s0, 3, 1, 1, s0), c0), [gw, gb]],
    [`activationGrad ${act} [${B * c1 * n0}]`, () => b.activationGrad(act, a1_0, g1_0, o1_0, B * c1 * n0), [o1_0]],
    [`conv2d ${c1}->${c2} s2 ${s0}->${s1} (convT dx)`, () => b.conv2d(g1_0, w2x1, null, o2_1, geo(c1, s0, 3, 2, 1, s1), c2), [o2_1]],
    [`convBackwardWeight ${c1}x${s0}x${s0} s2, ${c2} ch`, () => b.conv2dBackwardWeight(g1_0, a2_1, gw, null, geo(c1, s0, 3, 2, 1, s1), c2), [gw]],
    [`reduce sum [${B * c1}x${n0}x1] (convT bias)`, () => b.reduce('sum', g1_0, o1_1, B * c1, n0, 1), [o1_1]],
    [`activationGrad ${act} [${B * c2 * n1}]`, () => b.activationGrad(act, a2_1, g2_1, o2_1, B * c2 * n1), [o2_1]],
    [`conv2d ${c2}->${c2} s2 ${s1}->${s2} (convT dx)`, () => b.conv2d(g2_1, w2x2, null, o2_2, geo(c2, s1, 3, 2, 1, s2), c2), [o2_2]],
    [`convBackwardWeight ${c2}x${s1}x${s1} s2, ${c2} ch`, () => b.conv2dBackwardWeight(g2_1, a2_2, gw, null, geo(c2, s1, 3, 2, 1, s2), c2), [gw]],
    [`mm ${flat}x${latent}x${B} At (dWd)`, () => b.matmul(oFlat, z, dWd, mm(flat, latent, B, true, false, null, 'none')), [dWd]],
    [`maxPool2dBackward ${image(c2, s1)}`, () => b.maxPool2dBackward(a2_2, arg2, o2_1, pool2), [o2_1]],
    [`convBackwardData ${c2}->${c1} ${s1}x${s1}`, () => b.conv2dBackwardData(g2_1, w2x1, null, o1_1, geo(c1, s1, 3, 1, 1, s1), c2), [o1_1]],
    [`convBackwardWeight ${c1}x${s1}x${s1}, ${c2} ch +bias`, () => b.conv2dBackwardWeight(a1_1, g2_1, gw, gb, geo(c1, s1, 3, 1, 1, s1), c2), [gw, gb]],
    [`maxPool2dBackward ${image(c1, s0)}`, () => b.maxPool2dBackward(a1_1, arg1, o1_0, pool1), [o1_0]],
    [`convBackwardWeight ${c0}x${s0}x${s0}, ${c1} ch +bias`, () => b.conv2dBackwardWeight(x0, g1_0, gw, gb, geo(c0, s0, 3, 1, 1, s0), c1), [gw, gb]],
    ['adamSteps W2', () => b.adamSteps(slots, adamP), null],
    [`gatherRows ${B}x${c0 * n0}`, () => b.gatherRows(gsrc, c0 * n0, rows, 255, o0), null],
  ];
  const kernels = Object.fromEntries(table.map(([name, f]) => [name, f]));
  const outputs = Object.fromEntries(table.filter(([, , outs]) => outs !== null).map(([name, , outs]) => [name, outs]));
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
      ((res[name] ??= { 1: [], 2: [] })[t]).push(xs);
    }
  }
}
const q = (arrs, p) => percentile(arrs.flat(), 100 * p) * 1000;
console.log(`${workload}${cold ? ', cold (64 MiB written before each call)' : ''}; load ${loadavg()[0].toFixed(2)}; ${rounds} rounds x ${reps} reps; µs: min / p10 / median`);
console.log('kernel'.padEnd(40), '1t min  p10   med'.padStart(20), '2t min  p10   med'.padStart(20), ' min-ratio p10-ratio med-ratio');
for (const [name, r] of Object.entries(res)) {
  const a = [0, 0.1, 0.5].map((p) => q(r[1], p)), c = [0, 0.1, 0.5].map((p) => q(r[2], p));
  console.log(name.padEnd(40), a.map((v) => v.toFixed(1).padStart(7)).join(''), '  ', c.map((v) => v.toFixed(1).padStart(7)).join(''), '  ', a.map((v, i) => (v / c[i]).toFixed(2).padStart(6)).join('    '), differs.has(name) ? '  (2t ≠ 1t bits)' : '');
}

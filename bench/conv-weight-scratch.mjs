// The native weight gradient of one wide convolution (512 → 512 channels, 3×3, padding 1, by
// default 32 images of 8×8) in a fresh process: its time per call, the process's peak RSS, and a
// hash of the gradient's bits, so that two builds compared side by side must print the same hash.
// The kernel's per-thread float lanes once took 64 bytes per weight (151 MB a thread at 512 → 512);
// bench/RESULTS.md, "Tidying issue 15's loose ends".
//
//   node bench/conv-weight-scratch.mjs [ROOT=.] [threads=1] [channels=512] [size=8] [images=32] [calls=5] [kernel=weight]
//
// ROOT is a tree with dist/ and build/ (another branch's copy, to compare two builds). kernel: weight
// (conv2dBackwardWeight, with the bias gradient), forward (conv2d, with bias) or data (conv2dBackwardData),
// to see each of a wide layer's three kernels at 1 and 2 threads.
import { resolve } from 'node:path';
import { loadavg } from 'node:os';
import { mulberry32 } from './peers/peer-common.mjs';

const [rootArg = '.', threadsArg = '1', channelsArg = '512', sizeArg = '8', imagesArg = '32', callsArg = '5', kernel = 'weight'] = process.argv.slice(2);
if (!['weight', 'forward', 'data'].includes(kernel)) throw new Error(`conv-weight-scratch: kernel must be weight, forward or data, got '${kernel}'`);
const root = resolve(rootArg);
const [threads, c, size, n, calls] = [threadsArg, channelsArg, sizeArg, imagesArg, callsArg].map(Number);
const { loadNativeBackend, setNativeThreads } = await import(`${root}/dist/src/backend/native/index.js`);
const b = loadNativeBackend().backend;
setNativeThreads(threads);
const random = mulberry32(3);
const rnd = (len) => { const a = new Float32Array(len); for (let i = 0; i < len; i++) a[i] = random() - 0.5; return a; };
const g = { n, c, h: size, w: size, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, oh: size, ow: size };
const x = rnd(n * c * size * size), gy = rnd(n * c * size * size);
const gw = new Float32Array(c * c * 9), gb = new Float32Array(c);
const w = rnd(c * c * 9), bias = rnd(c), out = new Float32Array(n * c * size * size);  // forward's y, data's gx
const call = {
  weight: () => b.conv2dBackwardWeight(x, gy, gw, gb, g, c),
  forward: () => b.conv2d(x, w, bias, out, g, c),
  data: () => b.conv2dBackwardData(gy, w, null, out, g, c),
}[kernel];
const rssBefore = process.resourceUsage().maxRSS / 1024;
const times = [];
for (let i = 0; i < calls; i++) {
  const t0 = performance.now();
  call();
  times.push(performance.now() - t0);
}
// FNV-1a over the result's bytes (the gradient's weights, then biases).
let hash = 0x811c9dc5;
for (const a of kernel === 'weight' ? [gw, gb] : [out]) for (const byte of new Uint8Array(a.buffer)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
times.sort((p, q) => p - q);
const gflops = (2 * n * c * c * 9 * size * size) / 1e6 / times[Math.floor(times.length / 2)];
console.log(`${rootArg} ${kernel} ${threads}t ${c}->${c} 3x3 ${n}x${size}x${size}: median ${times[Math.floor(times.length / 2)].toFixed(1)} ms (min ${times[0].toFixed(1)}), ${gflops.toFixed(1)} GFLOP/s; `
  + `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (${rssBefore.toFixed(0)} before the calls); bits ${hash.toString(16)}; load ${loadavg()[0].toFixed(2)}`);

// The W3 VAE's BCE kernels on one 256×784 batch, native, one thread (bench/RESULTS.md, "W3 VAE: BCE on the
// decoder's logits"): before (bce, bceGrad, activationGrad sigmoid) against after (bceLogits, bceLogitsGrad,
// the unary sigmoid), interleaved, 5 rounds of 50 calls each, the best round of each.
//   npx tsc -p tsconfig.build.json && TESSERA_THREADS=1 node bench/vae-bce-kernels.mjs
import { loadNativeBackend } from '../dist/src/backend/native/index.js';
const { backend: nat } = loadNativeBackend();
const N = 256 * 784;
const z = new Float32Array(N), p = new Float32Array(N), x = new Float32Array(N), o = new Float32Array(N);
let s = 7; const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
for (let i = 0; i < N; i++) { z[i] = (r() - 0.5) * 16; p[i] = 1 / (1 + Math.exp(-z[i])); x[i] = r() < 0.5 ? 0 : r(); }
const kernels = {
  'bce': () => nat.binary('bce', p, [1], x, [1], o, [N]),
  'bceGrad': () => nat.binary('bceGrad', p, [1], x, [1], o, [N]),
  'activationGrad sigmoid': () => nat.activationGrad('sigmoid', p, x, o, N),
  'bceLogits': () => nat.binary('bceLogits', z, [1], x, [1], o, [N]),
  'bceLogitsGrad': () => nat.binary('bceLogitsGrad', z, [1], x, [1], o, [N]),
  'unary sigmoid': () => nat.unary('sigmoid', z, o, N, {}),
  'binary sub': () => nat.binary('sub', p, [1], x, [1], o, [N]),
};
const best = {};
for (let round = 0; round < 5; round++) for (const [name, f] of Object.entries(kernels)) {
  f(); const t = performance.now(); for (let k = 0; k < 50; k++) f();
  const ms = (performance.now() - t) / 50; best[name] = Math.min(best[name] ?? Infinity, ms);
}
for (const [name, ms] of Object.entries(best)) console.log(name.padEnd(24), ms.toFixed(3), 'ms');

// bceLogitsWithGrad's one pass against the two binary ops and the sum it replaced, each alone in a
// loop on 200,704 logits (W3's batch), native backend, one thread: µs per call, twice.
//   node bench/bce-logits-pass.mjs [ROOT=.]      (ROOT: a built tree, `npx tsc -p tsconfig.build.json`)
// bench/RESULTS.md, "W3: BCE on logits and its derivative in one pass, the training reconstruction's σ deferred".
import { resolve } from 'node:path';
const root = resolve(process.argv[2] ?? '.');
const { loadNativeBackend, setNativeThreads } = await import(`${root}/dist/src/backend/native/index.js`);
const { backend: b } = loadNativeBackend();
setNativeThreads(1);
const n = 200704, z = new Float32Array(n), x = new Float32Array(n);
let s = 1; const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
for (let i = 0; i < n; i++) { z[i] = (r() - 0.5) * 16; x[i] = r(); }
const loss = new Float32Array(n), grad = new Float32Array(n), sum = new Float32Array(1);
const time = (f) => { for (let k = 0; k < 50; k++) f(); const t = process.hrtime.bigint(); for (let k = 0; k < 300; k++) f(); return Number(process.hrtime.bigint() - t) / 300 / 1000; };
for (let rep = 0; rep < 2; rep++) {
  console.log('fused', time(() => b.bceLogitsWithGrad(z, x, loss, grad, n)).toFixed(1),
    'bceLogits', time(() => b.binary('bceLogits', z, [1], x, [1], loss, [n])).toFixed(1),
    'bceLogitsGrad', time(() => b.binary('bceLogitsGrad', z, [1], x, [1], grad, [n])).toFixed(1),
    'sum', time(() => b.reduce('sum', loss, sum, 1, n, 1)).toFixed(1));
}

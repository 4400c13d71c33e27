// Two built trees' engines interleaved in one process: W3 (the dense VAE) fit() epochs of ROWS rows
// (batch 256), native backend, one thread, before and after alternating each round (round 0 warms up).
//   node --expose-gc bench/interleave-w3.mjs BEFORE_ROOT AFTER_ROOT [rounds=8] [rows=12800]
// bench/RESULTS.md, "W3: BCE on logits and its derivative in one pass, the training reconstruction's σ deferred".
import { resolve } from 'node:path';
if (process.argv.length < 4) throw new Error('interleave-w3.mjs: expected BEFORE_ROOT AFTER_ROOT [rounds] [rows]');
const trees = { before: resolve(process.argv[2]), after: resolve(process.argv[3]) };
const rounds = Number(process.argv[4] ?? 8), rows = Number(process.argv[5] ?? 12800);
const runs = {};
for (const [name, root] of Object.entries(trees)) {
  const t = await import(`${root}/dist/src/index.js`);
  const nat = await import(`${root}/dist/src/backend/native/index.js`);
  const { workload } = await import(`${root}/dist/bench/tessera/workloads.js`);
  const { buildWorkloadModel, workloadRows } = await import(`${root}/dist/bench/tessera/workload-model.js`);
  const { loadByteImages } = await import(`${root}/dist/bench/tessera/byte-images.js`);
  await t.useBackend('native');
  nat.setNativeThreads(1);
  const w = workload('W3');
  const train = workloadRows(await loadByteImages('train'), rows, w.featureShape);
  const generator = new t.Generator(0);
  const { model, loss } = buildWorkloadModel(w, generator);
  const optimizer = new t.Adam(model.parameters(), { lr: 1e-3 });
  runs[name] = async () => {
    t.setBackend('native'); nat.setNativeThreads(1);
    const h = await t.fit(model, train, null, { optimizer, loss, epochs: 1, batchSize: 256, shuffle: true, generator });
    return h;
  };
}
const times = { before: [], after: [] };
for (let r = 0; r < rounds + 1; r++) {
  for (const name of r % 2 ? ['after', 'before'] : ['before', 'after']) {
    globalThis.gc?.();
    const t0 = performance.now();
    await runs[name]();
    const ms = performance.now() - t0;
    if (r > 0) times[name].push(ms / (rows / 256));  // round 0 warms up
  }
}
const { median: med } = await import(new URL('../dist/bench/harness/stats.js', import.meta.url).href);
const ratios = times.before.map((b, i) => b / times.after[i]);
console.log(`load ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}`);
console.log('ms/step before', times.before.map((x) => x.toFixed(3)).join(' '));
console.log('ms/step after ', times.after.map((x) => x.toFixed(3)).join(' '));
console.log(`median before ${med(times.before).toFixed(3)} after ${med(times.after).toFixed(3)}; before/after per round: median ${med(ratios).toFixed(3)}, min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}`);

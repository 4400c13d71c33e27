// Which path of native/simd_optim.inc each of W1's Adam vectors takes after each epoch of training,
// and how many momenta a dead unit has left tiny: per parameter, the momenta below 2^-60, and the
// 16-element vectors that take every operation in double lanes (a gradient below 2^-58, or a second
// moment or parameter below 2^-90), the momenta's products in double lanes (a momentum below 2^-90),
// or float lanes only (bench/RESULTS.md, "Subnormal moments"). The thresholds are simd_optim.inc's.
//
//   npx tsc -p tsconfig.build.json && TESSERA_THREADS=1 node bench/adam-paths.mjs [epochs=4]
import { Adam, Generator, fit, useBackend } from '../dist/src/index.js';
import { workload } from '../dist/bench/tessera/workloads.js';
import { buildWorkloadModel, workloadRows } from '../dist/bench/tessera/workload-model.js';
import { loadByteImages } from '../dist/bench/tessera/byte-images.js';

const epochs = Number(process.argv[2] ?? 4);
await useBackend('native');
const w = workload('W1');
const trainSet = workloadRows(await loadByteImages('train'), 0, w.featureShape);
const generator = new Generator(0);
const { model, loss } = buildWorkloadModel(w, generator);
const params = model.parameters();
const optimizer = new Adam(params, { lr: 1e-3 });
const tiny = (x, e) => x !== 0 && Math.abs(x) < 2 ** -e;
const values = (t) => Float32Array.from(t.toArray().flat(Infinity));
for (let epoch = 1; epoch <= epochs; epoch++) {
  await fit(model, trainSet, null, { optimizer, loss, epochs: 1, batchSize: 256, shuffle: true, generator });
  const { state } = optimizer.stateDict();
  const total = { tinyM: 0, allDouble: 0, momenta: 0, float: 0 };
  const rows = params.map((p, k) => {
    const pv = values(p), m = values(state[`param${k}.exp_avg`]), v = values(state[`param${k}.exp_avg_sq`]);
    const g = p.grad ? values(p.grad) : new Float32Array(pv.length);
    const row = { n: pv.length, tinyM: m.filter((x) => tiny(x, 60)).length, allDouble: 0, momenta: 0, float: 0 };
    for (let i = 0; i < pv.length; i += 16) {
      let all = false, mom = false;
      for (let j = i; j < Math.min(i + 16, pv.length); j++) {
        all ||= tiny(g[j], 58) || tiny(v[j], 90) || tiny(pv[j], 90);
        mom ||= tiny(m[j], 90);
      }
      row[all ? 'allDouble' : mom ? 'momenta' : 'float']++;
    }
    for (const key of Object.keys(total)) total[key] += row[key];
    return `param${k} (${row.n}): momenta < 2^-60 ${row.tinyM}; vectors all-double ${row.allDouble}, momenta ${row.momenta}, float ${row.float}`;
  });
  console.log(`epoch ${epoch}: momenta < 2^-60 ${total.tinyM}; vectors all-double ${total.allDouble}, momenta ${total.momenta}, float ${total.float}`);
  for (const r of rows) console.log(`  ${r}`);
}

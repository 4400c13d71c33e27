// A workload's training epoch in CPU seconds as well as wall seconds, for comparisons on a loaded
// machine: the harness's epoch times are wall times, which other processes inflate by whatever
// share of the cores they take; this process's CPU time (one thread: TESSERA_THREADS=1) counts
// only the time it ran. Trains as w1-child.ts does (the workload's model, Adam 1e-3, batch 256,
// shuffled) and prints one JSON line: epoch_wall_seconds, epoch_cpu_seconds, test_loss.
//
//   npm run build && TESSERA_THREADS=1 node dist/bench/tessera/epoch-cpu.js --workload W4 [--epochs 2] [--seed 0] [--limit 60000]
import { parseArgs } from 'node:util';
import { Adam, Generator, evaluate, fit, useBackend } from '../../src/index.js';
import { loadByteImages } from './byte-images.js';
import { workload, type WorkloadId } from './workloads.js';
import { buildWorkloadModel, workloadRows } from './workload-model.js';

const cpuSeconds = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workload: { type: 'string', default: 'W1' }, epochs: { type: 'string', default: '2' },
    seed: { type: 'string', default: '0' }, limit: { type: 'string', default: '0' } } });
  const w = workload(values.workload as WorkloadId);
  await useBackend('native');
  const trainSet = workloadRows(await loadByteImages('train'), Number(values.limit), w.featureShape);
  const testSet = workloadRows(await loadByteImages('test'), 0, w.featureShape);
  const generator = new Generator(Number(values.seed));
  const { model, loss } = buildWorkloadModel(w, generator);
  const cpu: number[] = [], testLoss: number[] = [];
  let mark = cpuSeconds();
  const history = await fit(model, trainSet, null, {
    optimizer: new Adam(model.parameters(), { lr: 1e-3 }), loss, epochs: Number(values.epochs), batchSize: 256, shuffle: true, generator,
    // The epoch's CPU time ends where fit's epoch time does; the test pass is outside both.
    callbacks: [{ onEpochEnd: async () => {
      cpu.push(cpuSeconds() - mark);
      testLoss.push(await evaluate(model, testSet, null, { loss, batchSize: 1000 }));
      mark = cpuSeconds();
    } }],
  });
  process.stdout.write(JSON.stringify({ workload: w.id, epoch_wall_seconds: history.seconds, epoch_cpu_seconds: cpu, test_loss: testLoss }) + '\n');
}

void main();

// One workload run in its own process (bench/tessera/w1.ts and family.ts spawn it), so that peak
// RSS belongs to this run alone and TESSERA_THREADS / TESSERA_BACKEND are in the environment
// before tessera loads (the native thread pool is sized when the addon loads).
//
//   TESSERA_THREADS=1 node dist/bench/tessera/w1-child.js [--workload W2] --backend native --epochs 5 --seed 0
//
// W1 (issue 7) by default: 784 → 64 ReLU → 32 ReLU → 64 ReLU → 784 sigmoid, MSE, Adam(lr 1e-3),
// batch 256, shuffled every epoch, the 60,000 Fashion-MNIST training images scaled to [0, 1];
// the other workloads (W2-W5) are in workloads.ts. The test loss on the 10,000 test images after
// every epoch is outside the timed region, as in bench/peers/torch_w1.py. Everything goes through
// the public API: buildArchitecture, Adam, fit, evaluate. The images stay bytes (byte-images.ts)
// so the process holds no float32 copy of the data set.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  Adam, Generator, InMemoryDataset, evaluate, fit, loadFashionMnist, useBackend, type BackendName, type Dataset,
} from '../../src/index.js';
import { parseW1ChildArgs, type W1ChildOutput } from './w1-args.js';
import { workload } from './workloads.js';
import { buildWorkloadModel, workloadRows } from './workload-model.js';
import { loadByteImages } from './byte-images.js';
import { summarize } from '../harness/stats.js';
import { backgroundCpuSeconds, cpuSnapshot, othersBusyCores, threadCpuSnapshot, type CpuSnapshot } from '../harness/machine.js';

/**
 * Resets the kernel's peak-RSS mark (Linux ≥ 4.0: writing 5 to /proc/self/clear_refs), so that
 * VmHWM afterwards is the peak of the training epochs alone, without the data set's load
 * (gunzip holds the compressed and the inflated bytes at once). False where unsupported.
 */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** VmHWM of /proc/self/status in MiB. */
function peakRssSinceReset(): number | null {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

async function main(): Promise<void> {
  const args = parseW1ChildArgs(process.argv.slice(2));
  const w = workload(args.workload);
  const backendName = args.backend as BackendName;
  const tLoad = performance.now();
  await useBackend(backendName);
  const [train, test]: Dataset[] = args.data === 'bytes'
    ? [await loadByteImages('train'), await loadByteImages('test')]
    : (['train', 'test'] as const).map((split) => new InMemoryDataset(loadFashionMnist({ split }).images, [784]));
  const trainSet = workloadRows(train, args.limit, w.featureShape);
  const testSet = workloadRows(test, 0, w.featureShape);
  const trainRows = trainSet.length;
  const loadSeconds = (performance.now() - tLoad) / 1000;

  const info = backendName === 'native' ? (await import('../../src/backend/native/index.js')).nativeInfo()
    : backendName === 'wasm' ? (await import('../../src/backend/wasm/index.js')).wasmInfo() : null;
  const generator = new Generator(args.seed);
  // PyTorch's init, as the torch peer (bench/peers/torch_w1.py) uses: the test-loss comparison is like for like.
  const { model, loss } = buildWorkloadModel(w, generator);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const testLoss: number[] = [];
  const epochCpuSeconds: number[] = [];
  let cpuAtEpochBegin = process.cpuUsage();
  // Other processes' CPU during each epoch: a two-thread epoch on two cores is only worth its
  // figure when this is ~0 (bench/RESULTS.md, branch w1two: runs inside the machine lock still
  // met other sessions' unlocked type checks, a whole core at times).
  const epochOtherBusyCores: number[] = [];
  let machineAtEpochBegin: CpuSnapshot | null = null;
  // CPU that V8's compiler and GC threads took during each epoch (backgroundCpuSeconds): at two
  // threads on two cores it comes out of the run's own time, most of it in the first epochs.
  const epochBackgroundCpu: number[] = [];
  let threadsAtEpochBegin: Map<number, number> | null = null;
  // the child runs with --expose-gc: the load's garbage goes before the peak mark is reset
  (globalThis as { gc?: () => void }).gc?.();
  const hwmReset = resetPeakRss();
  const history = await fit(model, trainSet, null, {
    optimizer, loss, epochs: args.epochs, batchSize: 256, shuffle: true, generator,
    // fit's epoch time stops before callbacks: the test pass is outside the timed region.
    callbacks: [{
      // CPU time of each epoch's training (this process, user + system): on a loaded machine a
      // steadier measure of the work an epoch does than its wall time.
      onEpochBegin: () => { cpuAtEpochBegin = process.cpuUsage(); machineAtEpochBegin = cpuSnapshot(); threadsAtEpochBegin = threadCpuSnapshot(); },
      onEpochEnd: async () => {
        const cpu = process.cpuUsage(cpuAtEpochBegin);
        const machine = cpuSnapshot(), threads = threadCpuSnapshot();
        if (threadsAtEpochBegin && threads) epochBackgroundCpu.push(backgroundCpuSeconds(threadsAtEpochBegin, threads, process.pid, info?.threads ?? 1));
        if (machineAtEpochBegin && machine) epochOtherBusyCores.push(othersBusyCores(machineAtEpochBegin, machine));
        epochCpuSeconds.push((cpu.user + cpu.system) / 1e6);
        testLoss.push(await evaluate(model, testSet, null, { loss, batchSize: 1000 }));
      },
    }],
  });
  const perEpoch = summarize(history.seconds);
  const out: W1ChildOutput = {
    runner: 'tessera', workload: w.id, backend: backendName, threads: info?.threads ?? 1,
    native: info, epochs: args.epochs, data: args.data, batch: 256, train_rows: trainRows, seed: args.seed,
    load_seconds: loadSeconds, epoch_seconds: history.seconds, epoch_cpu_seconds: epochCpuSeconds,
    ...(epochOtherBusyCores.length > 0 ? { epoch_other_busy_cores: epochOtherBusyCores } : {}),
    ...(epochBackgroundCpu.length > 0 ? { epoch_background_cpu_seconds: epochBackgroundCpu } : {}), seconds_per_epoch: perEpoch,
    samples_per_second: trainRows / perEpoch.median, train_loss: history.loss, test_loss: testLoss,
    // maxRSS is in KiB.
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
    epoch_peak_rss_mib: hwmReset ? peakRssSinceReset() : null,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench/tessera/w1-child.ts: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

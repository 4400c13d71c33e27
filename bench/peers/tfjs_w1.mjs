// W1 in TensorFlow.js: the seed document's Keras autoencoder, as a tfjs-layers model.
//
// 784 -> 64 ReLU -> 32 ReLU -> 64 ReLU -> 784 sigmoid, MSE, adam(1e-3), batch 256, shuffled,
// on the `cpu` or `wasm` backend. The modules come from bench/.peers (bash bench/setup-peers.sh),
// never from tessera's node_modules.
//
//   node bench/peers/tfjs_w1.mjs --backend wasm --steps 40      (time 40 steps, extrapolate)
//   node bench/peers/tfjs_w1.mjs --backend cpu --epochs 1       (time whole epochs)
//
// A full epoch takes about a minute on `cpu`, so --steps N times N steps (after --warmup
// untimed ones) and extrapolates seconds per epoch = mean step time x steps per epoch; the
// JSON says so in "extrapolated" and "note". Prints one JSON object as its last stdout line.
// Exit code 3 means the peer is absent (modules not installed).
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { mulberry32, permutation, summarize } from './peer-common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ABSENT_EXIT_CODE = 3;

function parseArgs(argv) {
  const opts = { backend: 'cpu', steps: 0, epochs: 1, warmup: 2, seed: 0, batch: 256, test: true,
    peersDir: resolve(here, '..', '.peers'), data: null };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`tfjs_w1.mjs: ${key} expects a value`);
      return argv[++i];
    };
    const int = () => {
      const n = Number.parseInt(value(), 10);
      if (!Number.isFinite(n) || n < 0) throw new Error(`tfjs_w1.mjs: ${key} expects an integer >= 0`);
      return n;
    };
    if (key === '--backend') opts.backend = value();
    else if (key === '--steps') opts.steps = int();
    else if (key === '--epochs') opts.epochs = int();
    else if (key === '--warmup') opts.warmup = int();
    else if (key === '--seed') opts.seed = int();
    else if (key === '--batch') opts.batch = int();
    else if (key === '--no-test') opts.test = false;
    else if (key === '--peers-dir') opts.peersDir = resolve(value());
    else if (key === '--data') opts.data = resolve(value());
    else throw new Error(`tfjs_w1.mjs: unknown option '${key}' (expected --backend, --steps, --epochs, --warmup, --seed, --batch, --no-test, --peers-dir, --data)`);
  }
  if (opts.backend !== 'cpu' && opts.backend !== 'wasm') throw new Error(`tfjs_w1.mjs: --backend must be cpu or wasm, got '${opts.backend}'`);
  if (opts.batch < 1 || (opts.steps === 0 && opts.epochs < 1)) throw new Error('tfjs_w1.mjs: --batch and --epochs (or --steps) must be >= 1');
  return opts;
}

// IDX3 images: big-endian magic 0x00000803, n, rows, cols, then n*rows*cols bytes -> [0,1] floats.
function readImages(path) {
  const raw = gunzipSync(readFileSync(path));
  const magic = raw.readUInt32BE(0), n = raw.readUInt32BE(4), size = raw.readUInt32BE(8) * raw.readUInt32BE(12);
  if (magic !== 0x803 || raw.length !== 16 + n * size) {
    throw new Error(`tfjs_w1.mjs: ${path} is not an IDX3 uint8 image file (magic ${magic.toString(16)}, ${raw.length} bytes, expected 0x803 and ${16 + n * size})`);
  }
  const pixels = new Float32Array(n * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = raw[16 + i] / 255;
  return { n, size, pixels };
}

function findData(explicit) {
  const files = ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz'];
  const dirs = explicit ? [explicit] : [resolve(here, '..', '..', 'data', 'fashion-mnist'), '/usr/share/datasets/fashion-mnist'];
  const dir = dirs.find((d) => files.every((f) => existsSync(join(d, f))));
  if (!dir) throw new Error(`tfjs_w1.mjs: no Fashion-MNIST files (${files.join(', ')}) in ${dirs.join(' or ')}`);
  return { dir, train: readImages(join(dir, files[0])), test: readImages(join(dir, files[1])) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const manifest = join(opts.peersDir, 'package.json');
  const requirePeer = createRequire(manifest);
  let tf;
  const tImport = performance.now();
  try {
    tf = requirePeer('@tensorflow/tfjs');
    if (opts.backend === 'wasm') requirePeer('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    process.stderr.write(`tfjs_w1.mjs: TensorFlow.js not found under ${opts.peersDir} (run bash bench/setup-peers.sh): ${err.message.split('\n')[0]}\n`);
    process.exit(ABSENT_EXIT_CODE);
  }
  const importSeconds = (performance.now() - tImport) / 1000;
  if (!(await tf.setBackend(opts.backend))) throw new Error(`tfjs_w1.mjs: tf.setBackend('${opts.backend}') failed`);
  await tf.ready();

  const data = findData(opts.data);
  const { n, size } = data.train;
  const seed = opts.seed;
  const dense = (units, activation, inputShape) => tf.layers.dense({
    units, activation, inputShape,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + units }),
  });
  const model = tf.sequential({ layers: [
    dense(64, 'relu', [size]), dense(32, 'relu'), dense(64, 'relu'), dense(size, 'sigmoid'),
  ] });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });

  const random = mulberry32(seed);
  const stepsPerEpoch = Math.ceil(n / opts.batch);
  const batchBuffer = new Float32Array(opts.batch * size);
  // One step: gather the shuffled rows, forward, backward, adam update; awaits the loss value.
  async function step(order, start) {
    const rows = Math.min(opts.batch, n - start);
    for (let r = 0; r < rows; r++) {
      const src = order[start + r] * size;
      batchBuffer.set(data.train.pixels.subarray(src, src + size), r * size);
    }
    const x = tf.tensor2d(batchBuffer.subarray(0, rows * size), [rows, size]);
    const loss = await model.trainOnBatch(x, x);
    x.dispose();
    return loss;
  }

  const stepSeconds = [];
  const epochSeconds = [];
  let trainLoss = 0;
  let stepsRun = 0;
  if (opts.steps > 0) {
    const order = permutation(n, random);
    for (let s = 0; s < opts.warmup + opts.steps; s++) {
      const t0 = performance.now();
      trainLoss = await step(order, (s % stepsPerEpoch) * opts.batch);
      if (s >= opts.warmup) stepSeconds.push((performance.now() - t0) / 1000);
    }
    stepsRun = opts.warmup + opts.steps;
  } else {
    for (let e = 0; e < opts.epochs; e++) {
      const t0 = performance.now();
      const order = permutation(n, random);
      for (let s = 0; s < stepsPerEpoch; s++) trainLoss = await step(order, s * opts.batch);
      epochSeconds.push((performance.now() - t0) / 1000);
    }
    stepsRun = opts.epochs * stepsPerEpoch;
  }

  let testMse = null;
  if (opts.test) { // mean over all 10000 x 784 elements, in chunks to bound memory
    let sum = 0;
    const { n: nt, pixels } = data.test;
    for (let start = 0; start < nt; start += 1000) {
      const rows = Math.min(1000, nt - start);
      const chunk = tf.tensor2d(pixels.subarray(start * size, (start + rows) * size), [rows, size]);
      const err = tf.tidy(() => tf.sum(tf.squaredDifference(model.predict(chunk), chunk)));
      sum += (await err.data())[0];
      err.dispose(); chunk.dispose();
    }
    testMse = sum / (nt * size);
  }

  const extrapolated = opts.steps > 0;
  const stepStats = extrapolated ? summarize(stepSeconds) : null;
  // Extrapolated from the MEAN step time: slow steps (garbage collection) belong to an epoch
  // too, and the median would hide them. min/max scale the fastest and slowest step.
  const meanStep = extrapolated ? stepSeconds.reduce((a, b) => a + b, 0) / stepSeconds.length : 0;
  const perEpoch = extrapolated
    ? { median: meanStep * stepsPerEpoch, min: stepStats.min * stepsPerEpoch, max: stepStats.max * stepsPerEpoch, spread: stepStats.spread, n: stepStats.n }
    : summarize(epochSeconds);
  const result = {
    peer: 'tfjs',
    workload: 'W1',
    backend: tf.getBackend(),
    tfjs_version: tf.version.tfjs,
    wasm_simd: opts.backend === 'wasm' ? tf.env().getBool('WASM_HAS_SIMD_SUPPORT') : null,
    wasm_threads: opts.backend === 'wasm' ? tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') : null,
    batch: opts.batch,
    steps_per_epoch: stepsPerEpoch,
    seed,
    data_dir: data.dir,
    import_seconds: importSeconds,
    extrapolated,
    // In extrapolated mode seconds_per_epoch.median holds mean step x steps per epoch.
    estimator: extrapolated ? 'mean step x steps per epoch' : 'median of whole epochs',
    note: extrapolated
      ? `extrapolated: mean of ${opts.steps} timed steps (after ${opts.warmup} warm-up) x ${stepsPerEpoch} steps/epoch`
      : `${opts.epochs} whole epoch(s) timed`,
    steps_run: stepsRun,
    step_seconds: stepStats,
    step_seconds_samples: stepSeconds,
    epoch_seconds: epochSeconds,
    seconds_per_epoch: perEpoch,
    samples_per_second: n / perEpoch.median,
    train_loss_last_step: trainLoss,
    test_mse: testMse,
    test_mse_after_steps: stepsRun,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024, // maxRSS is in KiB
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});

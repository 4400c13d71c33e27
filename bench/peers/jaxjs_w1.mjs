// W1 in jax-js (the Wasm backend's peer, issue 18): the seed document's autoencoder written with
// jax-js's numpy, valueAndGrad and jit, trained as bench/tessera/w1-child.ts trains tessera's.
//
// 784 -> 64 ReLU -> 32 ReLU -> 64 ReLU -> 784 sigmoid, MSE, Adam(1e-3) (PyTorch's update),
// PyTorch's default init (tessera's W1 and bench/peers/torch_w1.py: weight and bias
// U(±1/√fan_in)), batch 256 with the last partial batch kept (as tessera's fit and PyTorch),
// shuffled each epoch, on jax-js's `wasm` device with one thread. The module comes from
// bench/.peers (bash bench/setup-peers.sh), never from tessera's node_modules.
//
// Written the fast way for jax-js: the whole step (loss, gradients, Adam) is one jit, traced once
// per batch shape (two: 256 rows and the last partial batch) and reused; parameters and Adam's
// moments stay jax-js arrays on its wasm device. Every step waits for its loss to be ready
// (blockUntilReady, no host read): jax-js dispatches lazily, and without the wait it queues steps
// ahead, holding their arrays (1 GiB and more) and doubling the CPU time per step.
//
//   node bench/peers/jaxjs_w1.mjs [--epochs 1] [--limit ROWS] [--seed 0]
//
// Prints one JSON object as its last stdout line (seconds_per_epoch, test MSE after each epoch).
// Exit code 3 means the peer is absent (not installed).
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { mulberry32, permutation, summarize } from './peer-common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ABSENT_EXIT_CODE = 3;

function parseArgs(argv) {
  const opts = { epochs: 1, limit: 0, seed: 0, batch: 256, peersDir: resolve(here, '..', '.peers'), data: resolve(here, '..', '..', 'data', 'fashion-mnist') };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i], value = argv[i + 1];
    if (value === undefined) throw new Error(`jaxjs_w1.mjs: ${key} expects a value`);
    if (key === '--epochs') opts.epochs = Number(value);
    else if (key === '--limit') opts.limit = Number(value);
    else if (key === '--seed') opts.seed = Number(value);
    else if (key === '--batch') opts.batch = Number(value);
    else if (key === '--peers-dir') opts.peersDir = resolve(value);
    else if (key === '--data') opts.data = resolve(value);
    else throw new Error(`jaxjs_w1.mjs: unknown option '${key}' (expected --epochs, --limit, --seed, --batch, --peers-dir, --data)`);
  }
  for (const k of ['epochs', 'limit', 'seed', 'batch']) {
    if (!Number.isInteger(opts[k]) || opts[k] < 0) throw new Error(`jaxjs_w1.mjs: --${k} expects an integer >= 0`);
  }
  if (opts.epochs < 1 || opts.batch < 1) throw new Error('jaxjs_w1.mjs: --epochs and --batch must be >= 1');
  return opts;
}

// IDX3 images: big-endian magic 0x00000803, n, rows, cols, then n·rows·cols bytes → [0, 1] floats.
function readImages(path, limit) {
  const raw = gunzipSync(readFileSync(path));
  const magic = raw.readUInt32BE(0), all = raw.readUInt32BE(4), size = raw.readUInt32BE(8) * raw.readUInt32BE(12);
  if (magic !== 0x803 || raw.length !== 16 + all * size) throw new Error(`jaxjs_w1.mjs: ${path} is not an IDX3 uint8 image file`);
  const n = limit > 0 ? Math.min(limit, all) : all;
  const pixels = new Float32Array(n * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = raw[16 + i] / 255;
  return { n, size, pixels };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const entry = join(opts.peersDir, 'node_modules', '@jax-js', 'jax', 'dist', 'index.js');
  if (!existsSync(entry)) {
    process.stderr.write(`jaxjs_w1.mjs: jax-js not found at ${entry} (run bash bench/setup-peers.sh)\n`);
    process.exit(ABSENT_EXIT_CODE);
  }
  // jax-js reads navigator (a global from Node 21 on) for its thread count and its GPU probe: one thread.
  globalThis.navigator ??= { hardwareConcurrency: 1 };
  const jax = await import(pathToFileURL(entry).href);
  const { numpy: np, nn, tree, jit, valueAndGrad } = jax;
  const devices = await jax.init();
  if (!devices.includes('wasm')) throw new Error(`jaxjs_w1.mjs: no wasm device (${devices.join(', ')})`);
  jax.defaultDevice('wasm');

  const train = readImages(join(opts.data, 'train-images-idx3-ubyte.gz'), opts.limit);
  const test = readImages(join(opts.data, 't10k-images-idx3-ubyte.gz'), 0);
  const size = train.size;
  const random = mulberry32(opts.seed);
  // PyTorch's Linear init, as tessera's W1 (init 'torch'): weight and bias U(−1/√fan_in, 1/√fan_in).
  const uniform = (n, bound) => Float32Array.from({ length: n }, () => (2 * random() - 1) * bound);
  const dense = (fanIn, fanOut) => {
    const bound = 1 / Math.sqrt(fanIn);
    return [np.array(uniform(fanIn * fanOut, bound), { shape: [fanIn, fanOut] }), np.array(uniform(fanOut, bound), { shape: [fanOut] })];
  };
  const widths = [size, 64, 32, 64, size];
  let params = widths.slice(1).flatMap((out, i) => dense(widths[i], out));
  let m = params.map((p) => np.zerosLike(p.ref));
  let v = params.map((p) => np.zerosLike(p.ref));

  // jax-js arrays are reference-counted and every call consumes its arguments: a value used
  // twice is passed as `.ref` the first time.
  const forward = (p, x) => {
    let h = x;
    for (let l = 0; l < 4; l++) {
      const z = np.matmul(h, p[2 * l]).add(p[2 * l + 1]);
      h = l < 3 ? nn.relu(z) : nn.sigmoid(z);
    }
    return h;
  };
  const loss = (p, x) => np.mean(np.square(forward(p, x.ref).sub(x)));
  const [beta1, beta2, eps, lr] = [0.9, 0.999, 1e-8, 1e-3];
  // One step: loss and gradients, then Adam with the bias corrections folded into the step size
  // and epsilon (stepSize = lr/(1−β1^t), epsHat = eps·√(1−β2^t), scaled by 1/√(1−β2^t)).
  const step = jit((p, mState, vState, x, stepSize, epsHat) => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(p), x);
    const m2 = [], v2 = [], p2 = [];
    for (let i = 0; i < grads.length; i++) {
      const g = grads[i];
      m2.push(mState[i].mul(beta1).add(g.ref.mul(1 - beta1)));
      v2.push(vState[i].mul(beta2).add(g.ref.mul(g).mul(1 - beta2)));
      p2.push(p[i].sub(m2[i].ref.mul(stepSize.ref).div(np.sqrt(v2[i].ref).add(epsHat.ref))));
    }
    stepSize.dispose(); epsHat.dispose();
    return [p2, m2, v2, value];
  });

  const stepsPerEpoch = Math.ceil(train.n / opts.batch);
  const batchBuffer = new Float32Array(opts.batch * size);
  const epochSeconds = [], trainLoss = [], testLoss = [], rssMib = [];
  let t = 0;
  for (let e = 0; e < opts.epochs; e++) {
    const t0 = performance.now();
    const order = permutation(train.n, random);
    const losses = [];
    for (let s = 0; s < stepsPerEpoch; s++) {
      const rows = Math.min(opts.batch, train.n - s * opts.batch);
      for (let r = 0; r < rows; r++) {
        const src = order[s * opts.batch + r] * size;
        batchBuffer.set(train.pixels.subarray(src, src + size), r * size);
      }
      t++;
      const bc2 = Math.sqrt(1 - beta2 ** t);
      const x = np.array(batchBuffer.slice(0, rows * size), { shape: [rows, size] });
      const out = step(params, m, v, x, np.array(lr * bc2 / (1 - beta1 ** t)), np.array(eps * bc2));
      [params, m, v] = out;
      // Wait for this step (no host read): the next one is not queued behind it (see the header).
      await jax.blockUntilReady(out[3]);
      losses.push(out[3]);
    }
    epochSeconds.push((performance.now() - t0) / 1000);
    let lossSum = 0;   // the mean of the steps' losses, read after the timed region
    for (const l of losses) lossSum += await l.item();
    trainLoss.push(lossSum / stepsPerEpoch);
    // Test MSE over all 10000 × 784 values, in chunks to bound memory (not timed).
    let sum = 0;
    for (let start = 0; start < test.n; start += 1000) {
      const rows = Math.min(1000, test.n - start);
      const chunk = np.array(test.pixels.slice(start * size, (start + rows) * size), { shape: [rows, size] });
      sum += (await loss(tree.ref(params), chunk).item()) * rows * size;
    }
    testLoss.push(sum / (test.n * size));
    rssMib.push(Math.round(process.memoryUsage().rss / 2 ** 20));   // growth from epoch to epoch: arrays not freed
  }
  const perEpoch = summarize(epochSeconds);
  console.log(JSON.stringify({
    peer: 'jax-js', workload: 'W1', backend: 'wasm', threads: 1, jax_js_version: JSON.parse(readFileSync(join(opts.peersDir, 'node_modules', '@jax-js', 'jax', 'package.json'), 'utf8')).version,
    batch: opts.batch, train_rows: train.n, steps_per_epoch: stepsPerEpoch, epochs: opts.epochs,
    epoch_seconds: epochSeconds, seconds_per_epoch: perEpoch, train_loss: trainLoss, test_loss: testLoss, rss_mib: rssMib,
  }));
}

main().catch((err) => { console.error(err); process.exit(1); });

// fit reads each batch while the step before it runs, where the data set can (Dataset.startReadRows:
// a ByteDataset, on native by the pool's workers). Checked against the same run reading every batch
// at once: the same losses and weights, bit for bit, on js and on native at 1 and 2 threads, with a
// partial last batch, a target data set and input noise; every batch started is finished, and a
// run stopped by a callback finishes the batch it had read ahead.
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, getBackend, setBackend, type BackendName } from '../../src/index.js';
import { Adam } from '../../src/optim/index.js';
import { ByteDataset } from '../../src/data/byte-dataset.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { NoiseSpec } from '../../src/data/noise.js';
import { fit } from '../../src/train/index.js';
import { DataLoader } from '../../src/data/loader.js';
import { Linear, ReLU, Sequential, Sigmoid } from '../../src/nn/index.js';
import { nativeAddon, nativeInfo, setNativeThreads } from '../../src/backend/native/index.js';

const addon = nativeAddon();
const threadsBefore = addon === null ? 1 : nativeInfo().threads;
afterAll(() => {
  if (addon !== null) setNativeThreads(threadsBefore);
  setBackend('js');
});

/** A ByteDataset seen through calls counted, with or without its startReadRows. */
class Counted implements Dataset {
  reads = 0;
  starts = 0;
  finishes = 0;
  readonly length: number;
  readonly featureShape: number[];
  readonly startReadRows?: (indices: Uint32Array, out: Float32Array) => () => void;

  constructor(readonly inner: ByteDataset, ahead: boolean) {
    this.length = inner.length;
    this.featureShape = inner.featureShape;
    if (ahead) {
      this.startReadRows = (indices, out) => {
        this.starts++;
        const finish = inner.startReadRows(indices, out);
        return () => { this.finishes++; finish(); };
      };
    }
  }

  readRows(indices: ArrayLike<number>, out: Float32Array): void {
    this.reads++;
    this.inner.readRows(indices, out);
  }
}

function bytes(n: number, seed: number): Uint8Array {
  const gen = new Generator(seed), b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(gen.uniform() * 256);
  return b;
}

const ROWS = 70, FEATURES = 13, BATCH = 16, EPOCHS = 3;  // 5 batches an epoch, the last of 6 rows
const X = new ByteDataset(bytes(ROWS * FEATURES, 1), [FEATURES]);
const Y = new ByteDataset(bytes(ROWS * 4, 2), [4], { divisor: 7 });

async function train(backend: BackendName, ahead: boolean, options: { target?: boolean; noise?: NoiseSpec; stopAt?: number } = {}) {
  setBackend(backend);
  const gen = new Generator(9);
  const out = options.target ? 4 : FEATURES;
  const model = new Sequential(new Linear(FEATURES, 6, { generator: gen }), new ReLU(), new Linear(6, out, { generator: gen }), new Sigmoid());
  const x = new Counted(X, ahead), y = options.target ? new Counted(Y, ahead) : null;
  const history = await fit(model, x, y, {
    optimizer: new Adam(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: EPOCHS, batchSize: BATCH,
    generator: new Generator(4), inputNoise: options.noise, lossReadEvery: 1,
    callbacks: options.stopAt === undefined ? [] : [{ onBatchEnd: (b) => (b === options.stopAt ? 'stop' : undefined) }],
  });
  const weights = model.parameters().map((p) => Array.from(p.dataSync()));
  return { loss: history.loss, weights, x, y };
}

const backends: [BackendName, number][] = [['js', 1], ...(addon === null ? [] : [['native', 1], ['native', 2]] as [BackendName, number][])];

describe('fit reads the next batch while a step runs', () => {
  for (const [backend, threads] of backends) {
    it(`${backend}${backend === 'native' ? ` at ${threads} thread(s)` : ''}: the same bits as reading each batch at once`, async () => {
      if (backend === 'native') setNativeThreads(threads);
      for (const options of [{}, { target: true }, { noise: { kind: 'gaussian', std: 0.3, clip: [0, 1] } as NoiseSpec }]) {
        const what = JSON.stringify(options);
        const atOnce = await train(backend, false, options);
        const ahead = await train(backend, true, options);
        expect(ahead.loss, what).toEqual(atOnce.loss);
        expect(ahead.weights, what).toEqual(atOnce.weights);
        expect(atOnce.loss[EPOCHS - 1], `${what}: it trains`).toBeLessThan(atOnce.loss[0]);
        // An epoch's first batch is read at once (its order is drawn as the epoch starts), the others ahead.
        const batches = EPOCHS * Math.ceil(ROWS / BATCH), later = batches - EPOCHS;
        expect([atOnce.x.reads, atOnce.x.starts], `${what}: at once`).toEqual([batches, 0]);
        expect([ahead.x.reads, ahead.x.starts, ahead.x.finishes], `${what}: ahead`).toEqual([EPOCHS, later, later]);
        if (options.target) expect([ahead.y!.reads, ahead.y!.starts, ahead.y!.finishes], `${what}: the target`).toEqual([EPOCHS, later, later]);
      }
    });
  }

  it('a DataLoader\'s batches train as fit\'s own shuffle does with the loader\'s generator, read ahead the same way', async () => {
    setBackend(addon === null ? 'js' : 'native');
    if (addon !== null) setNativeThreads(2);
    const noise: NoiseSpec = { kind: 'masking', p: 0.25 };
    for (const target of [false, true]) {
      const run = async (viaLoader: boolean) => {
        const gen = new Generator(9);
        const model = new Sequential(new Linear(FEATURES, 5, { generator: gen }), new ReLU(), new Linear(5, target ? 4 : FEATURES, { generator: gen }), new Sigmoid());
        const x = new Counted(X, true), y = target ? new Counted(Y, true) : null;
        const options = { optimizer: new Adam(model.parameters(), { lr: 0.01 }), loss: 'mse' as const, epochs: 2, batchSize: BATCH, lossReadEvery: 1 };
        const history = viaLoader
          ? await fit(model, new DataLoader(x, { batchSize: BATCH, shuffle: true, generator: new Generator(4), noise, target: y ?? undefined }), null, options)
          : await fit(model, x, y, { ...options, generator: new Generator(4), inputNoise: noise });
        return { loss: history.loss, weights: model.parameters().map((p) => Array.from(p.dataSync())), x };
      };
      const own = await run(false), loader = await run(true);
      expect(loader.loss, `target ${target}`).toEqual(own.loss);
      expect(loader.weights, `target ${target}`).toEqual(own.weights);
      expect([loader.x.reads, loader.x.starts, loader.x.finishes], `target ${target}: read ahead`).toEqual([2, 8, 8]);
    }
  });

  it('a target without startReadRows reads both data sets at once', async () => {
    setBackend(addon === null ? 'js' : 'native');
    const gen = new Generator(9);
    const model = new Sequential(new Linear(FEATURES, 4, { generator: gen }));
    const x = new Counted(X, true), y = new Counted(Y, false);
    await fit(model, x, y, { optimizer: new Adam(model.parameters()), loss: 'mse', epochs: 1, batchSize: BATCH });
    expect([x.reads, x.starts, y.reads, y.starts]).toEqual([5, 0, 5, 0]);
  });

  it('a run a callback stops finishes the batch it had started and gives it back', async () => {
    const backend = addon === null ? 'js' : 'native';
    if (addon !== null) setNativeThreads(2);
    const run = await train(backend, true, { stopAt: 1 });
    // Batches 0 (read at once) and 1 ran; 2 had been started while 1 ran.
    expect([run.x.reads, run.x.starts, run.x.finishes]).toEqual([1, 2, 2]);
    expect(run.loss).toHaveLength(1);
    expect(getBackend().name).toBe(backend);
  });
});

// fit() the way Keras users expect: unknown options refused, validationSplit, validation
// metrics in the history and the progress line, the CSV logger. Metric values are checked
// against float64 sums over predict()'s outputs, computed here.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setBackend, Generator, tensor, type Tensor } from '../../src/index.js';
import { Adam, SGD } from '../../src/optim/index.js';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { fit, evaluate, predict, csvLogger, FIT_OPTION_KEYS, type FitOptions } from '../../src/train/index.js';
import { Linear, Sequential, Sigmoid, Tanh } from '../../src/nn/index.js';
import { mlp, regression, Probe } from './helpers.js';

setBackend('js');

/** A 4 → 6 → 2 model whose outputs are in (0, 1), so BCE is defined. */
function squashed(seed: number): Sequential {
  const gen = new Generator(seed);
  return new Sequential(new Linear(4, 6, { generator: gen }), new Tanh(), new Linear(6, 2, { generator: gen }), new Sigmoid());
}

/** Targets in [0, 1]: the regression targets mapped through (t + 1) / 2. */
function unitTargets(n: number, seed: number): { x: Tensor; y: Tensor; xs: Float32Array; ys: Float32Array } {
  const r = regression(n, seed);
  const ys = r.ys.map((v) => (v + 1) / 2);
  return { x: r.x, y: tensor(ys, [n, 2]), xs: r.xs, ys };
}

function rows(values: Float32Array, width: number, start: number, end: number): Tensor {
  return tensor(values.slice(start * width, end * width), [end - start, width]);
}

describe('fit options', () => {
  it('refuses an unknown option key, naming it and the accepted ones', async () => {
    const { x, y } = regression(8, 1);
    const model = mlp(2);
    const optimizer = new SGD(model.parameters());
    // @ts-expect-error validationSplt is not a FitOptions key (a typo)
    const typo: FitOptions = { optimizer, loss: 'mse', epochs: 1, validationSplt: 0.2 };
    await expect(fit(model, x, y, typo)).rejects.toThrow(/fit: unknown option 'validationSplt' \(accepted: optimizer, loss, epochs, .*validationSplit.*lossReadEvery.*\)/);
    expect(FIT_OPTION_KEYS).toContain('metrics');
  });
});

describe('validationSplit', () => {
  it('holds out the last fraction of the rows, before shuffling, and trains on the rest', async () => {
    const { x, y, xs, ys } = regression(10, 3);
    const probe = new Probe(mlp(4));
    const h = await fit(probe, x, y, { optimizer: new Adam(probe.parameters()), loss: 'mse', epochs: 2, batchSize: 4, validationSplit: 0.3, generator: new Generator(1) });
    // Keras: floor(10 · 0.7) = 7 training rows, the last 3 validate.
    const seen = (calls: typeof probe.calls) => calls.flatMap((c) => Array.from({ length: c.rows }, (_, r) => Array.from(c.input.subarray(r * 4, r * 4 + 4))));
    const rowOf = (v: number[]) => Array.from({ length: 10 }, (_, i) => i).find((i) => v.every((a, k) => a === xs[i * 4 + k]));
    const trainRows = seen(probe.calls.filter((c) => c.training)).map(rowOf);
    const valRows = seen(probe.calls.filter((c) => !c.training)).map(rowOf);
    expect([...trainRows].sort((a, b) => a! - b!)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect(valRows).toEqual([7, 8, 9, 7, 8, 9]);
    // The recorded validation loss is the model's loss on rows 7..9.
    const last = await evaluate(probe, rows(xs, 4, 7, 10), rows(ys, 2, 7, 10), { loss: 'mse' });
    expect(h.valLoss[1]).toBeCloseTo(last, 12);
  });

  it('gives way to validationData when both are given (as in Keras)', async () => {
    const { x, y } = regression(10, 5);
    const val = regression(4, 6);
    const probe = new Probe(mlp(7));
    await fit(probe, x, y, { optimizer: new SGD(probe.parameters()), loss: 'mse', epochs: 1, batchSize: 5, validationSplit: 0.5, validationData: [val.x, val.y] });
    expect(probe.calls.filter((c) => c.training).reduce((s, c) => s + c.rows, 0)).toBe(10);
    expect(probe.calls.filter((c) => !c.training).map((c) => c.rows)).toEqual([4]);
  });

  it('refuses a fraction outside (0, 1), an empty part, and a DataLoader', async () => {
    const { x, y } = regression(4, 8);
    const model = mlp(9);
    const o = { optimizer: new SGD(model.parameters()), loss: 'mse', epochs: 1 } as const;
    await expect(fit(model, x, y, { ...o, validationSplit: 1 })).rejects.toThrow(/validationSplit must be a number in \(0, 1\), got 1/);
    await expect(fit(model, x, y, { ...o, validationSplit: 0.8 })).rejects.toThrow(/validationSplit 0.8 of 4 rows leaves 0 for training and 4 for validation; each needs at least one/);
    const loader = new DataLoader(new InMemoryDataset(new Float32Array(16), [4]), { batchSize: 2 });
    await expect(fit(model, loader, null, { ...o, validationSplit: 0.5 })).rejects.toThrow(/validationSplit needs x as a Tensor or Dataset, not a DataLoader/);
  });
});

describe('metrics', () => {
  it('computes mse, mae, psnr and bce on the validation data each epoch, as float64 sums over predict() say', async () => {
    const { x, y } = unitTargets(40, 10);
    const val = unitTargets(10, 11);
    const model = squashed(12);
    const lines: string[] = [];
    const h = await fit(model, x, y, {
      optimizer: new Adam(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 3, batchSize: 4,   // 10 rows: batches of 4, 4, 2
      validationData: [val.x, val.y], metrics: ['mse', 'mae', 'psnr', 'bce'],
      progress: 'lines', progressStream: { write: (s: string) => { lines.push(s); return true; } },
    });
    const p = (await predict(model, val.x)).dataSync();
    const t = val.ys;
    let se = 0, ae = 0, ce = 0;
    for (let i = 0; i < t.length; i++) {
      se += (p[i] - t[i]) ** 2;
      ae += Math.abs(p[i] - t[i]);
      ce -= t[i] * Math.log(p[i]) + (1 - t[i]) * Math.log(1 - p[i]);
    }
    const mse = se / t.length;
    expect(h.valMse).toHaveLength(3);
    expect(h.valMse![2]).toBeCloseTo(mse, 6);
    expect(h.valMae![2]).toBeCloseTo(ae / t.length, 6);
    expect(h.valBce![2]).toBeCloseTo(ce / t.length, 5);
    expect(h.valPsnr![2]).toBeCloseTo(10 * Math.log10(1 / mse), 4);
    expect(h.valMse![2]).toBeCloseTo(h.valLoss[2], 12);      // the loss is MSE here
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^epoch 3\/3 {2}loss \S+ {2}val \S+ {2}val mse \S+ {2}val mae \S+ {2}val psnr \d+\.\d dB {2}val bce \S+ {2}/);
    expect(lines[2]).toContain(`val psnr ${h.valPsnr![2].toFixed(1)} dB`);
  });

  it('refuses an unknown metric, a repeated one, and metrics without validation data', async () => {
    const { x, y } = regression(8, 13);
    const model = mlp(14);
    const o = { optimizer: new SGD(model.parameters()), loss: 'mse', epochs: 1 } as const;
    // @ts-expect-error 'rmse' is not a metric name
    await expect(fit(model, x, y, { ...o, metrics: ['rmse'], validationSplit: 0.5 })).rejects.toThrow(/unknown metric 'rmse' \(expected mse, mae, psnr, bce\)/);
    await expect(fit(model, x, y, { ...o, metrics: ['mse', 'mse'], validationSplit: 0.5 })).rejects.toThrow(/metric 'mse' is listed twice/);
    await expect(fit(model, x, y, { ...o, metrics: ['psnr'] })).rejects.toThrow(/metrics \(psnr\) are computed on validation data; pass validationData or validationSplit/);
  });
});

describe('csvLogger', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-csv-'));

  it('writes a header once and one row per epoch, and appends on a resumed run', async () => {
    const dir = tmp();
    const file = path.join(dir, 'log.csv');
    const { x, y } = unitTargets(16, 15);
    const model = squashed(16);
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const common = { optimizer, loss: 'mse', batchSize: 8, validationSplit: 0.25, metrics: ['mse', 'psnr'] } as const;
    const h1 = await fit(model, x, y, { ...common, epochs: 3, callbacks: [csvLogger({ path: file })] });
    const h2 = await fit(model, x, y, { ...common, epochs: 5, initialEpoch: 3, callbacks: [csvLogger({ path: file, append: true })] });
    const [header, ...body] = fs.readFileSync(file, 'utf8').split('\n');
    expect(header).toBe('epoch,loss,valLoss,valMse,valPsnr,lr,seconds,samplesPerSecond');
    expect(body.pop()).toBe('');           // the file ends with a newline
    expect(body).toHaveLength(5);
    const cells = body.map((l) => l.split(',').map(Number));
    const all = { epoch: [...h1.epoch, ...h2.epoch], loss: [...h1.loss, ...h2.loss], valPsnr: [...h1.valPsnr!, ...h2.valPsnr!] };
    expect(cells.map((c) => c[0])).toEqual([0, 1, 2, 3, 4]);
    expect(cells.map((c) => c[1])).toEqual(all.loss);       // written at full precision
    expect(cells.map((c) => c[4])).toEqual(all.valPsnr);
    expect(fs.readdirSync(dir)).toEqual(['log.csv']);      // no temporary files left behind
    // Other columns in an existing file: refused, the file left as it was.
    const before = fs.readFileSync(file, 'utf8');
    await expect(fit(model, x, y, { optimizer, loss: 'mse', epochs: 1, callbacks: [csvLogger({ path: file, append: true })] }))
      .rejects.toThrow(/csvLogger: '.*log\.csv' has the columns epoch,loss,valLoss,valMse,valPsnr,lr,seconds,samplesPerSecond but this epoch logs epoch,loss,lr,seconds,samplesPerSecond/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    // Without append a new run starts the file anew.
    await fit(model, x, y, { optimizer, loss: 'mse', epochs: 1, callbacks: [csvLogger({ path: file })] });
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(3);
    fs.rmSync(dir, { recursive: true });
  });
});

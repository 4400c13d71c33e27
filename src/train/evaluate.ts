// evaluate() and predict(): the model in eval mode (dropout off, batch norm on its running
// statistics) under noGrad, in batches. A Tensor already on the model's backend is cut with
// `slice` on the device; anything else goes through host rows (data-source.ts).
import { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import type { Module } from '../nn/module.js';
import { getBackend } from '../backend/backend.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { BatchSizer } from './batch-sizer.js';
import { concat, slice } from '../ops/shape-ops.js';
import type { Dataset } from '../data/dataset.js';
import { BatchBuilder, checkRows, identityOrder, toDataset } from './data-source.js';
import { LossMeter, canReadSync } from './loss-meter.js';
import { makeObjective, objective, type Objective } from './loss.js';
import type { LossFunction } from '../losses/get-loss.js';
import type { MetricMeter } from './metrics.js';
import type { LossName } from '../losses/get-loss.js';

function modelBackend(model: Module): Backend {
  const p = model.parameters()[0];
  return p ? p.backend : getBackend();
}

function batchSizeOf(op: string, b: number | undefined): number {
  const v = b ?? 32;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${op}: batchSize must be a positive integer, got ${v}`);
  return v;
}

/** Calls fn(xBatch, yBatch | null, n) for consecutive batches of at most batchSize rows, sized by bytes (batch-sizer.ts); tensors are freed by the caller's tidy. */
async function forEachBatch(op: string, backend: Backend, x: Tensor | Dataset, y: Tensor | Dataset | null, batchSize: number,
  fn: (xb: Tensor, yb: Tensor | null, n: number) => void): Promise<void> {
  const onDevice = (t: Tensor | Dataset | null): t is Tensor => t instanceof Tensor && t.backend === backend && t.rank >= 1;
  const sizer = new BatchSizer(batchSize);
  if (onDevice(x) && (y === null || onDevice(y))) {
    const n = x.shape[0];
    if (y !== null && y.shape[0] !== n) throw new Error(`${op}: x has ${n} rows but y has ${y.shape[0]}; they must match`);
    for (const [start, end] of sizer.ranges(n)) {
      const whole = start === 0 && end === n;
      sizer.run(end - start, () => tidy(() => {
        const xb = whole ? x : slice(x, [start], [end]);
        const yb = y === null ? null : whole ? y : slice(y, [start], [end]);
        fn(xb, yb, end - start);
      }));
    }
    return;
  }
  const xs = await toDataset(op, 'x', x);
  const ys = y === null ? null : await toDataset(op, 'y', y);
  checkRows(op, xs, ys);
  const xb = new BatchBuilder(xs, batchSize, backend);
  const yb = ys ? new BatchBuilder(ys, batchSize, backend) : null;
  const order = identityOrder(xs.length);
  for (const [start, end] of sizer.ranges(xs.length)) {
    const idx = order.subarray(start, end);
    sizer.run(idx.length, () => tidy(() => {
      const xt = xb.upload(xb.rows(idx), idx.length, backend);
      const yt = yb ? yb.upload(yb.rows(idx), idx.length, backend) : null;
      fn(xt, yt, idx.length);
    }));
  }
}

/**
 * Mean loss over the samples (the same objective as training: data loss + added terms + penalties).
 * With a MetricMeter, each batch's predictions also go to the metrics (one forward for both).
 */
export async function evaluateLoss(op: string, model: Module, x: Tensor | Dataset, y: Tensor | Dataset | null,
  obj: Objective, batchSize: number, metrics?: MetricMeter): Promise<number> {
  const backend = modelBackend(model);
  const params = model.parameters();
  const meter = new LossMeter(params.length === 0 || canReadSync(params[0]));
  const wasTraining = model.training;
  model.eval();
  try {
    model.takeLosses().forEach((t) => t.dispose());
    await forEachBatch(op, backend, x, y, batchSizeOf(op, batchSize), (xb, yb, n) => {
      const loss = noGrad(() => {
        const pred = model.forward(xb);
        metrics?.add(pred, yb ?? xb, n);
        return objective(model, pred, yb ?? xb, obj);
      });
      meter.add(loss.keep(), n);
    });
    return await meter.read();
  } finally {
    meter.dispose();
    model.train(wasTraining);
  }
}

export interface EvaluateOptions {
  loss: LossFunction | LossName;
  /** Rows per batch at most (default 32): fewer where a batch's tensors would pass EVAL_BATCH_BYTES (batch-sizer.ts). */
  batchSize?: number;
  /** Include the weight penalties, as fit's validation loss does when it trains with them. */
  l1?: number;
  l2?: number;
}

/** The model's mean loss on x → y (y null: x → x). */
export async function evaluate(model: Module, x: Tensor | Dataset, y: Tensor | Dataset | null, options: EvaluateOptions): Promise<number> {
  const obj = makeObjective('evaluate', model, options?.loss, options.l1, options.l2);
  return evaluateLoss('evaluate', model, x, y, obj, options.batchSize ?? 32);
}

/** The model's outputs for every row of x, as one tensor [N, …] on the model's backend. */
export async function predict(model: Module, x: Tensor | Dataset, options: { batchSize?: number } = {}): Promise<Tensor> {
  const backend = modelBackend(model);
  const parts: Tensor[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    await forEachBatch('predict', backend, x, null, batchSizeOf('predict', options.batchSize), (xb) => {
      const out = noGrad(() => model.forward(xb));
      model.takeLosses().forEach((t) => t.dispose());
      parts.push(out === xb ? out.detach().keep() : out.keep());
    });
  } finally {
    model.train(wasTraining);
  }
  if (parts.length === 1) { parts[0].kept = false; return parts[0]; }
  const all = noGrad(() => concat(parts, 0));
  parts.forEach((p) => p.dispose());
  return all;
}

// Metrics fit computes on the validation data after every epoch (Keras's `metrics=[...]`),
// beside the validation loss, in the same pass over the data (eval mode, noGrad):
//   mse   mean (p − y)² over every element
//   mae   mean |p − y|
//   bce   mean −[y·log p + (1 − y)·log(1 − p)] (the model's output must be in [0, 1])
//   psnr  10·log10(1 / mse) in dB, peak 1 (data in [0, 1]), from the mse over the whole set
// Each batch's mean is weighted by its rows, as the loss is; PSNR comes from the pooled MSE,
// not from a mean of per-batch PSNRs, so it matches `psnr(meanSquaredError(...))` on the set.
import type { Tensor } from '../tensor.js';
import { mseLoss, l1Loss } from '../losses/regression.js';
import { bceLoss } from '../losses/binary-cross-entropy.js';
import { psnr } from '../util/stats.js';
import { LossMeter } from './loss-meter.js';

export const METRIC_NAMES = ['mse', 'mae', 'psnr', 'bce'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** The key of a metric in the epoch logs and the history: Keras's val_mse, camelCased. */
export const METRIC_LOG_KEYS = { mse: 'valMse', mae: 'valMae', psnr: 'valPsnr', bce: 'valBce' } as const satisfies Record<MetricName, string>;
export type MetricLogKey = (typeof METRIC_LOG_KEYS)[MetricName];

/** The metric values of one epoch, by log key. */
export type MetricLogs = Partial<Record<MetricLogKey, number>>;

/** Checks fit's `metrics` option: a list of known names, each once. */
export function checkMetrics(op: string, metrics: unknown): MetricName[] {
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) throw new Error(`${op}: metrics must be a list of names (${METRIC_NAMES.join(', ')}), got ${typeof metrics}`);
  const seen = new Set<MetricName>();
  for (const m of metrics) {
    if (!(METRIC_NAMES as readonly unknown[]).includes(m)) throw new Error(`${op}: unknown metric '${String(m)}' (expected ${METRIC_NAMES.join(', ')})`);
    if (seen.has(m as MetricName)) throw new Error(`${op}: metric '${String(m)}' is listed twice`);
    seen.add(m as MetricName);
  }
  return [...seen];
}

/** Accumulates the metrics of a validation pass, batch by batch. */
export class MetricMeter {
  private readonly meters = new Map<'mse' | 'mae' | 'bce', LossMeter>();

  constructor(readonly metrics: readonly MetricName[], syncRead: boolean) {
    for (const m of metrics) {
      const base = m === 'psnr' ? 'mse' : m;     // PSNR is read off the pooled MSE
      if (!this.meters.has(base)) this.meters.set(base, new LossMeter(syncRead));
    }
  }

  /** Adds one batch (pred and target of n rows; call under noGrad, inside the caller's tidy). */
  add(pred: Tensor, target: Tensor, n: number): void {
    for (const [m, meter] of this.meters) {
      const value = m === 'mse' ? mseLoss(pred, target) : m === 'mae' ? l1Loss(pred, target) : bceLoss(pred, target);
      meter.add(value.keep(), n);
    }
  }

  async read(): Promise<MetricLogs> {
    const means = new Map<string, number>();
    for (const [m, meter] of this.meters) means.set(m, await meter.read());
    const out: MetricLogs = {};
    for (const m of this.metrics) {
      const mse = means.get('mse') as number;
      out[METRIC_LOG_KEYS[m]] = m === 'psnr' ? (Number.isFinite(mse) ? psnr(mse) : NaN) : means.get(m) as number;
    }
    return out;
  }

  dispose(): void {
    for (const meter of this.meters.values()) meter.dispose();
  }
}

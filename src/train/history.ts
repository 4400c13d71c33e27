// What fit returns: one entry per epoch run (Keras's History.history, with camelCase names).
import type { MetricLogKey } from './metrics.js';

/** The validation metrics fit was asked for (`metrics: ['mse', 'psnr']` → valMse, valPsnr), per epoch. */
export type MetricHistory = Partial<Record<MetricLogKey, number[]>>;

export interface History extends MetricHistory {
  /** 0-based epoch indices. */
  epoch: number[];
  /** Mean training loss over the epoch's samples (data loss + added terms + penalties). */
  loss: number[];
  /** Validation loss per epoch; empty when fit had no validation data. */
  valLoss: number[];
  /** Wall time of each epoch, validation included. */
  seconds: number[];
  /** The learning rate (of parameter group 0) the epoch trained with. */
  lr: number[];
  /** Training samples per second (validation excluded). */
  samplesPerSecond: number[];
  /**
   * Why training ended before `epochs`: a callback asked, the AbortSignal fired, or the loss
   * became NaN or ±Infinity (Keras's TerminateOnNaN; see `nonFinite`).
   */
  stopReason: 'callback' | 'abort' | 'nonfinite' | null;
  /**
   * Where the loss stopped being finite: the 0-based epoch, the 1-based step of that epoch, and the
   * epoch's mean loss then (NaN or ±Infinity); `validation` when the training losses were finite
   * but the validation loss after the epoch was not. On webgpu the loss is read every
   * `lossReadEvery` steps, so `step` is where it was seen and `firstStep` the earliest step that
   * may have been the first bad one.
   */
  nonFinite?: { epoch: number; step: number; loss: number; validation?: true; firstStep?: number };
}

export function emptyHistory(): History {
  return { epoch: [], loss: [], valLoss: [], seconds: [], lr: [], samplesPerSecond: [], stopReason: null };
}

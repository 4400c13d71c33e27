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
  /** Why training ended before `epochs`: a callback asked, or the AbortSignal fired. */
  stopReason: 'callback' | 'abort' | null;
}

export function emptyHistory(): History {
  return { epoch: [], loss: [], valLoss: [], seconds: [], lr: [], samplesPerSecond: [], stopReason: null };
}

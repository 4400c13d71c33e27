// Training: fit / evaluate / predict, callbacks, the progress reporter, resumable state.
import './autoencoder-methods.js';
export { fit, FIT_OPTION_KEYS, type FitOptions, type NoiseSpec } from './fit.js';
import type { LossFunction } from '../losses/get-loss.js';
/** @deprecated LossFunction (src/losses/get-loss.ts), the one type of a loss, under the name train/ gave it. */
export type LossFn = LossFunction;
export { METRIC_NAMES, METRIC_LOG_KEYS, type MetricName, type MetricLogKey, type MetricLogs } from './metrics.js';
export { CsvLogger, csvLogger, type CsvLoggerOptions } from './csv-logger.js';
export { evaluate, predict, type EvaluateOptions } from './evaluate.js';
export { emptyHistory, type History, type MetricHistory } from './history.js';
export {
  EarlyStopping, earlyStopping, ModelCheckpoint, modelCheckpoint,
  type Callback, type CallbackResult, type EpochLogs, type BatchLogs, type TrainContext, type Monitor,
  type EarlyStoppingOptions, type ModelCheckpointOptions,
} from './callbacks.js';
export {
  createProgressReporter, BarReporter, LineReporter, epochLine, formatLoss, formatRate, formatDuration,
  type ProgressReporter, type ProgressStream, type ProgressMode, type TrainInfo, type BatchInfo, type EpochInfo,
} from './progress.js';
export {
  captureTrainingState, restoreTrainingState, saveTrainingCheckpoint, loadTrainingCheckpoint, trainingCheckpoint,
  type TrainingState, type TrainingParts,
} from './resume.js';

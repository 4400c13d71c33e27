// Training: fit / evaluate / predict, callbacks, the progress reporter, resumable state.
export { fit, type FitOptions, type LossFn, type NoiseSpec } from './fit.js';
export { evaluate, predict, type EvaluateOptions } from './evaluate.js';
export { emptyHistory, type History } from './history.js';
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

// Seeing backprop end to end: re-exports only.
export { traceStep, type StepModel, type StepOptimizer, type StepLoss, type TracedStep, type ForwardEntry, type BackwardEntry, type UpdateEntry, type OpCost } from './step-trace.js';
export { explainStep, formatStep, type StepExplanation } from './explain-step.js';
export { buildStepGraph, stepToDot, type StepGraph } from './step-graph.js';
export { graphToSvg, layoutGraph } from './svg-graph.js';
export { profileStep, formatProfile, rateAgainstPeak, type PeakRate, type ProfileOptions, type ProfileRow, type StepProfile } from './profiler.js';
export { backendPeak, defaultCacheDir, largestCacheBytes, type MachinePeak, type PeakOptions } from './peak.js';
export { gradcheckModel, formatModelGradcheck, type ModelGradcheckOptions, type ModelGradcheckReport, type ParamCheck } from './model-gradcheck.js';
export { instrumentBackend, recordKernels, fillCost, type KernelCall } from './kernel-recorder.js';
export { kernelCost, type KernelCost } from './kernel-cost.js';
export { manualAutoencoder, forwardBackward, trainStep as manualTrainStep, denseForward, denseBackward, adamUpdate } from './manual-backprop.js';

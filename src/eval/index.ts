// The evaluation of a representation, as functions on tensors (what `tessera eval` computes):
// PCA, reconstruction error and PSNR, kNN accuracy, the linear probe.
export { Pca, fitPca, type PcaFitOptions } from './pca.js';
export { knnPredict, knnAccuracy, type KnnOptions } from './knn.js';
export { linearProbe, linearProbeAccuracy, type LinearProbeOptions } from './linear-probe.js';
export { meanSquaredError, psnr, meanImagePsnr, accuracy, reconstructionError, type ReconstructionError } from './metrics.js';
export { symmetricEigen, type SymmetricEigen } from './symmetric-eigen.js';

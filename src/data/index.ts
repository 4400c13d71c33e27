// Data sets and loading: re-exports only.
export { ByteDataset, type ByteDatasetOptions } from './byte-dataset.js';
export { InMemoryDataset, featureSize, type Dataset } from './dataset.js';
export { FASHION_MNIST_CLASSES, fashionMnistDir, loadFashionMnist, type FashionMnist, type FashionMnistOptions } from './fashion-mnist.js';
export { IdxFileDataset, type IdxFileDatasetOptions } from './idx-file-dataset.js';
export { DataLoader, type Batch, type DataLoaderOptions, type DataLoaderState } from './loader.js';
export { applyNoise, type NoiseSpec } from './noise.js';
export { NpyFileDataset, type FileDatasetOptions } from './npy-file-dataset.js';
export { bundledDataDir, packageRoot } from './package-root.js';
export { DataTransform, SCALE_MODES, type ScaleMode, type TransformSpec } from './transform.js';
export { readDataFile, readLabelsFile, DATA_FORMATS, type DataFile, type LabelsFile, type ReadDataOptions } from './data-file.js';

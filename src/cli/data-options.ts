// The options that say which data a run trains on and how it is scaled (`--data`, `--labels`,
// `--test-data`, `--val-split`, `--input-shape`, `--scale`, `--loss`, `--header`): part of the
// training options, so config.json records them and `encode`/`reconstruct`/`eval` find the
// run's data again. Paths are stored absolute, so a run can be read from any folder.
import * as path from 'node:path';
import type { OptionSpec, Values } from './options.js';
import { UsageError } from './options.js';
import { SCALE_MODES, type ScaleMode } from '../data/transform.js';
import { DATA_FORMATS } from '../data/data-file.js';
import { LOSS_CHOICES, type DataConfig, type LossChoice } from '../models/run-config.js';

export { LOSS_CHOICES, type DataConfig, type LossChoice };

export const DATA_OPTIONS: OptionSpec[] = [
  { name: 'data', kind: 'string', placeholder: 'path', help: `training data: ${DATA_FORMATS} (default: the bundled Fashion-MNIST)` },
  { name: 'labels', kind: 'string', placeholder: 'path', help: 'one integer or name per row of --data (.npy, .csv, IDX); colours the latent map, used by kNN and the linear probe' },
  { name: 'test-data', kind: 'string', placeholder: 'path', help: 'test data, same format rules as --data (default: --val-split of --data)' },
  { name: 'test-labels', kind: 'string', placeholder: 'path', help: 'labels of --test-data' },
  { name: 'val-split', kind: 'number', min: 0.01, max: 0.9, help: 'without --test-data: hold out this fraction of --data as the test set, drawn with --seed (default 0.1)' },
  { name: 'input-shape', kind: 'string', placeholder: 'c,h,w', help: 'shape of one row when the file cannot say (a flat CSV of images), e.g. 1,28,28' },
  { name: 'scale', kind: 'choice', choices: SCALE_MODES, default: 'auto', help: 'scaling fitted on the training data (auto: uint8 /255, data in [0,1] as is, else standardize per feature)' },
  { name: 'loss', kind: 'choice', choices: ['auto', 'mse', 'bce', 'l1', 'huber'], default: 'auto', help: 'reconstruction loss (auto: mse; the vae: bce for data in [0,1], else mse)' },
  { name: 'header', kind: 'flag', help: 'the first CSV row names the columns (default: detected)' },
  { name: 'no-header', kind: 'flag', help: 'the first CSV row is data' },
  { name: 'stream', kind: 'flag', help: 'read the training rows of a .npy or raw IDX --data from the file a batch at a time, not into memory (default: when the file is larger than half the free memory)' },
];


function parseShape(command: string, raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const dims = parts.map(Number);
  if (parts.length < 1 || parts.length > 3 || dims.some((d, i) => parts[i] === '' || !Number.isInteger(d) || d < 1)) {
    throw new UsageError(`tessera ${command}: --input-shape expects 1 to 3 positive integers separated by commas (features, h,w or c,h,w), got '${raw}'`);
  }
  return dims;
}

export function resolveDataConfig(command: string, v: Values): DataConfig {
  const str = (name: string): string | undefined => (typeof v[name] === 'string' ? path.resolve(v[name] as string) : undefined);
  if (v.header === true && v['no-header'] === true) throw new UsageError(`tessera ${command}: --header and --no-header contradict each other; give one`);
  const d: DataConfig = {
    data: str('data'), labels: str('labels'), testData: str('test-data'), testLabels: str('test-labels'),
    valSplit: typeof v['val-split'] === 'number' ? v['val-split'] : undefined,
    inputShape: typeof v['input-shape'] === 'string' ? parseShape(command, v['input-shape']) : undefined,
    scale: (v.scale as ScaleMode | undefined) ?? 'auto',
    loss: (v.loss as LossChoice | undefined) ?? 'auto',
    header: v.header === true ? true : v['no-header'] === true ? false : 'auto',
    ...(v.stream === true ? { stream: true } : {}),
  };
  const needsData = (name: string, given: unknown) => {
    if (given !== undefined && d.data === undefined) throw new UsageError(`tessera ${command}: --${name} goes with --data (the bundled Fashion-MNIST has its own labels and test set)`);
  };
  needsData('labels', d.labels); needsData('test-data', d.testData); needsData('val-split', d.valSplit); needsData('stream', d.stream);
  if (d.testLabels !== undefined && d.testData === undefined) throw new UsageError(`tessera ${command}: --test-labels goes with --test-data`);
  if (d.testData !== undefined && d.valSplit !== undefined) throw new UsageError(`tessera ${command}: give --test-data or --val-split, not both`);
  // The split a run used is recorded in its config.json, the default too.
  if (d.data !== undefined && d.testData === undefined) d.valSplit ??= 0.1;
  return d;
}

/** The data options as option-name keys, for config.json (only those that differ from the defaults). */
export function dataConfigToJson(d: DataConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.data !== undefined) out.data = d.data;
  if (d.labels !== undefined) out.labels = d.labels;
  if (d.testData !== undefined) out['test-data'] = d.testData;
  if (d.testLabels !== undefined) out['test-labels'] = d.testLabels;
  if (d.valSplit !== undefined) out['val-split'] = d.valSplit;
  if (d.inputShape !== undefined) out['input-shape'] = d.inputShape.join(',');
  out.scale = d.scale;
  out.loss = d.loss;
  if (d.header === true) out.header = true;
  if (d.header === false) out['no-header'] = true;
  return out;
}

/** The options of the commands that read a trained run's data (encode, reconstruct, eval): another file instead. */
export const RUN_DATA_OPTIONS: OptionSpec[] = [
  { name: 'data', kind: 'string', placeholder: 'path', help: `read this file instead of the run's data, scaled as the run's training data was (${DATA_FORMATS})` },
  { name: 'labels', kind: 'string', placeholder: 'path', help: 'labels of --data, one per row' },
  { name: 'header', kind: 'flag', help: 'the first CSV row of --data names the columns (default: detected)' },
  { name: 'no-header', kind: 'flag', help: 'the first CSV row of --data is data' },
];

/** --header / --no-header of a command that reads a run's data. */
export function headerChoice(command: string, v: Values): 'auto' | boolean {
  if (v.header === true && v['no-header'] === true) throw new UsageError(`tessera ${command}: --header and --no-header contradict each other; give one`);
  if (v.labels !== undefined && v.data === undefined) throw new UsageError(`tessera ${command}: --labels goes with --data`);
  return v.header === true ? true : v['no-header'] === true ? false : 'auto';
}

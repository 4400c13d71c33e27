// `tessera reconstruct <run>`: a PNG of test rows over their reconstructions (for tabular data,
// a chart of the reconstruction error per feature), or with --out file.npy the reconstructions
// themselves in the data's own units (the run's scaling undone). --data reads another file.
import * as path from 'node:path';
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { BACKEND_OPTIONS, chooseBackend } from './backend-choice.js';
import { reconstructRows } from '../eval/inference.js';
import { loadData } from '../train/run-data.js';
import { readRun, RUN_FILES } from './run-folder.js';
import { isImageShape, readForRun, type DataSplit } from '../train/run-data.js';
import { RUN_DATA_OPTIONS, headerChoice } from './data-options.js';
import { writeFeatureErrors, writeReconstructions } from './pictures.js';
import { writeNpy } from '../io/npy.js';
import { DataTransform } from '../data/transform.js';
import type { BackendName } from '../index.js';

const options: OptionSpec[] = [
  ...BACKEND_OPTIONS,
  { name: 'out', kind: 'string', placeholder: 'file.png|file.npy', help: `a picture (default <run>/${RUN_FILES.reconstructions}, or ${RUN_FILES.featureErrors} for tabular data), or .npy: every row's reconstruction in the data's units` },
  { name: 'count', kind: 'int', min: 1, max: 256, default: 16, help: 'how many rows in the picture' },
  { name: 'offset', kind: 'int', min: 0, default: 0, help: 'index of the first row in the picture' },
  ...RUN_DATA_OPTIONS,
];

export const reconstructCommand: Command = {
  name: 'reconstruct',
  summary: 'a PNG of test rows over their reconstructions, or the reconstructions as .npy',
  usage: '<run> [options]',
  description: "Runs test rows (or --data, scaled as the run's training data was) through a trained autoencoder\nand draws inputs over outputs (per-feature error for tabular data), or writes the reconstructions.",
  options,
  positionals: { min: 1, max: 1, names: 'the run folder' },
  async run(args, io) {
    const v = args.values;
    const header = headerChoice('reconstruct', v);
    await chooseBackend('reconstruct', v.backend as BackendName | undefined, v.threads as number | undefined, (m) => io.stderr.write(m));
    const run = readRun('reconstruct', args.positionals[0]);
    let test: DataSplit, featureShape: number[];
    if (typeof v.data === 'string') {
      ({ split: test, featureShape } = readForRun('reconstruct', run.config, v.data, v.labels as string | undefined, header));
    } else {
      const data = loadData('reconstruct', run.config, undefined);
      test = data.test; featureShape = data.featureShape;
    }
    const rowSize = featureShape.reduce((a, b) => a * b, 1);
    const out = v.out as string | undefined;
    if (out !== undefined && out.toLowerCase().endsWith('.npy')) {
      const outputs = await reconstructRows(run, test.images, test.n);
      const transform = new DataTransform(run.config.transform ?? { kind: 'divide', divisor: 255 });
      writeNpy(out, transform.invert(outputs), [test.n, ...featureShape]);
      io.stdout.write(`wrote the reconstructions of ${test.n} rows (in the data's units) to ${out}\n`);
      return 0;
    }
    if (!isImageShape(featureShape)) {
      const file = out ?? path.join(run.dir, RUN_FILES.featureErrors);
      const outputs = await reconstructRows(run, test.images, test.n);
      writeFeatureErrors(file, test.images, outputs, test.n, rowSize, `reconstruction error per feature (${test.n} rows)`);
      io.stdout.write(`wrote the reconstruction error of each of ${rowSize} features over ${test.n} rows to ${file}\n`);
      return 0;
    }
    const offset = Math.min(v.offset as number, test.n - 1);
    const count = Math.min(v.count as number, test.n - offset);
    const inputs = test.images.subarray(offset * rowSize, (offset + count) * rowSize);
    const outputs = await reconstructRows(run, inputs, count);
    const file = out ?? path.join(run.dir, RUN_FILES.reconstructions);
    writeReconstructions(file, inputs, outputs, count, undefined, featureShape);
    io.stdout.write(`wrote ${count} rows and their reconstructions to ${file}\n`);
    return 0;
  },
};

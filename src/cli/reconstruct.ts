// `tessera reconstruct <run>`: a PNG of test images over their reconstructions.
import * as path from 'node:path';
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { BACKEND_OPTIONS, chooseBackend } from './backend-choice.js';
import { loadData, loadRun, reconstructRows } from './inference.js';
import { writeReconstructions } from './pictures.js';
import { RUN_FILES } from './run-folder.js';
import type { BackendName } from '../index.js';

const options: OptionSpec[] = [
  ...BACKEND_OPTIONS,
  { name: 'out', kind: 'string', placeholder: 'file.png', help: `where to write the picture (default <run>/${RUN_FILES.reconstructions})` },
  { name: 'count', kind: 'int', min: 1, max: 256, default: 16, help: 'how many test images' },
  { name: 'offset', kind: 'int', min: 0, default: 0, help: 'index of the first test image' },
];

export const reconstructCommand: Command = {
  name: 'reconstruct',
  summary: 'a PNG grid of test images over their reconstructions',
  usage: '<run> [options]',
  description: 'Runs test images through a trained autoencoder and draws inputs over outputs.',
  options,
  positionals: { min: 1, max: 1, names: 'the run folder' },
  async run(args, io) {
    const v = args.values;
    await chooseBackend('reconstruct', v.backend as BackendName | undefined, v.threads as number | undefined, (m) => io.stderr.write(m));
    const run = loadRun('reconstruct', args.positionals[0]);
    const { test } = loadData('reconstruct', undefined, 'test');
    const offset = Math.min(v.offset as number, test.n - 1);
    const count = Math.min(v.count as number, test.n - offset);
    const inputs = test.images.subarray(offset * 784, (offset + count) * 784);
    const outputs = await reconstructRows(run, inputs, count);
    const file = (v.out as string | undefined) ?? path.join(run.dir, RUN_FILES.reconstructions);
    writeReconstructions(file, inputs, outputs, count);
    io.stdout.write(`wrote ${count} test images and their reconstructions to ${file}\n`);
    return 0;
  },
};

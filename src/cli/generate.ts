// `tessera generate <run> --count 64`: decode samples z ~ N(0, I) of a VAE into a PNG grid.
import * as path from 'node:path';
import { CliError, type Command } from './command.js';
import type { OptionSpec } from './options.js';
import { BACKEND_OPTIONS, chooseBackend } from './backend-choice.js';
import { readRun, RUN_FILES } from './run-folder.js';
import { writeLatentWalk, writeVaeSamples } from './pictures.js';
import { VAE } from '../models/vae.js';
import type { BackendName } from '../index.js';

const options: OptionSpec[] = [
  ...BACKEND_OPTIONS,
  { name: 'count', kind: 'int', min: 1, max: 1024, default: 64, help: 'how many samples' },
  { name: 'seed', kind: 'int', min: 0, default: 0, help: 'seed of the latent draws' },
  { name: 'out', kind: 'string', placeholder: 'file.png', help: `where to write the grid (default <run>/${RUN_FILES.samples})` },
  { name: 'walk', kind: 'string', placeholder: 'file.png', help: 'also draw a walk over the first two latent axes here' },
];

export const generateCommand: Command = {
  name: 'generate',
  summary: 'decode random codes of a VAE run into a PNG grid of new images',
  usage: '<run> [options]',
  description: 'Samples z ~ N(0, I) and decodes it with a trained VAE (train one with --model vae).',
  options,
  positionals: { min: 1, max: 1, names: 'the run folder' },
  async run(args, io) {
    const v = args.values;
    await chooseBackend('generate', v.backend as BackendName | undefined, v.threads as number | undefined, (m) => io.stderr.write(m));
    const run = readRun('generate', args.positionals[0]);
    if (!(run.model instanceof VAE)) {
      throw new CliError(`tessera generate: '${run.dir}' holds a ${run.config.model} autoencoder; sampling needs a VAE (train one with 'tessera train --model vae')`);
    }
    const file = (v.out as string | undefined) ?? path.join(run.dir, RUN_FILES.samples);
    await writeVaeSamples(file, run.model, v.count as number, v.seed as number);
    io.stdout.write(`wrote ${v.count} samples to ${file}\n`);
    if (typeof v.walk === 'string') {
      await writeLatentWalk(v.walk, run.model);
      io.stdout.write(`wrote a latent walk to ${v.walk}\n`);
    }
    return 0;
  },
};

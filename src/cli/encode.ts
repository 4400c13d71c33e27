// `tessera encode <run> --out codes.npy`: the codes of the test (or training) rows, or of another
// file (--data, scaled as the run's training data was), as a float32 .npy [n, code size] (a
// VAE's codes are the means μ), plus the labels alongside.
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { BACKEND_OPTIONS, chooseBackend } from './backend-choice.js';
import { encodeRows } from '../eval/inference.js';
import { loadData } from '../train/run-data.js';
import { readRun } from './run-folder.js';
import { readForRun } from '../train/run-data.js';
import { RUN_DATA_OPTIONS, headerChoice } from './data-options.js';
import { writeNpy } from '../io/npy.js';
import type { BackendName } from '../index.js';

const options: OptionSpec[] = [
  ...BACKEND_OPTIONS,
  { name: 'out', kind: 'string', placeholder: 'file.npy', default: 'codes.npy', help: 'where to write the codes' },
  { name: 'split', kind: 'choice', choices: ['test', 'train'], default: 'test', help: "which of the run's rows to encode" },
  ...RUN_DATA_OPTIONS,
  { name: 'labels-out', kind: 'string', placeholder: 'file.npy', help: 'also write the labels (int32 [n]) here' },
  { name: 'limit', kind: 'int', min: 1, help: 'encode only the first N rows' },
];

export const encodeCommand: Command = {
  name: 'encode',
  summary: 'write the codes of the test rows (or of --data) to a .npy file',
  usage: '<run> [options]',
  description: "Encodes rows with a trained run (the run's test rows, its training rows, or a file given with\n--data, scaled as the run's training data was) and writes the codes as float32 .npy\n[n, code size] (a VAE writes its means μ).",
  options,
  positionals: { min: 1, max: 1, names: 'the run folder' },
  async run(args, io) {
    const v = args.values;
    const header = headerChoice('encode', v);
    await chooseBackend('encode', v.backend as BackendName | undefined, v.threads as number | undefined, (m) => io.stderr.write(m));
    const run = readRun('encode', args.positionals[0]);
    const set = typeof v.data === 'string'
      ? readForRun('encode', run.config, v.data, v.labels as string | undefined, header).split
      : (() => { const data = loadData('encode', run.config, undefined); return v.split === 'train' ? data.train : data.test; })();
    const n = Math.min(set.n, (v.limit as number | undefined) ?? set.n);
    const rowSize = set.images.length / set.n;
    const codes = await encodeRows(run, set.images.subarray(0, n * rowSize), n);
    writeNpy(v.out as string, codes.values, [n, codes.width]);
    const labelsOut = v['labels-out'];
    if (typeof labelsOut === 'string') {
      if (!set.labels) throw new Error(`tessera encode: --labels-out: the rows of '${set.file}' have no labels`);
      writeNpy(labelsOut, set.labels.slice(0, n), [n]);
    }
    io.stdout.write(`wrote ${n} codes of ${codes.width} values to ${v.out}${typeof labelsOut === 'string' ? ` and their labels to ${labelsOut}` : ''}\n`);
    return 0;
  },
};

// `tessera encode <run> --out codes.npy`: the codes of the test (or training) images as a
// float32 .npy [n, code size] (a VAE's codes are the means μ), plus the labels alongside.
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { BACKEND_OPTIONS, chooseBackend } from './backend-choice.js';
import { encodeRows, loadData, loadRun } from './inference.js';
import { writeNpy } from '../io/npy.js';
import type { BackendName } from '../index.js';

const options: OptionSpec[] = [
  ...BACKEND_OPTIONS,
  { name: 'out', kind: 'string', placeholder: 'file.npy', default: 'codes.npy', help: 'where to write the codes' },
  { name: 'split', kind: 'choice', choices: ['test', 'train'], default: 'test', help: 'which images to encode' },
  { name: 'labels', kind: 'string', placeholder: 'file.npy', help: 'also write the labels (uint8 [n]) here' },
  { name: 'limit', kind: 'int', min: 1, help: 'encode only the first N images' },
];

export const encodeCommand: Command = {
  name: 'encode',
  summary: 'write the codes of the test images to a .npy file',
  usage: '<run> [options]',
  description: 'Encodes Fashion-MNIST images with a trained run and writes the codes as float32 .npy\n[n, code size] (a VAE writes its means μ).',
  options,
  positionals: { min: 1, max: 1, names: 'the run folder' },
  async run(args, io) {
    const v = args.values;
    await chooseBackend('encode', v.backend as BackendName | undefined, v.threads as number | undefined, (m) => io.stderr.write(m));
    const run = loadRun('encode', args.positionals[0]);
    const data = loadData('encode', undefined, v.split === 'train' ? 'both' : 'test');
    const set = v.split === 'train' ? data.train : data.test;
    const n = Math.min(set.n, (v.limit as number | undefined) ?? set.n);
    const codes = await encodeRows(run, set.images, n);
    writeNpy(v.out as string, codes.values, [n, codes.width]);
    if (typeof v.labels === 'string') writeNpy(v.labels, set.labels.slice(0, n), [n]);
    io.stdout.write(`wrote ${n} codes of ${codes.width} values to ${v.out}${typeof v.labels === 'string' ? ` and their labels to ${v.labels}` : ''}\n`);
    return 0;
  },
};

// `tessera export <run> --format onnx|torch`: hands a trained run to other tools.
//   onnx   model.onnx (the whole autoencoder in eval form; a VAE's mean path z = μ), and beside it
//          model.encoder.onnx (a VAE's gives μ and log σ²) and model.decoder.onnx (code → output)
//   torch  model.py, a plain torch.nn.Module with a build() function, beside model.safetensors
// The library does the work (src/export/); this file only names the files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from './command.js';
import { CliError } from './command.js';
import type { OptionSpec } from './options.js';
import { readRun, RUN_FILES } from './run-folder.js';
import { featureShapeOf } from '../models/build-model.js';
import { exportOnnx } from '../export/onnx.js';
import { exportTorch } from '../export/torch.js';
import type { OnnxPart } from '../export/onnx-graph.js';

const options: OptionSpec[] = [
  { name: 'format', kind: 'choice', choices: ['onnx', 'torch'], default: 'onnx', help: 'onnx (model.onnx, .encoder.onnx, .decoder.onnx) or torch (model.py)' },
  { name: 'out', kind: 'string', placeholder: 'file', help: 'where to write model.onnx or model.py (default: in the run folder)' },
];

/** model.onnx → model.encoder.onnx. */
function partFile(file: string, part: OnnxPart): string {
  if (part === 'autoencoder') return file;
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.${part}${ext || '.onnx'}`;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a trained run as ONNX, or as a PyTorch module for its weights',
  usage: '<run> [--format onnx|torch] [--out file]',
  description: [
    'onnx: the autoencoder in eval form (batch norm with its running statistics, no dropout or',
    'noise, a VAE\'s mean path z = μ) as model.onnx, with the encoder (a VAE\'s outputs μ and log σ²)',
    'and the decoder as model.encoder.onnx and model.decoder.onnx; opset 17, a dynamic batch axis,',
    'weights named as in model.safetensors.',
    'torch: model.py, a plain torch.nn.Module (no tessera import) whose build() returns the',
    'architecture, beside model.safetensors, to continue in PyTorch:',
    '  model = build(); model.load_state_dict(load_file(\'model.safetensors\'), strict=True)',
  ].join('\n'),
  options,
  positionals: { min: 1, max: 1, names: 'the run folder' },
  async run(args, io) {
    const dir = args.positionals[0];
    const run = readRun('export', dir);
    const format = args.values.format as 'onnx' | 'torch';
    const out = (args.values.out as string | undefined) ?? path.join(dir, format === 'onnx' ? 'model.onnx' : 'model.py');
    const outDir = path.dirname(out);
    if (!fs.existsSync(outDir)) throw new CliError(`tessera export: the folder of --out '${out}' does not exist`);
    const written: string[] = [];
    try {
      if (format === 'onnx') {
        for (const part of ['autoencoder', 'encoder', 'decoder'] as const) {
          await exportOnnx(run.model, partFile(out, part), { inputShape: featureShapeOf(run.config), part });
          written.push(partFile(out, part));
        }
      } else {
        const weights = path.join(outDir, RUN_FILES.weights);
        // model.py loads the weights from beside itself: copy them when it goes elsewhere.
        if (path.resolve(weights) !== path.resolve(dir, RUN_FILES.weights)) {
          fs.copyFileSync(path.join(dir, RUN_FILES.weights), weights);
          written.push(weights);
        }
        exportTorch(run.model, out, { weights: RUN_FILES.weights });
        written.push(out);
      }
    } catch (e) {
      throw new CliError(`tessera export: ${(e as Error).message}`);
    }
    io.stdout.write(`wrote ${written.join(', ')}\n`);
    return 0;
  },
};

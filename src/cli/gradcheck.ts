// `tessera gradcheck`: finite-difference check of every parameter tensor of a model (a seeded
// random subset of each, in float64 on js); exits 1 when a tensor fails. The rules are written
// with ops (src/ops/), so checking them on js checks the gradients of every backend; float32
// finite differences cannot resolve the per-element gradients of a mean loss over 200,000 terms.
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { gradcheckModel, formatModelGradcheck } from '../inspect/model-gradcheck.js';
import { INSPECT_MODEL_OPTIONS, setUpInspection } from './inspect-model.js';

const options: OptionSpec[] = [
  // Always js (float64): no --backend or --threads.
  ...INSPECT_MODEL_OPTIONS.filter((o) => o.name !== 'backend' && o.name !== 'threads')
    .map((o) => (o.name === 'batch-size' ? { ...o, default: 4 } : o)),
  { name: 'per-tensor', kind: 'int', min: 1, default: 12, help: 'elements checked per parameter tensor (chosen at random, seeded)' },
  { name: 'eps', kind: 'number', positive: true, default: 1e-5, help: 'finite-difference step' },
  { name: 'tolerance', kind: 'number', positive: true, default: 5e-3, help: 'worst relative error allowed per tensor' },
  { name: 'json', kind: 'flag', help: 'print the report as JSON' },
];

export const gradcheckCommand: Command = {
  name: 'gradcheck',
  summary: "check a model's gradients against finite differences, per parameter tensor",
  usage: '[options]',
  description: "Compares every parameter gradient of one training step's loss (from backward) with central\nfinite differences (L(θ + ε) − L(θ − ε)) / 2ε on --per-tensor random elements of each\ntensor, and prints the worst relative error per tensor. Exits with 1 when any tensor fails.",
  options,
  notes: 'Randomness inside the forward pass (dropout, the VAE\'s sampling, denoising noise) is replayed\nidentically for every evaluation. An element whose step crosses a kink (ReLU at 0, a max-pool\ntie) is measured again with ε/10 and ε/100; at a kink at the element itself (a ReLU input\nexactly 0, common with zero biases) the one-sided slope that backward gives is accepted.\n\nExample:\n  tessera gradcheck --model conv',
  async run(args, io) {
    const v = args.values;
    // float64 needs js storage; the check is of the backward rules, which every backend shares.
    const s = await setUpInspection('gradcheck', v, { backend: 'js' });
    const report = gradcheckModel(s.model, s.lossFn, s.x, s.y, {
      perTensor: v['per-tensor'] as number, eps: v.eps as number, tolerance: v.tolerance as number, seed: v.seed as number,
    });
    if (v.json === true) io.stdout.write(`${JSON.stringify({ model: s.source, batchSize: s.x.shape[0], ...report }, null, 2)}\n`);
    else io.stdout.write(`${s.source}, batch ${s.x.shape[0]}, loss ${s.lossName}\n${formatModelGradcheck(report)}\n`);
    return report.ok ? 0 : 1;
  },
};

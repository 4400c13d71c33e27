// `tessera explain`: one training step of a model laid out op by op — forward ops with shapes,
// the loss, every backward rule with its gradient shapes and saved tensors, the optimizer's
// update — with FLOPs and bytes per op. As text, JSON, Graphviz DOT, an SVG drawn by tessera,
// or a PNG when Graphviz's `dot` is installed.
import { execFileSync } from 'node:child_process';
import type { Command } from './command.js';
import { CliError } from './command.js';
import type { OptionSpec } from './options.js';
import { UsageError } from './options.js';
import { writeFileAtomic } from '../io/atomic.js';
import { explainStep, formatStep, type StepExplanation } from '../inspect/explain-step.js';
import { buildStepGraph, stepToDot } from '../inspect/step-graph.js';
import { graphToSvg } from '../inspect/svg-graph.js';
import { INSPECT_MODEL_OPTIONS, setUpInspection } from './inspect-model.js';

const FORMATS = ['text', 'json', 'dot', 'svg', 'png'] as const;

const options: OptionSpec[] = [
  ...INSPECT_MODEL_OPTIONS,
  { name: 'format', kind: 'choice', choices: FORMATS, default: 'text', help: 'text, json, dot (Graphviz), svg (drawn by tessera) or png (needs Graphviz dot)' },
  { name: 'out', kind: 'string', placeholder: 'file', help: 'write to this file (default: standard output; png needs a file)' },
  { name: 'forward-only', kind: 'flag', help: 'draw only the forward graph (dot, svg, png)' },
];

/** The explanation as JSON: kernel calls by their description, without storage handles. */
function toJson(e: StepExplanation): string {
  return JSON.stringify(e, (key, value) => {
    if (key === 'calls' && Array.isArray(value)) return value.map((c: { kernel: string; detail: string; flops: number; bytes: number }) => ({ kernel: c.kernel, detail: c.detail, flops: c.flops, bytes: c.bytes }));
    return value;
  }, 2);
}

/** PNG through Graphviz; a clear error when it is not installed. */
function dotToPng(dot: string): Buffer {
  try {
    return execFileSync('dot', ['-Tpng'], { input: dot, maxBuffer: 256 * 2 ** 20, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new CliError("tessera explain: --format png needs Graphviz's 'dot' (apt-get install graphviz); --format svg draws the graph without it");
    throw new CliError(`tessera explain: dot failed: ${String(err.stderr ?? err.message).trim()}`);
  }
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'one training step op by op: shapes, backward rules, saved tensors, FLOPs, the update',
  usage: '[options]',
  description: 'Runs one training step of a model (the options of `tessera train`, or --run <folder>) on\na batch of Fashion-MNIST test images and lays it out in execution order: every forward op\nwith its input and output shapes, the loss, every backward rule with the gradient shapes and\nthe tensors it saved from the forward pass, and the optimizer\'s update per parameter, each\nwith the FLOPs and bytes its kernels moved.',
  options,
  notes: 'Examples:\n  tessera explain                                   the seed\'s dense autoencoder, batch 256\n  tessera explain --model conv --batch-size 8 --format svg --out step.svg\n  tessera explain --run runs/my-run --format dot | dot -Tpdf > step.pdf',
  async run(args, io) {
    const v = args.values;
    const format = v.format as (typeof FORMATS)[number];
    const out = v.out as string | undefined;
    if (format === 'png' && out === undefined) throw new UsageError('tessera explain: --format png writes a file: give --out step.png');
    const s = await setUpInspection('explain', v);
    const e = await explainStep(s.model, s.lossFn, s.x, s.y, s.optimizer, { modelName: `${s.source}, loss ${s.lossName}` });
    let body: string | Buffer;
    if (format === 'text') body = `${formatStep(e)}\n`;
    else if (format === 'json') body = `${toJson(e)}\n`;
    else {
      const graph = buildStepGraph(e, { backward: v['forward-only'] !== true });
      const dot = stepToDot(graph);
      body = format === 'dot' ? dot : format === 'svg' ? graphToSvg(graph, `one training step of ${s.source}`) : dotToPng(dot);
    }
    if (out === undefined) io.stdout.write(typeof body === 'string' ? body : body.toString('binary'));
    else {
      writeFileAtomic(out, typeof body === 'string' ? body : new Uint8Array(body));
      io.stderr.write(`tessera explain: wrote ${out}\n`);
    }
    return 0;
  },
};

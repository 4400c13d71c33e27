// `tessera sweep --optimizer sgd,adam --activation relu,elu,tanh --lr 1e-3,3e-3 …`: trains every
// combination of the listed values (the data is loaded once, every variant starts from the same
// seed) and writes a report folder: report.md (a table of test loss, epochs to reach a target
// loss, time per epoch and parameter count), curves.png (the test-loss curves overlaid) and
// sweep.json (everything, including each variant's per-epoch history).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '../index.js';
import type { Command } from './command.js';
import { UsageError, type OptionSpec, type OptionValue, type Values } from './options.js';
import { chooseBackend, describeBackend, machineLine } from './backend-choice.js';
import { MODEL_TRAINING_OPTIONS, RUN_OPTIONS, configToJson, resolveTrainConfig } from './train-options.js';
import { loadData } from './inference.js';
import { architectureFor } from './build-model.js';
import { describeNonFinite, newSession, runSession } from './training-session.js';
import { writeJson } from './run-folder.js';
import { writePng } from '../io/png.js';
import { writeFileAtomic } from '../io/atomic.js';
import { lineChart } from '../viz/line-chart.js';
import { median } from '../stats.js';

const options: OptionSpec[] = [
  ...MODEL_TRAINING_OPTIONS,
  ...RUN_OPTIONS.map((o) => (o.name === 'out' ? { ...o, help: 'report folder (default runs/<timestamp>-sweep)' } : o)),
  { name: 'target', kind: 'number', positive: true, placeholder: 'loss', help: 'test loss for the "epochs to reach" column (default: the median of the final test losses)' },
  { name: 'max-variants', kind: 'int', min: 1, default: 64, help: 'refuse sweeps with more combinations than this' },
];

export interface Variant {
  name: string;
  values: Record<string, OptionValue>;
}

/** Every combination of the list-valued options, in the order the options are listed. */
export function expandVariants(values: Values, specs: readonly OptionSpec[]): Variant[] {
  let variants: Variant[] = [{ name: '', values: {} }];
  for (const s of specs) {
    const v = values[s.name];
    if (!Array.isArray(v)) continue;
    const next: Variant[] = [];
    for (const base of variants) {
      for (const choice of v) next.push({ name: `${base.name}${base.name ? ' ' : ''}${s.name}=${choice}`, values: { ...base.values, [s.name]: choice } });
    }
    variants = next;
  }
  if (variants.length === 1 && variants[0].name === '') variants[0].name = 'baseline';
  return variants;
}

export interface VariantResult {
  name: string;
  options: Record<string, unknown>;
  testLoss: number;
  bestTestLoss: number;
  epochsToTarget: number | null;
  secondsPerEpoch: number;
  parameters: number;
  history: { loss: number[]; valLoss: number[]; seconds: number[]; lr: number[] };
}

function firstEpochBelow(curve: number[], target: number): number | null {
  const i = curve.findIndex((v) => v <= target);
  return i < 0 ? null : i + 1;
}

function markdownReport(results: VariantResult[], target: number, header: string[]): string {
  const best = Math.min(...results.map((r) => r.testLoss));
  const rows = results.map((r) => {
    const loss = r.testLoss.toPrecision(4);
    return `| ${r.name} | ${r.testLoss === best ? `**${loss}**` : loss} | ${r.epochsToTarget ?? '–'} | ${r.secondsPerEpoch.toFixed(2)} | ${r.parameters.toLocaleString('en-US')} |`;
  });
  return [
    '# Sweep report', '', ...header, '',
    `| variant | test loss | epochs to reach ${target.toPrecision(4)} | time per epoch (s) | parameters |`,
    '|---|---:|---:|---:|---:|',
    ...rows, '',
    'Test loss: the training objective on the test set after the last epoch (eval mode). "–": never reached.',
    'The curves of the test loss per epoch are in curves.png; every number is in sweep.json.', '',
  ].join('\n');
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'train every combination of comma-separated option values and compare them',
  usage: '[options with comma-separated values]',
  description: 'Trains one variant per combination of the listed values (e.g. --optimizer sgd,adam --lr 1e-3,3e-3),\nall from the same seed and data, and writes report.md, curves.png and sweep.json into a report folder.',
  options,
  notes: 'Example:\n  tessera sweep --optimizer sgd,adam --activation relu,elu,tanh --lr 1e-3,3e-3 --epochs 3',
  async run(args, io) {
    const v = args.values;
    const variants = expandVariants(v, MODEL_TRAINING_OPTIONS);
    if (variants.length > (v['max-variants'] as number)) {
      throw new UsageError(`tessera sweep: ${variants.length} combinations exceed --max-variants ${v['max-variants']}; list fewer values or raise --max-variants`);
    }
    const configs = variants.map((variant) => resolveTrainConfig('sweep', { ...v, ...variant.values }));
    const backend = await chooseBackend('sweep', v.backend as BackendName | undefined, v.threads as number | undefined, (m) => io.stderr.write(m));
    // --limit and the data options are not lists: the same data for every variant.
    const data = loadData('sweep', configs[0]);
    for (const c of configs) {
      c.transform = data.transform.spec;
      c.architecture = architectureFor(c, data.featureShape, data.transform.unitRange, 'sweep');
    }
    const dir = typeof v.out === 'string' ? v.out : path.join('runs', `${new Date().toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-')}-sweep`);
    fs.mkdirSync(dir, { recursive: true });
    const quiet = v.quiet === true;
    const say = (line: string) => { if (!quiet) io.stdout.write(`${line}\n`); };
    say(`sweep of ${variants.length} variants on ${data.train.n} training images; backend ${describeBackend(backend)}; report folder ${dir}`);
    const results: VariantResult[] = [];
    let interrupted = false;
    for (let i = 0; i < variants.length && !interrupted; i++) {
      say(`[${i + 1}/${variants.length}] ${variants[i].name}`);
      const session = newSession(configs[i], data.train.n);
      const r = await runSession(session, { data, signal: io.signal, progress: quiet ? 'none' : 'lines', progressStream: io.stderr });
      interrupted = r.interrupted;
      if (interrupted) break;
      if (r.nonFinite) {
        // a diverged variant has no test loss to rank: say so and leave it out of the report
        io.stderr.write(`tessera sweep: ${variants[i].name}: ${describeNonFinite(r.nonFinite)}; left out of the report\n`);
        continue;
      }
      const h = r.history;
      results.push({
        name: variants[i].name, options: configToJson(configs[i]), testLoss: h.valLoss[h.valLoss.length - 1], bestTestLoss: Math.min(...h.valLoss),
        epochsToTarget: null, secondsPerEpoch: h.seconds.reduce((a, b) => a + b, 0) / h.seconds.length,
        parameters: session.model.numParameters(), history: { loss: h.loss, valLoss: h.valLoss, seconds: h.seconds, lr: h.lr },
      });
    }
    if (results.length === 0) {
      io.stderr.write(`tessera sweep: ${interrupted ? 'interrupted before any variant finished' : 'every variant diverged'}; no report written\n`);
      return interrupted ? 130 : 1;
    }
    const target = (v.target as number | undefined) ?? median(results.map((r) => r.testLoss));
    for (const r of results) r.epochsToTarget = firstEpochBelow(r.history.valLoss, target);
    const machine = machineLine();
    const header = [
      `Varied: ${MODEL_TRAINING_OPTIONS.filter((o) => Array.isArray(v[o.name])).map((o) => `--${o.name} ${(v[o.name] as OptionValue[]).join(',')}`).join(' ') || 'nothing (one variant)'}.`,
      `Machine: ${machine}; backend ${describeBackend(backend)}.`,
      `Data: ${data.train.n} ${configs[0].data.data ?? 'Fashion-MNIST'} training rows, ${data.test.n} test images; seed ${configs[0].seed} for every variant.`,
      ...(interrupted ? [`Interrupted: ${results.length} of ${variants.length} variants finished.`] : []),
    ];
    writeFileAtomic(path.join(dir, 'report.md'), markdownReport(results, target, header));
    writePng(path.join(dir, 'curves.png'), lineChart({
      series: results.map((r) => ({ name: r.name, values: r.history.valLoss, x: r.history.valLoss.map((_, e) => e + 1) })),
      title: 'test loss per epoch', xLabel: 'epoch', yLabel: 'test loss', logY: true,
      // Leave the plot ~600 px beside a legend of 12 px characters.
      width: Math.max(900, 640 + 12 * Math.max(...results.map((r) => r.name.length))), height: 560,
    }));
    writeJson(path.join(dir, 'sweep.json'), { machine, backend: describeBackend(backend), target, variants: results, interrupted });
    say(`\n${markdownReport(results, target, []).split('\n').filter((l) => l.startsWith('|')).join('\n')}`);
    say(`wrote report.md, curves.png and sweep.json to ${dir}`);
    return interrupted ? 130 : 0;
  },
};

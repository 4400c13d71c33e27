// `tessera sweep --optimizer sgd,adam --activation relu,elu,tanh --lr 1e-3,3e-3 --seed 0,1,2 …`:
// trains every combination of the listed values once per seed (the data is loaded once; every
// variant runs at the same seeds, so a variant's numbers depend on its settings alone, never on
// its position in the sweep or on which other variants run) and writes a report folder:
// report.md (conclusions generated from the numbers, the variants ranked by test reconstruction
// MSE with mean ± sd over the seeds, and a table per swept option), curves.png (the test-MSE
// curves overlaid) and sweep.json (everything, including every run's per-epoch history).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '../index.js';
import type { Command } from './command.js';
import { UsageError, type OptionSpec, type OptionValue, type Values } from './options.js';
import { chooseBackend, describeBackend, machineLine } from './backend-choice.js';
import { MODEL_TRAINING_OPTIONS, RUN_OPTIONS, configToJson, resolveTrainConfig } from './train-options.js';
import { loadData } from '../train/run-data.js';
import { architectureFor, featureShapeOf } from '../models/build-model.js';
import { describeNonFinite, newSession, runSession } from '../train/training-session.js';
import { trainDataset } from '../train/run-data.js';
import { datasetMse } from '../eval/run-metrics.js';
import { compareSamples, factorSummaries, summarizeVariants, TEST_DESCRIPTION, type Factor, type VariantRuns } from './sweep-summary.js';
import { markdownReport, variantTable } from './sweep-report.js';
import { writeJson } from './run-folder.js';
import { writePng } from '../io/png.js';
import { writeFileAtomic } from '../io/atomic.js';
import { lineChart } from '../viz/line-chart.js';
import { median } from '../util/stats.js';

const options: OptionSpec[] = [
  ...MODEL_TRAINING_OPTIONS,
  ...RUN_OPTIONS.map((o) => (o.name === 'out' ? { ...o, help: 'report folder (default runs/<timestamp>-sweep)' } : o)),
  { name: 'target', kind: 'number', positive: true, placeholder: 'mse', help: 'test MSE for the "epochs to reach" column (default: the median of the variants\' final test MSEs)' },
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

/** What the grid is made of: every option but --seed (seeds are repeats of each variant, averaged). */
const GRID_OPTIONS = MODEL_TRAINING_OPTIONS.filter((o) => o.name !== 'seed');

/** The seeds of --seed, each once. */
function seedList(v: Values): number[] {
  const seeds = (Array.isArray(v.seed) ? v.seed : [v.seed]) as number[];
  const twice = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (twice !== undefined) throw new UsageError(`tessera sweep: --seed lists ${twice} twice; each seed once (a repeat would count the same run twice in the mean ± sd)`);
  return seeds;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'train every combination of comma-separated option values and compare them',
  usage: '[options with comma-separated values]',
  description: 'Trains one variant per combination of the listed values (e.g. --optimizer sgd,adam --lr 1e-3,3e-3),\n'
    + 'once per seed of --seed (e.g. --seed 0,1,2; the same seeds and data for every variant), and writes\n'
    + 'report.md, curves.png and sweep.json into a report folder. Variants are ranked by test reconstruction\n'
    + 'MSE (mean ± sd over the seeds), never by an objective that includes their own penalties; each swept\n'
    + `option gets a summary and a conclusion generated from the numbers (${TEST_DESCRIPTION}).`,
  options,
  notes: 'Switches take lists too: --batch-norm false,true.\nExample:\n  tessera sweep --optimizer sgd,adam --activation relu,elu,tanh --lr 1e-3,3e-3 --seed 0,1,2 --epochs 3',
  async run(args, io) {
    const v = args.values;
    const seeds = seedList(v);
    const variants = expandVariants(v, GRID_OPTIONS);
    if (variants.length > (v['max-variants'] as number)) {
      throw new UsageError(`tessera sweep: ${variants.length} combinations exceed --max-variants ${v['max-variants']}; list fewer values or raise --max-variants`);
    }
    const factors: Factor[] = GRID_OPTIONS.filter((o) => Array.isArray(v[o.name])).map((o) => ({ option: o.name, values: v[o.name] as OptionValue[] }));
    const configs = variants.map((variant) => resolveTrainConfig('sweep', { ...v, ...variant.values, seed: seeds[0] }));
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
    const total = variants.length * seeds.length;
    say(`sweep of ${variants.length} variants × ${seeds.length} seed${seeds.length > 1 ? 's' : ''} on ${data.train.n} training images; backend ${describeBackend(backend)}; report folder ${dir}`);
    const table: VariantRuns[] = variants.map((variant) => ({ name: variant.name, settings: variant.values, parameters: 0, runs: [] }));
    const histories: { seed: number; history: { loss: number[]; valLoss: number[]; valMse: number[]; seconds: number[]; lr: number[] } }[][] = variants.map(() => []);
    let interrupted = false;
    let done = 0;
    for (let i = 0; i < variants.length && !interrupted; i++) {
      for (const seed of seeds) {
        const config = { ...configs[i], seed };
        say(`[${++done}/${total}] ${variants[i].name}${seeds.length > 1 ? ` seed ${seed}` : ''}`);
        const session = newSession(config, data.train.n);
        const r = await runSession(session, { data, signal: io.signal, progress: quiet ? 'none' : 'lines', progressStream: io.stderr, metrics: ['mse'] });
        interrupted = r.interrupted;
        if (interrupted) break;
        if (r.nonFinite) {
          // a diverged run has no test error to rank: say so and leave it out of the means
          io.stderr.write(`tessera sweep: ${variants[i].name} seed ${seed}: ${describeNonFinite(r.nonFinite)}; left out of the report\n`);
          continue;
        }
        const h = r.history;
        const valMse = h.valMse ?? [];
        table[i].parameters = session.model.numParameters();
        table[i].runs.push({
          seed, testMse: valMse[valMse.length - 1], testObjective: h.valLoss[h.valLoss.length - 1], testMseCurve: valMse,
          trainMse: await datasetMse(session.model, trainDataset(data, featureShapeOf(config))),
          secondsPerEpoch: h.seconds.reduce((a, b) => a + b, 0) / h.seconds.length,
        });
        histories[i].push({ seed, history: { loss: h.loss, valLoss: h.valLoss, valMse, seconds: h.seconds, lr: h.lr } });
      }
    }
    const finished = table.reduce((a, t) => a + t.runs.length, 0);
    if (finished === 0) {
      io.stderr.write(`tessera sweep: ${interrupted ? 'interrupted before any run finished' : 'every run diverged'}; no report written\n`);
      return interrupted ? 130 : 1;
    }
    const ranked0 = summarizeVariants(table);
    const target = (v.target as number | undefined) ?? median(ranked0.map((s) => s.testMse.mean));
    const ranked = summarizeVariants(table, target);
    const perFactor = factorSummaries(table, factors);
    const conclusions = [
      ...perFactor.map((f) => f.conclusion),
      ...(ranked.length > 1 && factors.length !== 1 ? [compareSamples('Best variant', table.filter((t) => t.runs.length > 0).map((t) => ({ label: t.name, samples: t.runs.map((r) => r.testMse) })))] : []),
    ];
    if (conclusions.length === 0) conclusions.push(`One variant (${ranked[0].name}): test MSE ${ranked[0].testMse.mean.toPrecision(4)}; nothing was varied, so nothing is compared.`);
    const machine = machineLine();
    const header = [
      `Varied: ${factors.map((f) => `--${f.option} ${f.values.join(',')}`).join(' ') || 'nothing (one variant)'}.`,
      seeds.length > 1
        ? `Seeds: ${seeds.join(', ')}: every variant trained once per seed, at the same seeds (so variants differ only in their settings); every number is the mean ± sd over the seeds.`
        : `Seed: ${seeds[0]} for every variant (one run each: no estimate of the noise; give --seed 0,1,2 to average and test).`,
      `Machine: ${machine}; backend ${describeBackend(backend)}.`,
      `Data: ${data.train.n} ${configs[0].data.data ?? 'Fashion-MNIST'} training rows, ${data.test.n} test rows; ${configs[0].epochs} epochs${factors.some((f) => f.option === 'epochs') ? ' (or as varied)' : ''}.`,
      ...(interrupted ? [`Interrupted: ${finished} of ${total} runs finished.`] : []),
    ];
    writeFileAtomic(path.join(dir, 'report.md'), markdownReport({ header, conclusions, variants: ranked, factors: perFactor, target, seeds: seeds.length }));
    writePng(path.join(dir, 'curves.png'), lineChart({
      series: ranked.map((s) => ({ name: s.name, values: s.curve, x: s.curve.map((_, e) => e + 1) })),
      title: `test reconstruction MSE per epoch${seeds.length > 1 ? ` (mean of ${seeds.length} seeds)` : ''}`, xLabel: 'epoch', yLabel: 'test MSE', logY: true,
      // Leave the plot ~600 px beside a legend of 12 px characters, and the legend 24 px per line.
      width: Math.max(900, 652 + 12 * Math.max(...ranked.map((s) => s.name.length))), height: Math.max(560, 140 + 24 * ranked.length),
    }));
    writeJson(path.join(dir, 'sweep.json'), {
      machine, backend: describeBackend(backend), seeds, target, test: TEST_DESCRIPTION, conclusions, interrupted,
      ranking: ranked.map((s) => s.name),
      factors: perFactor,
      variants: table.map((t, i) => ({
        name: t.name, settings: t.settings, options: configToJson(configs[i]), parameters: t.parameters,
        summary: ranked.find((s) => s.name === t.name) ?? null,
        runs: t.runs.map((r, k) => ({ seed: r.seed, testMse: r.testMse, trainMse: r.trainMse, testObjective: r.testObjective, secondsPerEpoch: r.secondsPerEpoch, history: histories[i][k].history })),
      })).filter((x) => x.runs.length > 0),    // an interrupted sweep lists what finished
    });
    say(`\n${variantTable(ranked, target).join('\n')}\n\n${conclusions.join('\n')}`);
    say(`wrote report.md, curves.png and sweep.json to ${dir}`);
    return interrupted ? 130 : 0;
  },
};

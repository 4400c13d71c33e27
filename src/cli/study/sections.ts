// Each question's section of the report, from the run results alone: its tables (mean ± sd over
// the repeats), its charts, and its conclusion sentences (conclusions.ts, generated from the numbers).
import type { Image } from '../../io/png.js';
import { lineChart } from '../../viz/line-chart.js';
import { mean } from '../../util/stats.js';
import { firstEpochBelow, formatMeanSd } from '../sweep-summary.js';
import { meanSd, type MeanSd } from '../../util/stats.js';
import { ACTIVATIONS, OPTIMIZERS, REGULARISERS, NORMALISERS, VARIANTS, equalUpdateEpochs, type Budget, type Settings, type Variant } from './design.js';
import { compareCandidates, comparePair, pValue } from './conclusions.js';
import { formatP, type Candidate } from '../sweep-summary.js';
import type { RunResult } from './run-one.js';

export interface Section {
  title: string;
  /** Markdown lines: what was run, the tables, the chart links. */
  body: string[];
  conclusion: string[];
  charts: { file: string; image: Image }[];
}

/** A variant's finished repeats, summarised. */
export interface VariantStats {
  name: string;
  runs: RunResult[];
  ok: RunResult[];
  diverged: number;
  testMse: MeanSd;
  trainMse: MeanSd;
  gap: MeanSd;
  curve: number[];
}

export interface Context {
  budget: Budget;
  results: Map<string, RunResult>;
  /** MSE of predicting the mean training row: what a model that learned nothing scores. */
  baselineMse: number;
}

export function statsOf(ctx: Context, name: string): VariantStats {
  const runs = [...ctx.results.values()].filter((r) => r.variant === name).sort((a, b) => a.repeat - b.repeat);
  const ok = runs.filter((r) => r.diverged === null && Number.isFinite(r.testMse));
  const epochs = ok.length ? Math.min(...ok.map((r) => r.curve.length)) : 0;
  return {
    name, runs, ok, diverged: runs.length - ok.length,
    testMse: meanSd(ok.map((r) => r.testMse)), trainMse: meanSd(ok.map((r) => r.trainMse)), gap: meanSd(ok.map((r) => r.testMse - r.trainMse)),
    curve: Array.from({ length: epochs }, (_, e) => mean(ok.map((r) => r.curve[e]))),
  };
}

const vs = (ctx: Context, v: Variant) => statsOf(ctx, v.name);
const cand = (label: string, s: VariantStats): Candidate => ({ label, samples: s.ok.map((r) => r.testMse) });
const cell = (s: VariantStats) => (s.runs.length === 0 ? 'not run' : s.ok.length === 0 ? `diverged (${s.diverged}/${s.runs.length})` : `${formatMeanSd(s.testMse)}${s.diverged ? ` (${s.diverged} diverged)` : ''}`);
const lrText = (lr: number) => String(Number(lr.toPrecision(2)));

/** The best of a grid: lowest mean test MSE among cells whose every repeat finished (else any that finished). */
function bestOf(cells: { key: number; stats: VariantStats }[]): { key: number; stats: VariantStats } | null {
  const whole = cells.filter((c) => c.stats.ok.length > 0 && c.stats.diverged === 0);
  const pool = whole.length ? whole : cells.filter((c) => c.stats.ok.length > 0);
  return pool.length ? pool.reduce((a, b) => (b.stats.testMse.mean < a.stats.testMse.mean ? b : a)) : null;
}

function curveChart(file: string, title: string, series: { name: string; curve: number[] }[]): { file: string; image: Image } | null {
  const s = series.filter((x) => x.curve.length > 0);
  if (s.length === 0) return null;
  return {
    file, image: lineChart({
      series: s.map((x) => ({ name: x.name, values: x.curve, x: x.curve.map((_, e) => e + 1) })), title, xLabel: 'epoch', yLabel: 'test MSE', logY: true,
      width: Math.max(900, 652 + 12 * Math.max(...s.map((x) => x.name.length))), height: Math.max(520, 140 + 24 * s.length),
    }),
  };
}

const chartLine = (c: { file: string } | null, alt: string) => (c ? [`![${alt}](${c.file})`, ''] : []);

/** A section that tunes the lr of each option on a grid, then compares the options at their best (1.1, 1.4). */
function tunedComparison(ctx: Context, title: string, what: string, options: string[], lrs: number[], variantOf: (o: string, lr: number) => Variant, file: string): Section {
  const rows: string[] = [];
  const chosen: { label: string; stats: VariantStats; lr: number }[] = [];
  for (const o of options) {
    const cells = lrs.map((lr) => ({ key: lr, stats: vs(ctx, variantOf(o, lr)) }));
    const best = bestOf(cells);
    if (best) chosen.push({ label: o, stats: best.stats, lr: best.key });
    rows.push(`| ${o} | ${cells.map((c) => cell(c.stats)).join(' | ')} | ${best ? lrText(best.key) : '–'} | ${best ? formatMeanSd(best.stats.trainMse) : '–'} |`);
  }
  const target = chosen.length ? [...chosen.map((c) => c.stats.testMse.mean)].sort((a, b) => a - b)[Math.floor((chosen.length - 1) / 2)] : NaN;
  const epochsTo = (c: VariantStats) => String(firstEpochBelow(c.curve, target) ?? '–');
  const chart = curveChart(file, `test MSE per epoch, each ${what} at its best lr (mean of the repeats)`, chosen.map((c) => ({ name: `${c.label} lr ${lrText(c.lr)}`, curve: c.stats.curve })));
  const m = ctx.budget.main;
  return {
    title,
    body: [
      `Each ${what} trained at every learning rate of the grid {${lrs.map(lrText).join(', ')}} (${m.epochs} epochs, batch ${m.batchSize}, ${m.trainRows} training rows, hidden ${m.hidden}, code ${m.latent}); `
        + 'the best learning rate of each (lowest mean test MSE with no diverged repeat) is the one compared. The choice is made on the same test rows, so the winner\'s number is slightly optimistic.', '',
      `| ${what} | ${lrs.map((lr) => `test MSE at lr ${lrText(lr)}`).join(' | ')} | chosen lr | train MSE at chosen lr |`,
      `|---|${lrs.map(() => '---:').join('|')}|---:|---:|`, ...rows, '',
      `Epochs to reach ${Number.isFinite(target) ? target.toPrecision(3) : '–'} (the median of the chosen variants' final test MSE): `
        + chosen.map((c) => `${c.label} ${epochsTo(c.stats)}`).join(', ') + ' ("–": not within the budget\'s epochs).', '',
      ...chartLine(chart, `${what} curves`),
    ],
    conclusion: [compareCandidates(`${what[0].toUpperCase()}${what.slice(1)} at its best learning rate`, chosen.map((c) => cand(`${c.label} (lr ${lrText(c.lr)})`, c.stats)))],
    charts: chart ? [chart] : [],
  };
}

export function activationSection(ctx: Context): Section {
  return tunedComparison(ctx, 'Activation (1.1)', 'activation', ACTIVATIONS, ctx.budget.activationLrs, VARIANTS.activation, 'activation.png');
}

export function optimizerSection(ctx: Context): Section {
  return tunedComparison(ctx, 'Optimizers (1.4)', 'optimizer', OPTIMIZERS, ctx.budget.optimizerLrs, VARIANTS.optimizer, 'optimizers.png');
}

/** 1.2: the lr × batch grid at equal epochs and at equal updates, lr ∝ batch, the stable lrs per batch size. */
export function lrBatchSection(ctx: Context): Section {
  const b = ctx.budget;
  const regimes = [
    { key: 'epochs', title: `equal epochs (${b.batchEpochs} each)`, epochs: (_batch: number) => b.batchEpochs },
    { key: 'updates', title: `equal updates (epochs ∝ batch size: ${b.batchSizes.map((x) => `${x}→${equalUpdateEpochs(b, x)}`).join(', ')})`, epochs: (batch: number) => equalUpdateEpochs(b, batch) },
  ];
  const body: string[] = [`A grid of learning rates {${b.batchLrs.map(lrText).join(', ')}} × batch sizes {${b.batchSizes.join(', ')}} (Adam, ${b.main.trainRows} training rows), trained twice: at equal epochs and at equal numbers of updates.`, ''];
  const conclusion: string[] = [];
  const charts: Section['charts'] = [];
  for (const r of regimes) {
    const grid = b.batchSizes.map((batch) => b.batchLrs.map((lr) => vs(ctx, VARIANTS.batch(lr, batch, r.epochs(batch)))));
    body.push(`**${r.title}**: test MSE`, '', `| batch \\ lr | ${b.batchLrs.map(lrText).join(' | ')} |`, `|---|${b.batchLrs.map(() => '---:').join('|')}|`,
      ...b.batchSizes.map((batch, i) => `| ${batch} | ${grid[i].map(cell).join(' | ')} |`), '');
    const file = `lr-batch-${r.key}.png`;
    const series = b.batchSizes.map((batch, i) => ({ name: `batch ${batch}`, x: b.batchLrs.map((lr) => Math.log10(lr)), values: grid[i].map((s) => (s.ok.length ? s.testMse.mean : NaN)) }))
      .filter((s) => s.values.some((v) => Number.isFinite(v)));
    if (series.length) {
      charts.push({ file, image: lineChart({ series, title: `test MSE against learning rate, ${r.key === 'epochs' ? 'equal epochs' : 'equal updates'}`, xLabel: 'log10 learning rate', yLabel: 'test MSE', logY: true, width: 900, height: 560 }) });
      body.push(`![lr × batch, ${r.title}](${file})`, '');
    }
    const bests = b.batchSizes.map((batch, i) => ({ batch, best: bestOf(b.batchLrs.map((lr, j) => ({ key: lr, stats: grid[i][j] }))) }));
    conclusion.push(compareCandidates(`At ${r.title}, each batch size at its best learning rate`, bests.filter((x) => x.best).map((x) => cand(`batch ${x.batch} (lr ${lrText(x.best!.key)})`, x.best!.stats))));
  }
  // lr ∝ batch: the cells on one diagonal of the ×4 ladders, at equal epochs (Goyal et al.'s rule)
  const ratio = b.batchLrs.length > 1 ? b.batchLrs[1] / b.batchLrs[0] : 0;
  const diag: string[] = [];
  for (let j = 0; j < b.batchLrs.length; j++) {
    const cells: { label: string; s: VariantStats }[] = [];
    for (let i = 0; i < b.batchSizes.length; i++) {
      const step = Math.log(b.batchSizes[i] / b.batchSizes[0]) / Math.log(ratio);
      const k = j + Math.round(step);
      if (Math.abs(step - Math.round(step)) > 1e-9 || k >= b.batchLrs.length) continue;
      cells.push({ label: `batch ${b.batchSizes[i]} at lr ${lrText(b.batchLrs[k])}`, s: vs(ctx, VARIANTS.batch(b.batchLrs[k], b.batchSizes[i], b.batchEpochs)) });
    }
    const ok = cells.filter((c) => c.s.ok.length > 0);
    if (ok.length < 2) continue;
    const lo = ok[0], hi = ok[ok.length - 1];
    const pair = comparePair(cand(lo.label, lo.s), cand(hi.label, hi.s));
    diag.push(`lr ∝ batch from ${lo.label}: ${ok.map((c) => `${c.label} ${formatMeanSd(c.s.testMse)}`).join(', ')}; `
      + (pair.better === 'tie' ? `the ends are within noise (${pair.text}), so the rule holds here.` : `the ends differ: ${pair.text}, so the rule does not hold here.`));
  }
  conclusion.push(...(diag.length ? diag : ['Linear scaling: the grid has no two cells with lr ∝ batch; not checked.']));
  // stable: every repeat finite and better than predicting the mean row (a slower lr that has not got there yet is named apart)
  const stable = b.batchSizes.map((batch) => {
    const cells = b.batchLrs.map((lr) => ({ lr, s: vs(ctx, VARIANTS.batch(lr, batch, b.batchEpochs)) })).filter((c) => c.s.runs.length > 0);
    const list = (xs: typeof cells) => xs.map((c) => lrText(c.lr)).join(', ');
    const ok = cells.filter((c) => c.s.diverged === 0 && c.s.testMse.mean < ctx.baselineMse);
    const blew = cells.filter((c) => c.s.diverged > 0);
    const slow = cells.filter((c) => c.s.diverged === 0 && !(c.s.testMse.mean < ctx.baselineMse));
    return `batch ${batch}: ${ok.length ? (ok.length === cells.length ? `every lr of the grid` : list(ok)) : 'none'}`
      + (blew.length ? ` (diverged: ${list(blew)})` : '') + (slow.length ? ` (not below the mean-row error: ${list(slow)})` : '');
  });
  conclusion.push(`Stable learning rates at equal epochs (no repeat diverged and the test MSE is below ${ctx.baselineMse.toPrecision(3)}, the error of predicting the mean training row): ${stable.join('; ')}.`);
  return { title: 'Learning rate × batch size (1.2)', body, conclusion, charts };
}

/** 1.3 and 1.5: options in the overfitting regime, judged by test MSE, with the train–test gap. */
function overfitComparison(ctx: Context, title: string, what: string, options: { label: string; settings: Settings }[], file: string): Section {
  const o = ctx.budget.overfit;
  const rows = options.map((x) => ({ label: x.label, s: vs(ctx, VARIANTS.overfit(x.settings)) }));
  const chart = curveChart(file, `test MSE per epoch (${o.trainRows} training rows, hidden ${o.hidden})`, rows.map((r) => ({ name: r.label, curve: r.s.curve })));
  const none = rows[0].s;
  const conclusion = [compareCandidates(`${what} (by test reconstruction MSE alone)`, rows.map((r) => cand(r.label, r.s)))];
  if (none.ok.length > 1) {
    const p = pValue(none.ok.map((r) => r.testMse), none.ok.map((r) => r.trainMse));
    conclusion.push(`Without any: train MSE ${formatMeanSd(none.trainMse)}, test MSE ${formatMeanSd(none.testMse)}, a gap of ${formatMeanSd(none.gap)} `
      + (p < 0.05 && none.gap.mean > 0 ? `(Welch's t-test, ${formatP(p)}): this regime overfits, as intended.` : `(${formatP(p)}): no overfitting larger than the noise, so this regime cannot show what ${what.toLowerCase()} prevents.`));
  }
  return {
    title,
    body: [
      `The overfitting regime: the first ${o.trainRows} training rows, a wide model (hidden ${o.hidden}, code ${o.latent}), ${o.epochs} epochs at batch ${o.batchSize}. `
        + 'Ranked by test reconstruction MSE only, never by an objective that includes a penalty.', '',
      '| variant | test MSE | train MSE | gap (test − train) |', '|---|---:|---:|---:|',
      ...rows.map((r) => `| ${r.label} | ${cell(r.s)} | ${r.s.ok.length ? formatMeanSd(r.s.trainMse) : '–'} | ${r.s.ok.length ? formatMeanSd(r.s.gap, r.s.testMse.mean) : '–'} |`), '',
      ...chartLine(chart, `${what} curves`),
    ],
    conclusion, charts: chart ? [chart] : [],
  };
}

export function regularisationSection(ctx: Context): Section {
  return overfitComparison(ctx, 'Regularisation (1.3)', 'Regularisation', REGULARISERS, 'regularisation.png');
}

export function dropoutSection(ctx: Context): Section {
  return overfitComparison(ctx, 'Dropout vs batch norm (1.5)', 'Dropout and batch norm', NORMALISERS, 'dropout-bn.png');
}

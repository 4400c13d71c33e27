// The sweep's report.md, from the summaries of sweep-summary.ts: the conclusions first, then the
// variants ranked by test reconstruction MSE (each number mean ± sd over the seeds, the objective
// in its own column), then one table per swept option.
import { TEST_DESCRIPTION, formatMeanSd, type FactorSummary, type MeanSd, type VariantSummary } from './sweep-summary.js';

/** The rows of the ranked table (also printed at the end of a sweep). */
export function variantTable(variants: readonly VariantSummary[], target: number): string[] {
  const best = variants[0]?.testMse.mean;
  const rows = variants.map((s, i) => {
    // the errors of a row to the same decimals, so train, test and gap line up
    const cell = (m: MeanSd) => formatMeanSd(m, s.testMse.mean);
    const mse = cell(s.testMse);
    return `| ${i + 1} | ${s.name} | ${s.testMse.mean === best ? `**${mse}**` : mse} | ${cell(s.trainMse)} | ${cell(s.gap)} | ${formatMeanSd(s.testObjective)} | `
      + `${s.epochsToTarget ?? '–'} | ${s.secondsPerEpoch.toFixed(2)} | ${s.parameters.toLocaleString('en-US')} |`;
  });
  return [
    `| rank | variant | test MSE | train MSE | gap (test − train) | test objective | epochs to reach ${target.toPrecision(3)} | time per epoch (s) | parameters |`,
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
}

function factorTable(f: FactorSummary): string[] {
  return [
    `### --${f.option}`, '',
    '| value | test MSE | gap (test − train) | runs |',
    '|---|---:|---:|---:|',
    ...f.levels.map((l) => `| ${String(l.value)} | ${formatMeanSd(l.testMse)} | ${formatMeanSd(l.gap, l.testMse.mean)} | ${l.runs} |`),
    '',
  ];
}

export function markdownReport(o: { header: string[]; conclusions: string[]; variants: VariantSummary[]; factors: FactorSummary[]; target: number; seeds: number }): string {
  return [
    '# Sweep report', '', ...o.header, '',
    '## Conclusions', '',
    ...o.conclusions.map((c) => `- ${c}`), '',
    `Generated from the numbers below. A difference is called larger than the noise by ${TEST_DESCRIPTION}.`
      + (o.seeds < 2 ? ' This sweep ran one seed, so nothing could be tested.' : ''), '',
    '## Variants, ranked by test reconstruction MSE', '',
    ...variantTable(o.variants, o.target), '',
    'Each number is the mean ± sd over the seeds. Test MSE: the mean squared reconstruction error per value on the test rows after the last epoch (eval mode),',
    'what the variants are ranked by. Train MSE: the same on the training rows; the gap (test − train) grows when a model overfits.',
    'Test objective: the training loss on the test rows, which includes the model\'s own terms (VAE KL, sparsity penalty) and the weight penalties',
    '(--l1, --l2): not comparable between variants that differ in them. Epochs to reach: the first epoch whose mean test MSE is at or below the target; "–": never.',
    'The curves of the test MSE per epoch are in curves.png; every run\'s numbers and history are in sweep.json.', '',
    ...(o.factors.length > 0 ? ['## Per swept option', '', 'Each value\'s test MSE averaged over the other swept options (per seed, then mean ± sd over the seeds).', '', ...o.factors.flatMap(factorTable)] : []),
  ].join('\n');
}

// The FAQ's sections: autoencoder vs PCA by code size, codes as features (kNN and linear probe
// beside raw pixels and PCA codes), and generating with the VAE at several β.
import { lineChart } from '../../viz/line-chart.js';
import { formatMeanSd } from '../sweep-summary.js';
import { meanSd } from '../../util/stats.js';
import { BETAS, VARIANTS } from './design.js';
import { compareCandidates, comparePair, formatValue, type Metric } from './conclusions.js';
import type { Candidate } from '../sweep-summary.js';
import { statsOf, type Context, type Section } from './sections.js';
import { KNN_K, type RunResult } from './run-one.js';

const KNN: Metric = { name: 'kNN accuracy', higherIsBetter: true, accuracy: true };
const PROBE: Metric = { name: 'linear-probe accuracy', higherIsBetter: true, accuracy: true };

function pcaResult(ctx: Context): RunResult | undefined {
  return ctx.results.get(`${VARIANTS.pca().name}#0`);
}

const aeStats = (ctx: Context, k: number, linear: boolean) =>
  statsOf(ctx, (linear ? VARIANTS.linearCode : VARIANTS.featureCode)(ctx.budget, k).name);

/** "a at 2, 4; b at 8" from per-size outcomes. */
function bySize(outcomes: { k: number; better: 'a' | 'b' | 'tie' }[], words: Record<'a' | 'b' | 'tie', string>): string {
  return (['a', 'tie', 'b'] as const).map((w) => ({ w, ks: outcomes.filter((o) => o.better === w).map((o) => o.k) }))
    .filter((x) => x.ks.length > 0).map((x) => `${words[x.w]} at code size${x.ks.length > 1 ? 's' : ''} ${x.ks.join(', ')}`).join('; ');
}

export function aePcaSection(ctx: Context): Section {
  const b = ctx.budget;
  const pca = pcaResult(ctx);
  const rows = b.codeSizes.map((k) => ({ k, pca: pca?.pca?.sizes.find((s) => s.k === k)?.testMse ?? NaN, lin: aeStats(ctx, k, true), non: aeStats(ctx, k, false) }));
  const x = b.codeSizes.map((k) => Math.log2(k));
  const series = [
    { name: 'PCA', x, values: rows.map((r) => r.pca) },
    { name: 'linear autoencoder', x, values: rows.map((r) => (r.lin.ok.length ? r.lin.testMse.mean : NaN)) },
    { name: 'nonlinear autoencoder (relu)', x, values: rows.map((r) => (r.non.ok.length ? r.non.testMse.mean : NaN)) },
  ].filter((s) => s.values.some(Number.isFinite));
  const charts = series.length ? [{ file: 'ae-pca.png', image: lineChart({ series, title: 'test MSE against code size', xLabel: 'log2 code size', yLabel: 'test MSE', logY: true, width: 900, height: 560 }) }] : [];
  const pcaCand = (r: (typeof rows)[number]): Candidate => ({ label: 'PCA', samples: Number.isFinite(r.pca) ? [r.pca] : [] });
  const nonVs = rows.filter((r) => r.non.ok.length > 1 && Number.isFinite(r.pca)).map((r) => ({ k: r.k, ...comparePair({ label: 'nonlinear AE', samples: r.non.ok.map((q) => q.testMse) }, pcaCand(r)) }));
  const linVs = rows.filter((r) => r.lin.ok.length > 1 && Number.isFinite(r.pca)).map((r) => ({ k: r.k, ...comparePair({ label: 'linear AE', samples: r.lin.ok.map((q) => q.testMse) }, pcaCand(r)) }));
  const conclusion = [
    nonVs.length ? `Nonlinear autoencoder against PCA (Welch's t-test against PCA's exact value): ${bySize(nonVs, { a: 'the autoencoder is better', b: 'PCA is better', tie: 'within noise' })}. Per size: ${nonVs.map((o) => `${o.k}: ${o.text}`).join('; ')}.` : 'Nonlinear autoencoder against PCA: not enough finished runs to compare.',
    linVs.length ? `Linear autoencoder against PCA (PCA is the best any linear code of that size can do, so a linear autoencoder can at most match it): ${bySize(linVs, { a: 'the linear AE is better (on test rows, by chance of the split)', b: 'PCA is better (the linear AE has not converged)', tie: 'within noise of PCA' })}.` : 'Linear autoencoder against PCA: not enough finished runs to compare.',
  ];
  return {
    title: 'Autoencoder vs PCA (FAQ)',
    body: [
      `PCA fitted on the ${b.main.trainRows} training rows; linear and nonlinear (relu) autoencoders with hidden ${2 * b.main.hidden} trained ${b.main.epochs} epochs at each code size.`, '',
      '| code size | PCA | linear AE | nonlinear AE |', '|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.k} | ${Number.isFinite(r.pca) ? r.pca.toPrecision(4) : '–'} | ${r.lin.ok.length ? formatMeanSd(r.lin.testMse) : '–'} | ${r.non.ok.length ? formatMeanSd(r.non.testMse) : '–'} |`), '',
      ...(charts.length ? ['![AE vs PCA](ae-pca.png)', ''] : []),
    ],
    conclusion, charts,
  };
}

export function featuresSection(ctx: Context): Section {
  const b = ctx.budget;
  const pca = pcaResult(ctx);
  const title = 'Codes as features (FAQ)';
  if (!pca?.pca?.raw) {
    return { title, body: [pca ? 'The data has no labels on both splits, so codes cannot be scored as features.' : 'The PCA baseline did not run.', ''], conclusion: ['Not measured.'], charts: [] };
  }
  const raw = pca.pca.raw;
  const rows = b.codeSizes.map((k) => ({ k, pca: pca.pca!.sizes.find((s) => s.k === k)?.features, ae: aeStats(ctx, k, false).ok.filter((r) => r.features) }));
  const acc = (xs: RunResult[], m: 'knn' | 'probe') => xs.map((r) => r.features![m]);
  const fmt = (xs: number[], metric: Metric) => (xs.length ? formatValue(meanSd(xs), metric) : '–');
  const x = b.codeSizes.map((k) => Math.log2(k));
  const series = [
    { name: 'kNN: autoencoder codes', x, values: rows.map((r) => (r.ae.length ? meanSd(acc(r.ae, 'knn')).mean : NaN)) },
    { name: 'kNN: PCA codes', x, values: rows.map((r) => r.pca?.knn ?? NaN) },
    { name: 'kNN: raw pixels', x, values: rows.map(() => raw.knn) },
    { name: 'probe: autoencoder codes', x, values: rows.map((r) => (r.ae.length ? meanSd(acc(r.ae, 'probe')).mean : NaN)) },
    { name: 'probe: PCA codes', x, values: rows.map((r) => r.pca?.probe ?? NaN) },
    { name: 'probe: raw pixels', x, values: rows.map(() => raw.probe) },
  ];
  const charts = [{ file: 'features.png', image: lineChart({ series, title: 'test accuracy against code size', xLabel: 'log2 code size', yLabel: 'accuracy', width: 1000, height: 600 }) }];
  const conclusion: string[] = [];
  for (const [m, metric] of [['knn', KNN], ['probe', PROBE]] as const) {
    conclusion.push(compareCandidates(`The autoencoder's codes by code size, ${metric.name}`, rows.map((r) => ({ label: `code ${r.k}`, samples: acc(r.ae, m) })), metric));
    const vsPca = rows.filter((r) => r.ae.length > 1 && r.pca).map((r) => ({ k: r.k, ...comparePair({ label: 'AE codes', samples: acc(r.ae, m) }, { label: 'PCA codes', samples: [r.pca![m]] }, metric) }));
    if (vsPca.length) conclusion.push(`${metric.name}, autoencoder codes against PCA codes of the same size: ${bySize(vsPca, { a: 'the autoencoder\'s are better', b: 'PCA\'s are better', tie: 'within noise' })}.`);
    const best = rows.filter((r) => r.ae.length > 1).map((r) => ({ k: r.k, s: acc(r.ae, m) })).sort((p, q) => meanSd(q.s).mean - meanSd(p.s).mean)[0];
    if (best) {
      const pr = comparePair({ label: `AE codes of size ${best.k}`, samples: best.s }, { label: 'raw pixels', samples: [raw[m]] }, metric);
      conclusion.push(`${metric.name}, the best autoencoder codes against the raw pixels (${formatValue(meanSd([raw[m]]), metric)}): ${pr.text}.`);
    }
  }
  return {
    title,
    body: [
      `kNN (k = ${KNN_K}, the first ${raw.queries ?? b.knnQueries} test rows as queries, the training rows as neighbours) and a softmax linear probe (${b.probeEpochs} epochs, standardised features) on the codes of the nonlinear autoencoders of the previous section, on PCA codes of the same size, and on the raw pixels.`, '',
      '| code size | kNN: AE codes | kNN: PCA codes | probe: AE codes | probe: PCA codes |', '|---:|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.k} | ${fmt(acc(r.ae, 'knn'), KNN)} | ${r.pca ? formatValue(meanSd([r.pca.knn]), KNN) : '–'} | ${fmt(acc(r.ae, 'probe'), PROBE)} | ${r.pca ? formatValue(meanSd([r.pca.probe]), PROBE) : '–'} |`),
      `| raw pixels | ${formatValue(meanSd([raw.knn]), KNN)} | | ${formatValue(meanSd([raw.probe]), PROBE)} | |`, '',
      '![codes as features](features.png)', '',
    ],
    conclusion, charts,
  };
}

export function generatingSection(ctx: Context): Section {
  const b = ctx.budget;
  const rows = BETAS.map((beta) => {
    const v = VARIANTS.vae(b, beta);
    const s = statsOf(ctx, v.name);
    return { beta, v, s, kl: s.ok.map((r) => r.kl ?? NaN).filter(Number.isFinite) };
  });
  const done = rows.filter((r) => r.s.ok.length > 0);
  const charts = done.length > 1 ? [{
    file: 'vae-recon-kl.png',
    image: lineChart({ series: [{ name: 'β = ' + done.map((r) => r.beta).join(', '), x: done.map((r) => meanSd(r.kl).mean), values: done.map((r) => r.s.testMse.mean) }], title: 'test reconstruction MSE against KL, one point per beta', xLabel: 'KL per example (nats)', yLabel: 'test MSE', width: 900, height: 520 }),
  }] : [];
  const conclusion: string[] = [];
  for (let i = 1; i < done.length; i++) {
    const a = done[i - 1], c = done[i];
    const mse = comparePair({ label: `β ${a.beta}`, samples: a.s.ok.map((r) => r.testMse) }, { label: `β ${c.beta}`, samples: c.s.ok.map((r) => r.testMse) });
    const kl = comparePair({ label: `β ${a.beta}`, samples: a.kl }, { label: `β ${c.beta}`, samples: c.kl });
    const klWords = kl.text.replace(' better (', ' has the lower KL (');
    conclusion.push(`From β ${a.beta} to β ${c.beta}: KL ${meanSd(a.kl).mean.toFixed(2)} → ${meanSd(c.kl).mean.toFixed(2)} nats (${klWords}), `
      + `test MSE ${formatMeanSd(a.s.testMse)} → ${formatMeanSd(c.s.testMse)} (${mse.text}).`);
  }
  if (done.length > 1) conclusion.push(compareCandidates('Reconstruction across β', done.map((r) => ({ label: `β ${r.beta}`, samples: r.s.ok.map((q) => q.testMse) }))));
  const pic = (r: (typeof rows)[number], what: string) => {
    const file = r.s.runs.find((q) => q.repeat === 0)?.pictures?.find((f) => f.endsWith(`-${what}.png`));
    return file ? `![${what} β ${r.beta}](${file})` : '–';
  };
  return {
    title: 'Generating (FAQ)',
    body: [
      `A dense VAE (hidden ${4 * b.main.hidden}, latent 8) at β ∈ {${BETAS.join(', ')}}, ${b.main.epochs} epochs: test reconstruction MSE (z = μ) and the KL of q(z|x) from N(0, I) per test example.`, '',
      '| β | test MSE | KL per example (nats) | samples (repeat 0) | latent walk between two test codes |', '|---:|---:|---:|---|---|',
      ...rows.map((r) => `| ${r.beta} | ${r.s.ok.length ? formatMeanSd(r.s.testMse) : '–'} | ${r.kl.length ? formatMeanSd(meanSd(r.kl)) : '–'} | ${pic(r, 'samples')} | ${pic(r, 'walk')} |`), '',
      ...(charts.length ? ['![recon vs KL](vae-recon-kl.png)', ''] : []),
    ],
    conclusion: conclusion.length ? conclusion : ['Fewer than two β finished; nothing to compare.'], charts,
  };
}

// `tessera study` end to end on small synthetic data (the quick budget's sizes cap at the rows the
// data has): the report's structure, shards merged giving the same numbers as one unsplit run,
// and --resume running only what is missing (the rerun result byte-identical to the lost one).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli, tempDir } from '../cli/helpers.js';
import { decodePng } from '../../src/io/png.js';
import { SECTIONS } from '../../src/cli/study/design.js';

const root = tempDir('study');
const csv = path.join(root, 'x.csv'), labels = path.join(root, 'y.csv');
// 360 rows of 12 values in [0, 1]: two classes, each a noisy copy of its own pattern.
beforeAll(() => {
  const rows: string[] = [], ys: string[] = [];
  for (let i = 0; i < 360; i++) {
    const c = i % 2;
    rows.push(Array.from({ length: 12 }, (_, j) => (((c ? j : 11 - j) / 11) * 0.8 + ((i * 7 + j * 13) % 10) / 50).toFixed(3)).join(','));
    ys.push(String(c));
  }
  fs.writeFileSync(csv, `${rows.join('\n')}\n`);
  fs.writeFileSync(labels, `${ys.join('\n')}\n`);
});
const DATA = () => ['--data', csv, '--labels', labels, '--backend', 'js', '--budget', 'quick', '--quiet'];
/** The report from its first section on: the numbers and sentences, without the header's times and commands. */
const sectionsOf = (dir: string) => { const t = fs.readFileSync(path.join(dir, 'report.md'), 'utf8'); return t.slice(t.indexOf('\n## ')); };

describe('tessera study', () => {
  test('writes a report with every section, its conclusion and its charts', async () => {
    const dir = path.join(root, 'all');
    const r = await cli(['study', ...DATA(), '--out', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    for (const line of ['- Data: ', '- Budget: quick', '- Machine: ', '- Wall time: ', '- Command: `tessera study --data ', '- Runs: ']) expect(text).toContain(line);
    expect(text).not.toContain('Partial study');
    const titles = [...text.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(titles).toEqual(['Activation (1.1)', 'Learning rate × batch size (1.2)', 'Regularisation (1.3)', 'Optimizers (1.4)', 'Dropout vs batch norm (1.5)',
      'Autoencoder vs PCA (FAQ)', 'Codes as features (FAQ)', 'Generating (FAQ)']);
    expect(titles.length).toBe(SECTIONS.length);
    // every section ends with a generated conclusion, and every chart it links exists as a PNG
    const parts = text.split(/^## /m).slice(1);
    for (const p of parts) expect(p).toMatch(/\*\*Conclusion\.\*\* \S/);
    const charts = [...text.matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g)].map((m) => m[1]);
    expect(charts).toEqual(expect.arrayContaining(['activation.png', 'lr-batch-epochs.png', 'lr-batch-updates.png', 'regularisation.png', 'optimizers.png', 'dropout-bn.png', 'ae-pca.png', 'features.png']));
    for (const c of charts) expect(decodePng(fs.readFileSync(path.join(dir, c))).width).toBeGreaterThan(100);
    // 12 values per row: not pictures, so the VAE section has no samples to link
    expect(text).toMatch(/\| 0\.5 \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| – \| – \|/);
    // the regularisation table shows the train–test gap, and its ranking uses test MSE only
    expect(text).toContain('| variant | test MSE | train MSE | gap (test − train) |');
    // a second run into the same folder without --resume is refused
    const again = await cli(['study', ...DATA(), '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--resume');
  }, 300_000);

  test('two shards merged give the same numbers and sentences as the unsplit study', async () => {
    const only = ['--only', 'dropout-bn,generating'];
    const whole = path.join(root, 'whole'), s1 = path.join(root, 's1'), s2 = path.join(root, 's2'), merged = path.join(root, 'merged');
    expect((await cli(['study', ...DATA(), ...only, '--out', whole])).code).toBe(0);
    expect((await cli(['study', ...DATA(), ...only, '--shard', '2/2', '--out', s2])).code).toBe(0);
    expect((await cli(['study', ...DATA(), ...only, '--shard', '1/2', '--out', s1])).code).toBe(0);
    const n1 = fs.readdirSync(path.join(s1, 'results')).length, n2 = fs.readdirSync(path.join(s2, 'results')).length;
    expect(n1).toBeGreaterThan(0);
    expect(Math.abs(n1 - n2)).toBeLessThanOrEqual(1);
    expect(fs.readFileSync(path.join(s1, 'report.md'), 'utf8')).toContain('Partial study');
    const m = await cli(['study', 'merge', s1, s2, '--out', merged]);
    expect(m.code).toBe(0);
    expect(sectionsOf(merged)).toBe(sectionsOf(whole));
    const report = fs.readFileSync(path.join(merged, 'report.md'), 'utf8');
    expect(report).toContain('--shard 1/2');
    expect(report).toContain('--shard 2/2');
    // another study's folder does not merge
    const other = path.join(root, 'other');
    expect((await cli(['study', ...DATA(), '--only', 'generating', '--out', other])).code).toBe(0);
    const bad = await cli(['study', 'merge', s1, other, '--out', path.join(root, 'bad')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('different study');
  }, 300_000);

  test('--resume runs only the missing runs, which come out identical', async () => {
    const dir = path.join(root, 'resume');
    const results = path.join(dir, 'results');
    // Ctrl-C once two runs have finished: they are kept, the report says the study is partial
    const controller = new AbortController();
    const timer = setInterval(() => { if (fs.existsSync(results) && fs.readdirSync(results).length >= 2) controller.abort(); }, 20);
    const stopped = await cli(['study', ...DATA(), '--only', 'dropout-bn', '--out', dir], { signal: controller.signal });
    clearInterval(timer);
    expect(stopped.code).toBe(130);
    const kept = fs.readdirSync(results).length;
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(15);
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain(`Runs: ${kept} of 15 finished. **Partial study**`);
    const resumed = await cli(['study', ...DATA().filter((a) => a !== '--quiet'), '--only', 'dropout-bn', '--resume', '--out', dir]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`15 runs, ${kept} already finished`);
    expect(resumed.stdout).toContain(`[${15 - kept}/${15 - kept}] dropout-bn: `);
    expect(resumed.stdout).not.toContain(`[${16 - kept}/`);
    const files = fs.readdirSync(results).sort();
    const lost = files[1];
    const before = fs.readFileSync(path.join(results, lost), 'utf8');
    const mtimes = new Map(files.map((f) => [f, fs.statSync(path.join(results, f)).mtimeMs]));
    fs.rmSync(path.join(results, lost));
    const reportBefore = sectionsOf(dir);
    const r = await cli(['study', ...DATA().filter((a) => a !== '--quiet'), '--only', 'dropout-bn', '--resume', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${files.length - 1} already finished`);
    expect(r.stdout).toContain(`[1/1] dropout-bn: `);
    // the lost run's seed comes from its name, so its rerun is the same run
    expect(JSON.parse(fs.readFileSync(path.join(results, lost), 'utf8'))).toEqual({ ...JSON.parse(before), seconds: expect.any(Number) });
    for (const f of files) if (f !== lost) expect(fs.statSync(path.join(results, f)).mtimeMs).toBe(mtimes.get(f));
    expect(sectionsOf(dir)).toBe(reportBefore);
    // a resume with other sections is a different study: refused
    const bad = await cli(['study', ...DATA(), '--only', 'generating', '--resume', '--out', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('different study');
  }, 300_000);
});

#!/usr/bin/env node
// docs/study.md from a study folder: the report's header (data, budget, machine, wall time,
// command) and each section's generated conclusion, nothing written by hand; the full report
// with its tables and charts is copied beside it into docs/study/.
// Usage: node scripts/study-doc.mjs <study folder> [docs folder] [note on the conditions of the run]
import * as fs from 'node:fs';
import * as path from 'node:path';

const [dir, docs = 'docs', note] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/study-doc.mjs <study folder> [docs folder]');
  process.exit(2);
}
const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
const header = report.split('\n').filter((l) => l.startsWith('- '));
const sections = report.split(/^## /m).slice(1).map((s) => {
  const lines = s.split('\n');
  const conclusion = lines.find((l) => l.startsWith('**Conclusion.**')) ?? '**Conclusion.** (none)';
  return { title: lines[0], conclusion: conclusion.replace('**Conclusion.** ', '') };
});
const out = path.join(docs, 'study');
fs.mkdirSync(path.join(out, 'pictures'), { recursive: true });
fs.copyFileSync(path.join(dir, 'report.md'), path.join(out, 'report.md'));
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.png'))) fs.copyFileSync(path.join(dir, f), path.join(out, f));
const pictures = path.join(dir, 'pictures');
if (fs.existsSync(pictures)) for (const f of fs.readdirSync(pictures).filter((f) => f.endsWith('.png'))) fs.copyFileSync(path.join(pictures, f), path.join(out, 'pictures', f));
fs.writeFileSync(path.join(docs, 'study.md'), [
  '# The seed\'s questions, measured', '',
  'What `tessera study` answers for each question of the seed document (../shared/seed/autoencoder-optimization.md), as measured on this machine. '
    + 'Everything below the header is copied from the study\'s generated report (scripts/study-doc.mjs): the sentences are generated from the numbers, '
    + 'not written by hand. The full report, with every table, chart, sample and latent walk, is [study/report.md](study/report.md).', '',
  ...header, '',
  ...(note ? [`Note on this run (by hand): ${note}`, ''] : []),
  ...sections.flatMap((s) => [`## ${s.title}`, '', s.conclusion, '']),
].join('\n'));
console.log(`wrote ${path.join(docs, 'study.md')} and ${out}/`);

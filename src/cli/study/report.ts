// A study folder's report.md and charts, from study.json (what was asked: budget, sections, data,
// the invocations with their commands and wall times) and results/ (what finished). The same
// results give the same report, however the runs were split over workers, shards or resumes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { writePng } from '../../io/png.js';
import { SIGNIFICANCE } from '../sweep-summary.js';
import { BUDGET_TABLE, SECTIONS, studyRuns, type BudgetName, type SectionId } from './design.js';
import { activationSection, dropoutSection, lrBatchSection, optimizerSection, regularisationSection, type Context, type Section } from './sections.js';
import { aePcaSection, featuresSection, generatingSection } from './sections-codes.js';
import { readResults } from './runner.js';
import type { RunResult } from './run-one.js';

export const STUDY_FILE = 'study.json';

/** One invocation of `tessera study` (or a merge) on the folder. */
export interface Session {
  command: string;
  started: string;
  seconds: number;
  runs: number;
  jobs: number;
  shard: string | null;
  machine: string;
  backend: string;
}

export interface StudyMeta {
  budget: BudgetName;
  sections: SectionId[];
  /** The data options given (tessera train's names), e.g. { data: '/abs/x.npy' }; {} for Fashion-MNIST. */
  dataValues: Record<string, string | number | boolean>;
  /** One line naming the data: file, rows, shape. */
  dataLine: string;
  baselineMse: number;
  sessions: Session[];
}

export function readMeta(dir: string): StudyMeta | null {
  const f = path.join(dir, STUDY_FILE);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as StudyMeta) : null;
}

export function writeMeta(dir: string, meta: StudyMeta): void {
  writeFileAtomic(path.join(dir, STUDY_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

const BUILDERS: Record<SectionId, (ctx: Context) => Section> = {
  activation: activationSection, 'lr-batch': lrBatchSection, regularisation: regularisationSection, optimizers: optimizerSection,
  'dropout-bn': dropoutSection, 'ae-pca': aePcaSection, features: featuresSection, generating: generatingSection,
};

/** The sections of the report, from results alone (no files written): what tests read. */
export function buildSections(meta: Pick<StudyMeta, 'budget' | 'sections' | 'baselineMse'>, results: Map<string, RunResult>): Section[] {
  const ctx: Context = { budget: BUDGET_TABLE[meta.budget], results, baselineMse: meta.baselineMse };
  return SECTIONS.filter((s) => meta.sections.includes(s)).map((s) => BUILDERS[s](ctx));
}

const seconds = (s: number) => (s >= 90 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

/** Writes report.md and the charts into `dir`; returns the report's text. */
export function writeReport(dir: string, meta: StudyMeta): string {
  const results = readResults(dir);
  const budget = BUDGET_TABLE[meta.budget];
  const expected = studyRuns(meta.sections, budget);
  const finished = expected.filter((r) => results.has(r.name)).length;
  const diverged = [...results.values()].filter((r) => r.diverged !== null);
  const sections = buildSections(meta, results);
  for (const s of sections) for (const c of s.charts) writePng(path.join(dir, c.file), c.image);
  const wall = meta.sessions.reduce((a, s) => a + s.seconds, 0);
  const last = meta.sessions[meta.sessions.length - 1];
  const text = [
    '# Study report', '',
    `- Data: ${meta.dataLine}.`,
    `- Budget: ${meta.budget} (${budget.repeats} repeats of every variant; main regime ${budget.main.trainRows} training rows, ${budget.main.epochs} epochs; `
      + `overfitting regime ${budget.overfit.trainRows} rows, hidden ${budget.overfit.hidden}, ${budget.overfit.epochs} epochs).`,
    `- Sections: ${meta.sections.join(', ')}.`,
    `- Machine: ${last?.machine ?? 'unknown'}; backend ${last?.backend ?? 'unknown'}.`,
    meta.sessions.length === 1
      ? `- Wall time: ${seconds(wall)} (${last.jobs > 1 ? `${last.jobs} worker processes at one thread each` : 'one process'}).`
      : `- Wall time: ${seconds(wall)}, the sum of ${meta.sessions.length} invocations (shards, resumes or a merge; shards run side by side take less): `
        + meta.sessions.map((s) => `${seconds(s.seconds)} for ${s.runs} runs${s.shard ? ` (shard ${s.shard})` : ''}`).join(', ') + '.',
    `- Command${meta.sessions.length > 1 ? 's' : ''}: ${meta.sessions.map((s) => `\`${s.command}\``).join('; ')}.`,
    `- Runs: ${finished} of ${expected.length} finished${diverged.length ? `, ${diverged.length} diverged (left out of the means, counted in the tables)` : ''}.`
      + (finished < expected.length ? ' **Partial study**: the missing runs show as "not run"; `--resume` continues.' : ''),
    '',
    'Every number is the mean ± sd over the repeats of a variant; each repeat is seeded by a hash of its name (variant and repeat number), so a run gives the same '
      + 'numbers however the study is split. Errors are mean squared reconstruction errors per value on the test rows, never an objective that includes a penalty. '
      + `A difference is called larger than the noise when Welch's t-test (two-sided) gives p < ${SIGNIFICANCE}; each conclusion below is generated from the numbers.`, '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', ...s.body, '**Conclusion.** ' + s.conclusion.join(' '), '']),
  ].join('\n');
  writeFileAtomic(path.join(dir, 'report.md'), text);
  return text;
}

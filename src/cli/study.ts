// `tessera study [--budget quick|standard|full] [--only …] [--jobs N] [--shard i/n] [--resume]` and
// `tessera study merge <dirs…>`: the seed's questions answered by designed experiments
// (src/cli/study/), written to a folder with report.md and its charts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '../index.js';
import type { Command } from './command.js';
import { CliError } from './command.js';
import { UsageError, defaultValues, type OptionSpec, type Values } from './options.js';
import { sizeOf } from '../shape.js';
import { BACKEND_OPTIONS, chooseBackend, describeBackend, machineLine } from './backend-choice.js';
import { DATA_OPTIONS } from './data-options.js';
import { MODEL_TRAINING_OPTIONS, resolveTrainConfig } from './train-options.js';
import { loadData, type Data } from '../train/run-data.js';
import { BUDGETS, BUDGET_TABLE, SECTIONS, shardRuns, studyRuns, type BudgetName, type SectionId } from './study/design.js';
import { readResults, runInWorkers, runSequential, RESULTS_DIR, PICTURES_DIR } from './study/runner.js';
import { readMeta, writeMeta, writeReport, type Session, type StudyMeta } from './study/report.js';

const STUDY_DATA_OPTIONS = DATA_OPTIONS.filter((o) => o.name !== 'stream');

const options: OptionSpec[] = [
  ...STUDY_DATA_OPTIONS,
  { name: 'budget', kind: 'choice', choices: BUDGETS, default: 'quick', help: 'quick: < 3 min on 2 cores (shows the method); standard: < 30 min on Fashion-MNIST; full: as long as it takes' },
  { name: 'only', kind: 'string', placeholder: 'a,b…', help: `sections to run (default all): ${SECTIONS.join(', ')}` },
  { name: 'jobs', kind: 'int', min: 1, default: 1, help: 'worker processes, one native thread each (runs are independent)' },
  { name: 'shard', kind: 'string', placeholder: 'i/n', help: 'run only the i-th of n shares of the runs (then `tessera study merge`)' },
  { name: 'resume', kind: 'flag', help: 'continue the study in --out: skip every run that has a result' },
  { name: 'out', kind: 'string', placeholder: 'dir', default: 'study', help: 'study folder (report.md, charts, results/)' },
  { name: 'worker-runs', kind: 'string', placeholder: 'file', help: 'internal (--jobs): run the runs named in this JSON file, write no report' },
  ...BACKEND_OPTIONS,
  { name: 'quiet', kind: 'flag', help: 'no progress output' },
];

function parseSections(raw: unknown): SectionId[] {
  if (typeof raw !== 'string') return [...SECTIONS];
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (bad.length) throw new UsageError(`tessera study: --only: unknown section ${bad.map((b) => `'${b}'`).join(', ')} (sections: ${SECTIONS.join(', ')})`);
  return SECTIONS.filter((s) => names.includes(s));
}

function parseShard(raw: unknown): { index: number; count: number } | null {
  if (typeof raw !== 'string') return null;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`tessera study: --shard expects i/n with 1 ≤ i ≤ n (e.g. 2/4), got '${raw}'`);
  return { index, count };
}

/** The command line that reproduces this invocation (the options given, in the table's order). */
function commandLine(v: Values, given: Set<string>): string {
  const parts = ['tessera', 'study'];
  for (const o of options) {
    if (!given.has(o.name) || o.name === 'worker-runs') continue;
    parts.push(o.kind === 'flag' ? `--${o.name}` : `--${o.name} ${String(v[o.name])}`);
  }
  return parts.join(' ');
}

/** The given data options, as tessera train's values (a run's TrainConfig starts from them). */
function dataValuesOf(v: Values, given: Set<string>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const o of STUDY_DATA_OPTIONS) {
    const x = v[o.name];
    if (x === undefined || Array.isArray(x) || (!given.has(o.name) && o.default === undefined)) continue;
    out[o.name] = (o.name === 'data' || o.name.endsWith('labels') || o.name === 'test-data') && typeof x === 'string' ? path.resolve(x) : x;
  }
  return out;
}

function loadStudyData(budgetName: BudgetName, dataValues: Values): Data {
  const b = BUDGET_TABLE[budgetName];
  const v = { ...defaultValues(MODEL_TRAINING_OPTIONS), ...dataValues };
  return loadData('study', resolveTrainConfig('study', v), Math.max(b.main.trainRows, b.overfit.trainRows));
}

/** MSE on the test rows of predicting the mean of the main regime's training rows. */
function meanRowMse(data: Data, trainRows: number): number {
  const d = sizeOf(data.featureShape);
  const n = Math.min(trainRows, data.train.n);
  const tr = data.train.images, te = data.test.images;
  const m = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m[j] += tr[i * d + j] / n;
  let s = 0;
  for (let i = 0; i < data.test.n; i++) for (let j = 0; j < d; j++) s += (te[i * d + j] - m[j]) ** 2;
  return s / (data.test.n * d);
}

const sameDesign = (a: StudyMeta, b: Pick<StudyMeta, 'budget' | 'sections' | 'dataValues'>) =>
  a.budget === b.budget && JSON.stringify(a.sections) === JSON.stringify(b.sections) && JSON.stringify(a.dataValues) === JSON.stringify(b.dataValues);

async function merge(dirs: string[], v: Values, say: (s: string) => void): Promise<number> {
  if (dirs.length === 0) throw new UsageError('tessera study merge: name the study folders to merge (e.g. tessera study merge shard1 shard2 --out study)');
  const metas = dirs.map((d) => {
    const m = readMeta(d);
    if (m === null) throw new CliError(`tessera study merge: '${d}' is not a study folder (no study.json)`);
    return m;
  });
  const bad = metas.findIndex((m) => !sameDesign(m, metas[0]));
  if (bad >= 0) throw new CliError(`tessera study merge: '${dirs[bad]}' is a different study from '${dirs[0]}' (budget, sections or data differ); only shards of one study merge`);
  const out = v.out as string;
  fs.mkdirSync(path.join(out, RESULTS_DIR), { recursive: true });
  fs.mkdirSync(path.join(out, PICTURES_DIR), { recursive: true });
  const into = path.resolve(out);
  for (const d of dirs) {
    if (path.resolve(d) === into) continue;
    for (const sub of [RESULTS_DIR, PICTURES_DIR]) {
      const from = path.join(d, sub);
      if (!fs.existsSync(from)) continue;
      for (const f of fs.readdirSync(from).filter((f) => !f.startsWith('.'))) fs.copyFileSync(path.join(from, f), path.join(out, sub, f));
    }
  }
  // every invocation once, whether or not the folder merged into is one of the inputs
  const own = readMeta(out);
  const all = [...(own && sameDesign(own, metas[0]) ? own.sessions : []), ...metas.flatMap((m) => m.sessions)];
  const sessions = all.filter((s, i) => all.findIndex((t) => t.started === s.started && t.command === s.command) === i);
  const meta: StudyMeta = { ...metas[0], sessions };
  writeMeta(out, meta);
  writeReport(out, meta);
  say(`merged ${dirs.length} folders (${readResults(out).size} results) into ${out}; wrote report.md`);
  return 0;
}

export const studyCommand: Command = {
  name: 'study',
  summary: "answer the seed's questions (activation, lr × batch, regularisation, optimizers, …) with designed experiments",
  usage: '[options] | merge <dirs…> [--out dir]',
  description: 'Runs one designed experiment per question of the seed document (activation, learning rate × batch size,\n'
    + 'regularisation, optimizers, dropout vs batch norm, autoencoder vs PCA, codes as features, generating with a VAE),\n'
    + 'every variant repeated over seeds, and writes <out>/report.md with charts: mean ± sd tables and conclusions\n'
    + "generated from the numbers (Welch's t-test). Each finished run is kept in <out>/results/, so Ctrl-C loses only the\n"
    + 'runs in progress and --resume continues. --jobs N runs N worker processes; --shard i/n runs a share of the runs\n'
    + "and 'tessera study merge <dirs…>' writes the one report from the shards' folders.",
  options,
  positionals: { min: 0, max: 1000, names: '[merge <dirs…>]' },
  notes: 'Examples:\n  tessera study --budget quick\n  tessera study --budget standard --jobs 2 --out study-fmnist\n'
    + '  tessera study --data my.npy --labels y.npy --only activation,optimizers\n'
    + '  tessera study --budget full --shard 1/2 --out s1   (and --shard 2/2 --out s2 elsewhere), then tessera study merge s1 s2 --out study',
  async run(args, io) {
    const v = args.values;
    const quiet = v.quiet === true;
    const say = (line: string) => { if (!quiet) io.stdout.write(`${line}\n`); };
    if (args.positionals.length > 0) {
      if (args.positionals[0] !== 'merge') throw new UsageError(`tessera study: unexpected argument '${args.positionals[0]}' (did you mean 'tessera study merge <dirs…>'?)`);
      return merge(args.positionals.slice(1), v, say);
    }
    const t0 = performance.now();
    const budgetName = v.budget as BudgetName;
    const budget = BUDGET_TABLE[budgetName];
    const sections = parseSections(v.only);
    const shard = parseShard(v.shard);
    const dir = v.out as string;
    const dataValues = dataValuesOf(v, args.given);
    const workerFile = typeof v['worker-runs'] === 'string' ? v['worker-runs'] : null;
    const existing = readMeta(dir);
    if (existing && workerFile === null) {
      if (!v.resume && readResults(dir).size > 0) throw new UsageError(`tessera study: '${dir}' already holds a study; give --resume to continue it, or another --out`);
      if (v.resume && !sameDesign(existing, { budget: budgetName, sections, dataValues })) {
        throw new UsageError(`tessera study: --resume: '${dir}' holds a different study (budget ${existing.budget}, sections ${existing.sections.join(',')}); give the same --budget, --only and data options`);
      }
    }
    const backend = await chooseBackend('study', v.backend as BackendName | undefined, v.threads as number | undefined, (m) => io.stderr.write(m));
    let data: Data | null = null;
    const getData = () => (data ??= loadStudyData(budgetName, dataValues));
    let runs = studyRuns(sections, budget);
    if (workerFile !== null) {
      // in the file's order: the parent deals the heaviest runs first
      const byName = new Map(studyRuns([...SECTIONS], budget).map((r) => [r.name, r]));
      runs = (JSON.parse(fs.readFileSync(workerFile, 'utf8')) as string[]).map((n) => byName.get(n)).filter((r) => r !== undefined);
    } else if (shard) runs = shardRuns(runs, shard);
    const done = readResults(dir);
    const pending = runs.filter((r) => !done.has(r.name));
    fs.mkdirSync(dir, { recursive: true });
    const runner = { dir, budget, sections, dataValues, data: getData, signal: io.signal, say };
    if (workerFile !== null) return (await runSequential(pending, runner)) ? 0 : 130;

    const d = getData();
    const meta: StudyMeta = existing ?? {
      budget: budgetName, sections, dataValues,
      dataLine: `${typeof dataValues.data === 'string' ? dataValues.data : 'Fashion-MNIST (bundled)'}: rows of [${d.featureShape.join(', ')}], `
        + `the first ${Math.min(budget.main.trainRows, d.train.n)} training rows (main regime) and ${d.test.n} test rows${d.train.labels && d.test.labels ? ', with labels' : ', no labels'}`,
      baselineMse: meanRowMse(d, budget.main.trainRows), sessions: [],
    };
    const jobs = Math.min(v.jobs as number, Math.max(1, pending.length));
    say(`study (${budgetName}): ${runs.length} runs${shard ? ` (shard ${shard.index}/${shard.count})` : ''}, ${runs.length - pending.length} already finished, `
      + `${jobs > 1 ? `${jobs} worker processes` : `backend ${describeBackend(backend)}`}; folder ${dir}`);
    writeMeta(dir, meta);
    let finished: boolean;
    if (jobs > 1) {
      const workerArgs = ['--budget', budgetName, '--out', dir, '--quiet', ...(v.only ? ['--only', String(v.only)] : []), ...(v.backend ? ['--backend', String(v.backend)] : []),
        ...Object.entries(dataValues).flatMap(([k, x]) => (typeof x === 'boolean' ? (x ? [`--${k}`] : []) : [`--${k}=${x}`]))];
      finished = await runInWorkers(pending, jobs, workerArgs, { ...runner, stderr: io.stderr });
    } else {
      finished = await runSequential(pending, runner);
    }
    const session: Session = {
      command: commandLine(v, args.given), started: new Date(Date.now() - (performance.now() - t0)).toISOString(), seconds: (performance.now() - t0) / 1000,
      runs: readResults(dir).size - done.size, jobs, shard: shard ? `${shard.index}/${shard.count}` : null, machine: machineLine(),
      backend: jobs > 1 ? `${backend.name} (1 thread per worker)` : describeBackend(backend),
    };
    // a resume that found nothing to run measured nothing: it only rewrites the report
    if (pending.length > 0 || meta.sessions.length === 0) meta.sessions.push(session);
    writeMeta(dir, meta);
    const report = writeReport(dir, meta);
    if (!quiet) io.stdout.write(`${report.split('\n').filter((l) => l.startsWith('**Conclusion.**') || l.startsWith('## ')).join('\n')}\n`);
    say(`${finished ? 'finished' : 'interrupted: finished runs kept (--resume continues)'}; wrote ${path.join(dir, 'report.md')}`);
    return finished ? 0 : 130;
  },
};

// Sums up a native thread-pool trace (native/pool_trace.h) by job kind: how many jobs, their
// tasks, how long a job took, how long its caller waited for a worker after running out of tasks,
// how soon a worker claimed its first task, and how often the worker was asleep when the job
// was published or took no task at all. Run a workload with the trace on, then this:
//
//   TESSERA_POOL_TRACE=/tmp/pool.tsv TESSERA_THREADS=2 node dist/bench/tessera/w1-child.js --workload W1 --backend native --epochs 2 --seed 0
//   node bench/pool-trace.mjs /tmp/pool.tsv [build/Release/tessera.node] [--slices N] [--per-step]
//
// Then the time the calling thread ran alone between jobs, the jobs that ran more than 150 µs over
// their kind's median (a thread kept off its core, or a slow path such as Adam's subnormal momenta),
// and with --slices N each kind's median job time in N equal stretches of the trace (a kind that
// slows down as training goes on: bench/RESULTS.md, "Subnormal moments"), with the time between
// jobs, the caller's waits and the worker's sleeps per stretch; with --per-step each kind's job
// time per training step, the step's GEMM jobs by their order in it (bench/RESULTS.md, "Weight
// gradients in two halves of the batch"); with --positions, the steps of the most common sequence of
// jobs (the last 300), each job in order with the medians of its time and of the time before it, when
// the caller ran alone (bench/RESULTS.md, "The next batch gathered while a step runs"). A step ends
// with its optimizer's update (adamSteps): fit reads the batches in the background, out of the trace.
//
// Jobs are named by the task function that `nm` finds at their offset in the addon (a kernel's
// lambda carries its enclosing function's name: gemmBatched's runBlock, reduce, adamSteps, ...).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const si = args.indexOf('--slices');
const slices = si >= 0 ? Number(args.splice(si, 2)[1]) : 0;
const pi = args.indexOf('--per-step');
const perStep = pi >= 0 && args.splice(pi, 1).length > 0;
const qi = args.indexOf('--positions');
const positions = qi >= 0 && args.splice(qi, 1).length > 0;
const [tracePath, addon = 'build/Release/tessera.node'] = args;
if (!tracePath || !(Number.isInteger(slices) && slices >= 0)) throw new Error('usage: node bench/pool-trace.mjs TRACE.tsv [addon.node] [--slices N] [--per-step] [--positions]');
const symbols = execFileSync('nm', ['-C', '--defined-only', addon], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n')
  .map((l) => /^([0-9a-f]+) [tTwW] (.*)$/.exec(l)).filter((m) => m !== null).map((m) => [parseInt(m[1], 16), m[2]])
  .sort((a, b) => a[0] - b[0]);
const KINDS = ['runBlock', 'packBlock', 'sumLongRow', 'adamSteps', 'activationGrad', 'binary', 'reduce', 'unary', 'gatherBytes', 'softmax', 'copy', 'where', 'conv', 'Pool', 'im2col', 'col2im', 'random', 'sgd', 'latent'];
function kind(offset) {
  let lo = 0, hi = symbols.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (symbols[mid][0] <= offset) lo = mid; else hi = mid - 1; }
  const name = symbols[lo]?.[1] ?? '?';
  return KINDS.find((k) => name.includes(k)) ?? name.slice(0, 50);
}
const { percentile } = await import(new URL('../dist/bench/harness/stats.js', import.meta.url).href);
const quantile = (xs, p) => (xs.length ? percentile(xs, 100 * p) : NaN);
const jobs = readFileSync(tracePath, 'utf8').trim().split('\n').map((line) => {
  const [offset, tasks, workerTasks, publish, callerDone, workerFirst, end, sleepers] = line.split('\t');
  return { kind: kind(parseInt(offset, 16)), tasks: +tasks, workerTasks: +workerTasks, publish: +publish, callerDone: +callerDone, workerFirst: +workerFirst, end: +end, sleepers: +sleepers };
});
const groups = new Map();
for (const j of jobs) {
  const key = `${j.kind}${j.sleepers < 0 ? ' (serial)' : ''}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(j);
}
const us = (ns) => (ns / 1000).toFixed(1);
process.stdout.write(`${jobs.length} jobs. Times in µs: median / 90th percentile.\n`);
process.stdout.write('job                      jobs  tasks   job time       caller waits   worker starts   worker asleep  worker took none\n');
let total = 0, waited = 0, asleep = 0, none = 0, parallel = 0;
for (const [name, js] of [...groups].sort((a, b) => b[1].reduce((s, j) => s + j.end - j.publish, 0) - a[1].reduce((s, j) => s + j.end - j.publish, 0))) {
  const span = js.map((j) => j.end - j.publish), wait = js.map((j) => j.end - j.callerDone);
  const starts = js.filter((j) => j.workerFirst > 0).map((j) => j.workerFirst - j.publish);
  const par = js.filter((j) => j.sleepers >= 0);
  const pct = (n) => (par.length ? `${(100 * n / par.length).toFixed(0)}%` : '—');
  const nAsleep = par.filter((j) => j.sleepers > 0).length, nNone = par.filter((j) => j.workerTasks === 0).length;
  total += span.reduce((a, b) => a + b, 0); waited += wait.reduce((a, b) => a + b, 0);
  asleep += nAsleep; none += nNone; parallel += par.length;
  process.stdout.write(`${name.padEnd(22)} ${String(js.length).padStart(6)} ${String(quantile(js.map((j) => j.tasks), 0.5)).padStart(6)}  ${`${us(quantile(span, 0.5))} / ${us(quantile(span, 0.9))}`.padStart(13)}  ${`${us(quantile(wait, 0.5))} / ${us(quantile(wait, 0.9))}`.padStart(13)}  ${starts.length ? `${us(quantile(starts, 0.5))} / ${us(quantile(starts, 0.9))}`.padStart(14) : '—'.padStart(14)}  ${pct(nAsleep).padStart(13)}  ${pct(nNone).padStart(16)}\n`);
}
const asleepJobs = jobs.filter((j) => j.sleepers > 0), awakeJobs = jobs.filter((j) => j.sleepers === 0);
const startOf = (js) => js.filter((j) => j.workerFirst > 0).map((j) => j.workerFirst - j.publish);
process.stdout.write(`all jobs: ${(total / 1e6).toFixed(1)} ms, of which the caller waited for a worker ${(waited / 1e6).toFixed(1)} ms; worker asleep at ${asleep} of ${parallel} parallel jobs, took no task in ${none}\n`);
process.stdout.write(`worker's first claim after publishing: ${us(quantile(startOf(awakeJobs), 0.5))} µs median when it was spinning, ${us(quantile(startOf(asleepJobs), 0.5))} µs when asleep (it took no task in ${asleepJobs.filter((j) => j.workerTasks === 0).length} of those ${asleepJobs.length} jobs)\n`);
const first = jobs[0].publish, last = jobs.at(-1).end;
let between = 0, late = 0, lateTime = 0;
for (let i = 1; i < jobs.length; i++) between += jobs[i].publish - jobs[i - 1].end;
for (const js of groups.values()) {
  const median = quantile(js.map((j) => j.end - j.publish), 0.5);
  for (const j of js) if (j.end - j.publish > median + 150_000) { late++; lateTime += j.end - j.publish - median; }
}
process.stdout.write(`between jobs (the calling thread alone): ${(between / 1e6).toFixed(0)} ms of the trace's ${((last - first) / 1e6).toFixed(0)}; ${late} jobs ran more than 150 µs over their kind's median, ${(lateTime / 1e6).toFixed(0)} ms over it\n`);
if (slices > 0) {
  process.stdout.write(`median job time (µs) in ${slices} equal stretches of the trace:\n`);
  for (const [name, js] of groups) {
    const cells = Array.from({ length: slices }, (_, k) => {
      const from = first + ((last - first) * k) / slices, to = first + ((last - first) * (k + 1)) / slices;
      const span = js.filter((j) => j.publish >= from && j.publish < to).map((j) => j.end - j.publish);
      return span.length ? us(quantile(span, 0.5)) : '—';
    });
    process.stdout.write(`${name.padEnd(22)} ${cells.map((c) => c.padStart(7)).join(' ')}\n`);
  }
  // Per stretch: the calling thread alone between jobs (gaps over 2 ms, an epoch's end, left out),
  // the caller's wait for a worker, and the jobs published while the worker slept.
  const stretch = Array.from({ length: slices }, () => ({ between: 0, wait: 0, asleep: 0 }));
  jobs.forEach((j, i) => {
    const r = stretch[Math.min(slices - 1, Math.floor(((j.publish - first) / (last - first)) * slices))];
    const gap = i > 0 ? j.publish - jobs[i - 1].end : 0;
    if (gap < 2e6) r.between += gap;
    r.wait += j.end - j.callerDone;
    if (j.sleepers > 0) r.asleep++;
  });
  const row = (label, f) => process.stdout.write(`${label.padEnd(22)} ${stretch.map((r) => f(r).padStart(7)).join(' ')}\n`);
  row('between jobs (ms)', (r) => (r.between / 1e6).toFixed(1));
  row('caller waits (ms)', (r) => (r.wait / 1e6).toFixed(1));
  row('worker asleep (jobs)', (r) => String(r.asleep));
}
// The trace's training steps: each ends with its update (adamSteps); jobs after the last one are left out.
function trainingSteps() {
  const steps = [];
  let step = [];
  jobs.forEach((j, i) => {
    step.push({ ...j, gap: i > 0 ? j.publish - jobs[i - 1].end : 0 });
    if (j.kind === 'adamSteps') { steps.push(step); step = []; }
  });
  return steps;
}
if (perStep) {
  // A step's GEMM jobs (runBlock) are numbered in order.
  const perKind = new Map(), steps = trainingSteps();
  for (const step of steps) {
    let gemm = 0;
    for (const j of step) {
      const key = j.kind === 'runBlock' ? `runBlock #${gemm++}` : j.kind;
      perKind.set(key, (perKind.get(key) ?? 0) + j.end - j.publish);
    }
  }
  process.stdout.write(`job time per step (µs; ${steps.length} steps, each up to its update, test batches included):\n`);
  for (const [key, ns] of [...perKind].sort((a, b) => b[1] - a[1])) process.stdout.write(`${key.padEnd(22)} ${us(ns / steps.length).padStart(7)}\n`);
}
if (positions) {
  const shape = (step) => step.map((j) => j.kind).join();
  const steps = trainingSteps(), count = new Map();
  for (const step of steps) count.set(shape(step), (count.get(shape(step)) ?? 0) + 1);
  const common = [...count].sort((a, b) => b[1] - a[1])[0][0];
  const chosen = steps.filter((step) => shape(step) === common).slice(-300);
  process.stdout.write(`the last ${chosen.length} steps of the most common sequence of jobs (${count.get(common)} of ${steps.length} steps); µs, medians:\n`);
  let gaps = 0, times = 0;
  chosen[0].forEach((j, i) => {
    const gap = quantile(chosen.map((step) => step[i].gap), 0.5), time = quantile(chosen.map((step) => step[i].end - step[i].publish), 0.5);
    gaps += gap; times += time;
    process.stdout.write(`${String(i).padStart(3)}  caller alone before it ${us(gap).padStart(7)}  job ${us(time).padStart(7)}  ${j.kind}\n`);
  });
  process.stdout.write(`sums: caller alone ${us(gaps)}, jobs ${us(times)}, step ${us(gaps + times)}\n`);
}

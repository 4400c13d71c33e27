// Who took the JavaScript thread's core during a two-thread run, from the kernel's scheduler
// trace: how often the main thread was preempted (switched out while still runnable) and by whom
// (the pool's worker, the process's other threads: V8's compiler and GC helpers, or another
// process), how often the other core sat idle at that moment, and how long the main thread then
// waited to run again. Needs `perf` with the sched tracepoints (root, or perf_event_paranoid ≤ 1):
//
//   TESSERA_THREADS=2 perf sched record -o /tmp/sched.data -- node --expose-gc dist/bench/tessera/w1-child.js --workload W1 --backend native --epochs 3 --seed 0
//   perf script -i /tmp/sched.data -F pid,tid,cpu,time,event,trace | grep sched_switch > /tmp/switches.txt
//   node bench/sched-preemptions.mjs /tmp/switches.txt
//
// The main thread is the process's busiest thread, the worker the second busiest (the tracer's
// own process aside); the window is the worker's first to last time on a core (the pool starts
// when the addon loads, so the window holds the data load and the epochs' test passes too).
// bench/RESULTS.md, branch w1two, says what the counts showed.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const SWITCH = /^\s*(\d+)\/\d+\s+\[(\d+)\]\s+([\d.]+):.*prev_comm=(.+?) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.+?) next_pid=(\d+)/;

/** Seconds on a core per thread id over `events`, counting only threads named `comm` (and only runs that
 * begin inside `events`: a thread already on a core at the first event is not counted until it leaves and returns). */
function runTimes(events, comm) {
  const since = new Map(), run = new Map();
  for (const e of events) {
    if (since.has(e.prev) && e.prevComm === comm) run.set(e.prev, (run.get(e.prev) ?? 0) + e.t - since.get(e.prev));
    since.delete(e.prev);
    since.set(e.next, e.t);
  }
  return run;
}

/**
 * The counts from the text of `perf script -F pid,tid,cpu,time,event,trace` over sched:sched_switch
 * events; times in seconds. `comm` names the process's threads (node's are all "node").
 */
export function mainThreadPreemptions(text, comm = 'node') {
  const events = [];
  for (const line of text.split('\n')) {
    const m = SWITCH.exec(line);
    if (m) events.push({ process: +m[1], cpu: +m[2], t: +m[3], prevComm: m[4], prev: +m[5], prevState: m[6], next: +m[8] });
  }
  if (events.length === 0) throw new Error('bench/sched-preemptions.mjs: no sched_switch lines (perf script -F pid,tid,cpu,time,event,trace)');
  const busiest = [...runTimes(events, comm)].sort((a, b) => b[1] - a[1]);
  if (busiest.length < 2) throw new Error(`bench/sched-preemptions.mjs: expected two threads named ${comm} on a core, found ${busiest.length}`);
  const [[main], [worker]] = busiest;
  const onCore = events.filter((e) => e.next === worker).map((e) => e.t);
  const window = events.filter((e) => e.t >= onCore[0] && e.t <= onCore[onCore.length - 1]);
  const run = runTimes(window, comm);
  // A switch's process id is the outgoing thread's: every thread that ever left a core is known.
  const processOf = new Map(events.map((e) => [e.prev, e.process]));
  const ownThread = (tid) => processOf.get(tid) === processOf.get(main);
  const running = new Map(), by = { worker: 0, ownThreads: 0, otherProcesses: 0 };
  let otherCoreIdle = 0, waitSeconds = 0, preemptedAt = null;
  for (const e of window) {
    if (e.prev === main && e.prevState.startsWith('R')) {
      by[e.next === worker ? 'worker' : ownThread(e.next) ? 'ownThreads' : 'otherProcesses']++;
      if ([...running].some(([cpu, tid]) => cpu !== e.cpu && tid === 0)) otherCoreIdle++;
      preemptedAt = e.t;
    }
    if (e.next === main && preemptedAt !== null) { waitSeconds += e.t - preemptedAt; preemptedAt = null; }
    running.set(e.cpu, e.next);
  }
  const ownOthers = [...run].filter(([tid]) => ownThread(tid) && tid !== worker && tid !== main).reduce((a, [, s]) => a + s, 0);
  return {
    main, worker, windowSeconds: window[window.length - 1].t - window[0].t,
    mainSeconds: run.get(main) ?? 0, workerSeconds: run.get(worker) ?? 0, ownOthersSeconds: ownOthers,
    preemptions: by.worker + by.ownThreads + by.otherProcesses, by, otherCoreIdle, waitSeconds,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = process.argv[2];
  if (!path) throw new Error('usage: node bench/sched-preemptions.mjs SWITCHES.txt (perf script output of sched:sched_switch)');
  const r = mainThreadPreemptions(readFileSync(path, 'utf8'));
  const ms = (s) => (s * 1e3).toFixed(0);
  console.log(`window ${ms(r.windowSeconds)} ms: main thread ${r.main} on a core ${ms(r.mainSeconds)} ms, worker ${r.worker} ${ms(r.workerSeconds)} ms, the process's other threads ${ms(r.ownOthersSeconds)} ms`);
  console.log(`main thread preempted ${r.preemptions} times: by the worker ${r.by.worker}, by its process's other threads ${r.by.ownThreads}, by other processes ${r.by.otherProcesses}; the other core idle at ${r.otherCoreIdle} of them; ${ms(r.waitSeconds)} ms waiting to run again`);
}

// bench/sched-preemptions.mjs on a hand-made scheduler trace whose counts are worked out below:
// process 100 has its main thread (100), a V8 helper (101) and the pool's worker (102); process
// 200 (cc1plus) is someone else's. Run as the script is run, in a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tessera-sched-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = join(import.meta.dirname, '..', '..', 'bench', 'sched-preemptions.mjs');

/** One line of `perf script -F pid,tid,cpu,time,event,trace` for a switch on `cpu` at `t` seconds. */
function sw(t: number, cpu: number, process: number, prev: [string, number, string], next: [string, number]): string {
  const [prevComm, prevPid, prevState] = prev;
  return `${String(process).padStart(6)}/${prevPid} [00${cpu}] ${t.toFixed(6)}:       sched:sched_switch: prev_comm=${prevComm} prev_pid=${prevPid} prev_prio=120 prev_state=${prevState} ==> next_comm=${next[0]} next_pid=${next[1]} next_prio=120`;
}

function run(lines: string[]): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, `switches-${lines.length}.txt`);
  writeFileSync(file, lines.join('\n') + '\n');
  return spawnSync(process.execPath, [script, file], { encoding: 'utf8' });
}

describe('bench/sched-preemptions.mjs', () => {
  it('counts who preempted the main thread, whether the other core was idle, and the wait', () => {
    const r = run([
      sw(1.000, 0, 0, ['swapper/0', 0, 'R'], ['node', 100]),
      sw(1.000, 1, 0, ['swapper/1', 0, 'R'], ['node', 102]), // the window opens: the worker's first time on a core
      sw(1.010, 1, 100, ['node', 102, 'S'], ['swapper/1', 0]),
      sw(1.020, 0, 100, ['node', 100, 'R'], ['node', 102]), // 1: by the worker, core 1 idle
      sw(1.021, 0, 100, ['node', 102, 'S'], ['node', 100]), //    waited 1 ms
      sw(1.030, 1, 0, ['swapper/1', 0, 'R'], ['node', 101]),
      sw(1.031, 0, 100, ['node', 100, 'R'], ['cc1plus', 200]), // 2: by another process, core 1 busy (101)
      sw(1.033, 0, 200, ['cc1plus', 200, 'S'], ['node', 100]), //    waited 2 ms
      sw(1.035, 1, 100, ['node', 101, 'S'], ['swapper/1', 0]),
      sw(1.040, 0, 100, ['node', 100, 'R+'], ['node', 101]), // 3: by its own V8 thread, core 1 idle
      sw(1.044, 0, 100, ['node', 101, 'S'], ['node', 100]), //    waited 4 ms
      sw(1.050, 1, 0, ['swapper/1', 0, 'R'], ['node', 102]), // the window closes: the worker's last time on a core
      sw(1.060, 1, 100, ['node', 102, 'S'], ['swapper/1', 0]),
      sw(1.070, 0, 100, ['node', 100, 'S'], ['swapper/0', 0]),
    ]);
    expect(r.status, r.stderr).toBe(0);
    // In the window [1.000, 1.050]: main 20 + 10 + 7 ms, the worker 10 + 1 ms, thread 101 5 + 4 ms.
    expect(r.stdout).toContain('window 50 ms: main thread 100 on a core 37 ms, worker 102 11 ms, the process\'s other threads 9 ms');
    expect(r.stdout).toContain('main thread preempted 3 times: by the worker 1, by its process\'s other threads 1, by other processes 1; the other core idle at 2 of them; 7 ms waiting to run again');
  });

  it('says what it expected when the file holds no switches', () => {
    const r = run(['not a trace']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no sched_switch lines');
  });
});

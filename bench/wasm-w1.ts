// W1 on the wasm backend beside jax-js's Wasm backend (issue 18's target: tessera ≥ 1.3× jax-js),
// one thread each, in alternating rounds of child processes: tessera's W1 child
// (bench/tessera/w1-child.ts, TESSERA_BACKEND=wasm) and bench/peers/jaxjs_w1.mjs, the same model,
// loss, optimizer, batch and data. Each run's seconds per epoch leave out its first epoch (wasm
// tiering up, jax-js compiling its jit kernels) when there are two or more; the test MSE after the
// last epoch is printed beside the times. On a machine loaded by others the children's CPU
// seconds (/proc: user + system, the whole run) are printed too.
//
//   bash bench/setup-peers.sh --no-apt      # jax-js into bench/.peers (never a dependency)
//   node dist/bench/wasm-w1.js [--rounds 3] [--epochs 2] [--limit ROWS]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineLine } from '../src/util/machine.js';
import { peersDir } from './harness/paths.js';
import { runPeerScript, type PeerResult } from './harness/peers.js';
import { summarize } from './harness/stats.js';
import { runW1Child } from './tessera/w1.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('rounds', 3), epochs = arg('epochs', 2), limit = arg('limit', 0), seed = 0;
const timeoutMs = 3_600_000;

/** CPU seconds (user + system) of this process's finished children: /proc/self/stat's cutime and cstime. */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;   // fields 16 and 17 of proc(5), in clock ticks (100 Hz)
}

interface Run { secondsPerEpoch: number; cpuSeconds: number; testMse: number }
interface Contender { name: string; run: () => Promise<PeerResult> }
const jaxScript = join(peersDir(), 'jaxjs_w1.mjs');
const contenders: Contender[] = [
  { name: 'tessera wasm', run: () => runW1Child('wasm', 1, epochs, seed, limit, timeoutMs) },
  {
    name: 'jax-js wasm',
    run: () => runPeerScript({
      name: 'jax-js', command: process.execPath, script: jaxScript, timeoutMs,
      args: [jaxScript, '--epochs', String(epochs), '--seed', String(seed), ...(limit ? ['--limit', String(limit)] : [])],
    }),
  },
];

const runs = new Map<string, Run[]>(contenders.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  // Alternate who goes first, so neither always runs in the same stretch of others' load.
  for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) {
    const cpu = childCpuSeconds();
    const result = await c.run();
    if (result.status !== 'ok') throw new Error(`bench/wasm-w1.ts: ${c.name} ${result.status}: ${result.reason ?? ''}\n${result.stderrTail}`);
    const out = result.results as { epoch_seconds: number[]; test_loss: number[] };
    const timed = out.epoch_seconds.length > 1 ? out.epoch_seconds.slice(1) : out.epoch_seconds;
    const run = { secondsPerEpoch: summarize(timed).median, cpuSeconds: childCpuSeconds() - cpu, testMse: out.test_loss[out.test_loss.length - 1]! };
    runs.get(c.name)!.push(run);
    console.log(`  round ${r + 1} ${c.name.padEnd(13)} ${run.secondsPerEpoch.toFixed(3)} s/epoch, ${run.cpuSeconds.toFixed(1)} CPU s, test MSE ${run.testMse.toFixed(5)}`);
  }
}

const fmt = (v: number[], digits = 3): string => { const s = summarize(v); return `${s.median.toFixed(digits)} (spread ${s.spread.toFixed(2)})`; };
console.log(`machine: ${machineLine()}; W1, one thread each, ${epochs} epochs${limit ? ` of ${limit} rows` : ''} per run, ${rounds} alternating rounds (median, spread = (max − min) / median)`);
for (const [name, v] of runs) {
  console.log(`  ${name.padEnd(13)} s/epoch ${fmt(v.map((x) => x.secondsPerEpoch))}, CPU s per run ${fmt(v.map((x) => x.cpuSeconds), 1)}, test MSE ${fmt(v.map((x) => x.testMse), 5)}`);
}
const t = runs.get('tessera wasm')!, j = runs.get('jax-js wasm')!;
console.log(`  speed-up, tessera wasm over jax-js wasm (per round): ${fmt(j.map((x, i) => x.secondsPerEpoch / t[i]!.secondsPerEpoch), 2)} per epoch, ${fmt(j.map((x, i) => x.cpuSeconds / t[i]!.cpuSeconds), 2)} CPU s per run`);
process.exit(0);

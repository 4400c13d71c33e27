// The native random kernel per element, in CPU time (this process, one thread), for a W4 batch
// (256 × 784 = 200,704 elements): the normal draw, the fused gaussianNoise (x + 0.3·z clipped to
// [0, 1]) and the uniform draw (the Philox words alone, almost). CPU time, not wall time, so that
// other processes on a loaded machine do not count. Each kind is checked equal to the js
// reference before it is timed. --against PATH also times another build of the addon (an older
// tessera.node) on the kinds it has, alternating with this one.
//
//   npx tsc -p tsconfig.build.json && TESSERA_THREADS=1 node dist/bench/random-draw.js [--rounds 5] [--against /path/to/tessera.node]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { randomFill } from '../src/backend/philox.js';
import { RANDOM_CODES, type RandomKind } from '../src/backend/opcodes.js';
import { loadNativeBackend } from '../src/backend/native/index.js';

const N = 256 * 784;
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, against: { type: 'string' } } });
const loaded = loadNativeBackend();
if (loaded.backend === null) throw new Error(`random-draw: ${loaded.reason}`);
const native = loaded.backend;
const x = Float32Array.from({ length: N }, (_, i) => (i % 3) / 2);
const params = { mean: 0, std: 0.3, low: 0, high: 1 };
const kinds: RandomKind[] = ['normal', 'gaussianNoise', 'uniform'];

for (const kind of kinds) {
  const want = new Float32Array(N), got = new Float32Array(N);
  randomFill(kind, want, N, [1, 2], 5, params, x);
  native.random!(kind, got, N, [1, 2], 5, params, x);
  if (!Buffer.from(got.buffer).equals(Buffer.from(want.buffer))) throw new Error(`random-draw: native ${kind} differs from the js reference`);
}

type Draw = (kind: RandomKind, out: Float32Array, counter: number) => void;
const ours: Draw = (kind, out, counter) => native.random!(kind, out, N, [1, 2], counter, params, x);
// An older addon: random(kind, out, size, key0, key1, counter, mean, std, threshold, value); no gaussianNoise.
const older = values.against ? createRequire(import.meta.url)(values.against) as { random: (...a: unknown[]) => void } : null;
const theirs: Draw | null = older && ((kind, out, counter) => older.random(RANDOM_CODES[kind], out, N, 1, 2, counter, 0, 0.3, 0, 1));

/** CPU nanoseconds per element of one draw, over `reps` draws after 5 warm-up draws. */
function cpuNsPerElement(draw: Draw, kind: RandomKind, reps = 100): number {
  const out = new Float32Array(N);
  for (let r = 0; r < 5; r++) draw(kind, out, r * 60_000);
  const start = process.cpuUsage();
  for (let r = 0; r < reps; r++) draw(kind, out, r * 60_000);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / reps / N;
}

const rows = new Map<string, number[]>();
const add = (name: string, v: number) => rows.set(name, [...(rows.get(name) ?? []), v]);
for (let round = 0; round < Number(values.rounds); round++) {
  for (const kind of kinds) {
    add(`this build ${kind}`, cpuNsPerElement(ours, kind));
    if (theirs && kind !== 'gaussianNoise') add(`--against ${kind}`, cpuNsPerElement(theirs, kind));
  }
}
console.log(`| draw of ${N} elements, 1 thread | CPU ns per element, median | min | max |\n|---|---:|---:|---:|`);
for (const [name, v] of rows) {
  v.sort((a, b) => a - b);
  console.log(`| ${name} | ${v[v.length >> 1].toFixed(2)} | ${v[0].toFixed(2)} | ${v[v.length - 1].toFixed(2)} |`);
}

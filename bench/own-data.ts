// `tessera train --data train.npy` (60,000×784 uint8, the bundled training images saved as .npy)
// against the bundled IDX files: seconds per epoch of the default dense model, in alternating
// rounds (A bundled, B npy, A, B, …) so that load on the machine hits both alike. Target: B
// within 10% of A. Each round trains --epochs 3 in-process on the native backend; the per-epoch
// times are metrics.json's history. The test rows are the bundled t10k files in both (--test-data).
//
// With --stream the arms are A: the .npy read into memory, B: the same .npy streamed from the
// file (`train --stream`: rows read by position a batch at a time).
//
//   npx tsc -p tsconfig.build.json && node dist/bench/own-data.js [--rounds 4] [--epochs 3] [--stream]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../src/cli/main.js';
import { readIdx } from '../src/io/idx.js';
import { writeNpy } from '../src/io/npy.js';
import { fashionMnistDir } from '../src/data/fashion-mnist.js';
import { machineLine } from '../src/util/machine.js';
import { median, min, max } from './harness/stats.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('rounds', 4), epochs = arg('epochs', 3);
const stream = process.argv.includes('--stream');
const [nameA, nameB] = stream ? ['npy in memory', 'npy streamed'] : ['bundled IDX', 'uint8 .npy'];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-own-data-bench-'));
const images = readIdx(path.join(fashionMnistDir(), 'train-images-idx3-ubyte.gz'));
const npy = path.join(dir, 'train.npy');
writeNpy(npy, images.data as Uint8Array, [60000, 784]);
const testData = path.join(fashionMnistDir(), 't10k-images-idx3-ubyte.gz');
const sink = { write: (_s: string) => true };

async function epochSeconds(kind: 'bundled' | 'npy' | 'stream', round: number): Promise<number[]> {
  const out = path.join(dir, `${kind}-${round}`);
  const data = kind === 'bundled' ? [] : ['--data', npy, '--test-data', testData, ...(kind === 'stream' ? ['--stream'] : [])];
  const code = await main(['train', ...data, '--epochs', String(epochs), '--backend', 'native', '--quiet', '--out', out], { stdout: sink, stderr: sink });
  if (code !== 0) throw new Error(`bench/own-data.ts: tessera train (${kind}) exited with ${code}`);
  return JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).history.seconds as number[];
}

const a: number[] = [], b: number[] = [], ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const sa = median(await epochSeconds(stream ? 'npy' : 'bundled', r));
  const sb = median(await epochSeconds(stream ? 'stream' : 'npy', r));
  a.push(sa); b.push(sb); ratios.push(sb / sa);
  console.log(`round ${r + 1}: ${nameA} ${sa.toFixed(3)} s/epoch, ${nameB} ${sb.toFixed(3)} s/epoch, B/A ${(sb / sa).toFixed(3)}`);
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(`\n${machineLine()}`);
console.log(`load average ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
console.log(`A ${nameA}: median ${median(a).toFixed(3)} s/epoch (min ${min(a).toFixed(3)}, max ${max(a).toFixed(3)})`);
console.log(`B ${nameB}: median ${median(b).toFixed(3)} s/epoch (min ${min(b).toFixed(3)}, max ${max(b).toFixed(3)})`);
console.log(`B/A per round: median ${median(ratios).toFixed(3)} (min ${min(ratios).toFixed(3)}, max ${max(ratios).toFixed(3)})${stream ? '' : '; target ≤ 1.10'}`);

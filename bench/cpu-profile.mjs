// Self time by function in a V8 CPU profile (`node --cpu-prof …` writes one .cpuprofile per process):
// the functions whose own code the samples fell in, largest first, as DevTools' bottom-up view
// lists them. Used for where the main job's time went (bench/RESULTS.md, "The main job too").
//
//   node --cpu-prof --cpu-prof-dir /tmp/prof bin/tessera.js train --epochs 3
//   node bench/cpu-profile.mjs /tmp/prof/*.cpuprofile [top]
import { readFileSync } from 'node:fs';

const [file, top = '30'] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/cpu-profile.mjs PROFILE.cpuprofile [top]');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
// timeDeltas[i + 1] is the time between sample i and the next: what sample i stands for.
profile.samples.forEach((id, i) => {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
process.stdout.write(`${(total / 1000).toFixed(0)} ms sampled; self time in ms:\n`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  process.stdout.write(`${(us / 1000).toFixed(1).padStart(8)}  ${key}\n`);
}

// Startup time and memory footprint of the peers, each in a fresh process.
//
//   node bench/peers/startup_footprint.mjs [--repeats 5] [--python /usr/bin/python3] [--only a,b]
//
// Wall time runs from spawn to exit, measured here; the child itself reports its peak RSS
// (Python: ru_maxrss, Node: resourceUsage().maxRSS, both KiB) as its only output.
// Cases: node (bare `node -e 0`-like), tfjs-require (`require('@tensorflow/tfjs')` from
// bench/.peers), tessera-import (`import()` of the built dist/src/index.js), python (bare
// `python3 -c pass`-like), torch-import (`import torch`); --only picks some. A case whose
// module is missing is reported with status "absent" and its reason. Prints one JSON object as its last stdout line.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { summarize } from './peer-common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let repeats = 5;
let python = process.env.TESSERA_PEER_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
let peersDir = resolve(here, '..', '.peers');
let only = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--repeats') repeats = Number.parseInt(argv[++i], 10);
  else if (argv[i] === '--python') python = argv[++i];
  else if (argv[i] === '--peers-dir') peersDir = resolve(argv[++i]);
  else if (argv[i] === '--only') only = new Set(argv[++i].split(','));
  else { process.stderr.write(`startup_footprint.mjs: unknown option '${argv[i]}' (expected --repeats, --python, --peers-dir, --only)\n`); process.exit(2); }
}
if (!(repeats >= 1)) { process.stderr.write('startup_footprint.mjs: --repeats must be >= 1\n'); process.exit(2); }

const nodeRss = 'process.stdout.write(String(process.resourceUsage().maxRSS))';
const pyRss = 'import resource,sys; sys.stdout.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))';
const tfjsPath = join(peersDir, 'node_modules', '@tensorflow', 'tfjs');
const tesseraPath = resolve(here, '..', '..', 'dist', 'src', 'index.js');
const allCases = [
  { name: 'node', what: 'node -e 0 (bare Node)', command: process.execPath, args: ['-e', nodeRss] },
  { name: 'tfjs-require', what: "require('@tensorflow/tfjs')", command: process.execPath,
    args: ['-e', `require(${JSON.stringify(tfjsPath)});${nodeRss}`] },
  { name: 'tessera-import', what: "import('tessera') (dist/src/index.js)", command: process.execPath,
    args: ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(tesseraPath).href)});${nodeRss}`],
    requires: tesseraPath },
  { name: 'python', what: 'python3 -c pass (bare Python)', command: python, args: ['-c', pyRss] },
  { name: 'torch-import', what: 'import torch', command: python, args: ['-c', `import torch; ${pyRss}`] },
];
const cases = allCases.filter((c) => only === null || only.has(c.name));
if (cases.length === 0) { process.stderr.write(`startup_footprint.mjs: --only matched no case (cases: ${allCases.map((c) => c.name).join(', ')})\n`); process.exit(2); }

const results = [];
for (const c of cases) {
  const seconds = [];
  const rssMib = [];
  let failure = c.requires && !existsSync(c.requires) ? `not built: ${c.requires}` : null;
  for (let r = 0; r < repeats && !failure; r++) {
    const t0 = performance.now();
    // tfjs prints a hint about tfjs-node on stderr: ignored, only the exit code matters.
    const out = spawnSync(c.command, c.args, { encoding: 'utf8', timeout: 60_000 });
    const dt = (performance.now() - t0) / 1000;
    if (out.error) failure = `${c.command}: ${out.error.code ?? out.error.message}`;
    else if (out.status !== 0) failure = `exit ${out.status}: ${(out.stderr.trim().split('\n').pop() ?? '').slice(0, 300)}`;
    else { seconds.push(dt); rssMib.push(Number(out.stdout.trim()) / 1024); }
  }
  results.push(failure
    ? { name: c.name, what: c.what, status: 'absent', reason: failure }
    : { name: c.name, what: c.what, status: 'ok', seconds: summarize(seconds), peak_rss_mib: summarize(rssMib) });
}
process.stdout.write(JSON.stringify({ peer: 'startup', repeats, python, node: process.version, results }) + '\n');

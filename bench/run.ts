// `npm run bench` (and `tessera bench -- …`): tessera's runners and the peers' in one table,
// one after another (never two at once: they would share the two cores), written as JSON to
// bench/out/. See bench/tessera/run-args.ts for the options (--help).
//
//   npm run build && npm run bench -- --epochs 5
import { pathToFileURL } from 'node:url';
import { runBenchmarks } from './harness/run-all.js';
import { defaultPeerRunners } from './harness/peer-runners.js';
import { peakRunner } from './peak/peak.js';
import type { Runner } from './harness/runner.js';
import { BENCH_USAGE, parseBenchArgs, selectRunners, type BenchArgs } from './tessera/run-args.js';
import { tesseraW1Runner } from './tessera/w1.js';
import { tesseraStartupRunner } from './tessera/startup.js';
import { footprintRunner } from './tessera/footprint.js';
import { seedStudyRunner } from './tessera/seed-study.js';
import { familyRunner } from './tessera/family.js';

/** tessera's columns: W1 per backend, start-up per CPU backend, the package's size. */
export function tesseraRunners(args: Pick<BenchArgs, 'footprint'>): Runner[] {
  return [
    tesseraW1Runner('native'),
    // one JS thread; a quick run trains one epoch
    tesseraW1Runner('js', { epochs: (o) => o.epochs ?? (o.quick ? 1 : 5) }),
    // llvmpipe: Dawn's Vulkan on the CPU (no GPU here); slow, so one epoch unless asked
    tesseraW1Runner('webgpu', { name: 'tessera-webgpu (llvmpipe CPU)', epochs: (o) => o.epochs ?? (o.quick ? 1 : 5) }),
    tesseraStartupRunner('native'),
    tesseraStartupRunner('js'),
    footprintRunner(args.footprint),
  ];
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) { process.stdout.write(BENCH_USAGE + '\n'); return; }
  const peers = args.noPeers ? [] : [...defaultPeerRunners(), peakRunner, ...(args.seeds > 0 ? [seedStudyRunner(() => args.seeds)] : [])];
  const all = args.family
    ? args.family.map((w) => familyRunner(w, { rounds: args.rounds }))
    : [...tesseraRunners(args), ...peers];
  const report = await runBenchmarks({
    runners: selectRunners(all, args.only),
    opts: args.opts,
    outFile: args.out,
    waitQuietSeconds: args.waitQuietSeconds,
    onProgress: (e) => process.stderr.write(e.done
      ? `  ${e.runner}: ${e.result?.status}${e.result?.reason ? ` (${e.result.reason})` : ''}\n`
      : `running ${e.runner} ...\n`),
  });
  process.stdout.write(report.markdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => { process.stderr.write(`${(err as Error).message}\n`); process.exit(1); });
}

// Start-up cost: a fresh `node` that imports tessera, runs one op (a 64×64 matmul), reads the
// result back and exits. Two clocks: the parent times spawn → exit (comparable to the peers'
// "import torch" / "require('@tensorflow/tfjs')" figures, which include process start-up and
// exit), and the child reports performance.now() after the op (its clock starts with the
// process). The child also reports its peak RSS (resourceUsage().maxRSS, KiB).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startupRss, startupSeconds } from '../harness/metric-keys.js';
import type { Metric, Result, RunOptions, Runner } from '../harness/runner.js';
import { summarize } from '../harness/stats.js';
import { firstOpInProcessSeconds, firstOpSeconds } from './metrics.js';

const here = dirname(fileURLToPath(import.meta.url));

/** dist/src/index.js, beside dist/bench/tessera/ where this file is compiled to. */
export function builtIndex(): string {
  return join(here, '..', '..', 'src', 'index.js');
}

/** The child's program: import, one op, read back; prints "<ms since start> <maxRSS KiB>". */
export function firstOpScript(indexPath: string, withOp: boolean): string {
  const url = JSON.stringify(pathToFileURL(indexPath).href);
  const op = withOp
    ? 'const a = t.ones([64, 64]); const b = t.matmul(a, a); if (b.dataSync()[0] !== 64) throw new Error("wrong result");'
    : '';
  return `const t = await import(${url}); ${op} process.stdout.write(performance.now() + ' ' + process.resourceUsage().maxRSS);`;
}

export interface StartupSample { wallSeconds: number; inProcessSeconds: number; rssMib: number }

/** Parses the child's one line "<ms> <KiB>". */
export function parseStartupLine(stdout: string): { inProcessSeconds: number; rssMib: number } {
  const parts = stdout.trim().split(/\s+/).map(Number);
  if (parts.length !== 2 || !parts.every((x) => Number.isFinite(x) && x > 0)) {
    throw new Error(`bench/tessera/startup.ts: expected "<ms> <KiB>" from the child, got '${stdout.trim().slice(0, 200)}'`);
  }
  return { inProcessSeconds: parts[0] / 1000, rssMib: parts[1] / 1024 };
}

export function measureStartup(backend: 'native' | 'js', withOp: boolean, indexPath = builtIndex()): StartupSample {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', firstOpScript(indexPath, withOp)], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, TESSERA_BACKEND: backend, TESSERA_THREADS: '1' },
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.error) throw new Error(`bench/tessera/startup.ts: node could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`bench/tessera/startup.ts: the ${backend} child exited with ${r.status}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return { wallSeconds, ...parseStartupLine(r.stdout) };
}

/** A column per backend: import alone (the peers' row) and import + first op. */
export function tesseraStartupRunner(backend: 'native' | 'js'): Runner {
  const name = `tessera-${backend} start-up`;
  return {
    name,
    async run(opts: RunOptions): Promise<Result> {
      if (!existsSync(builtIndex())) return { name, status: 'absent', reason: `not built: ${builtIndex()}`, metrics: [] };
      const repeats = opts.quick ? 3 : 9;
      measureStartup(backend, true); // warm the file cache, as the peers' repeats do after their first
      const importOnly: StartupSample[] = [];
      const firstOp: StartupSample[] = [];
      for (let i = 0; i < repeats; i++) {
        importOnly.push(measureStartup(backend, false));
        firstOp.push(measureStartup(backend, true));
      }
      const metrics: Metric[] = [
        startupSeconds(summarize(importOnly.map((s) => s.wallSeconds)), 'import only'),
        startupRss(summarize(importOnly.map((s) => s.rssMib)), 'import only'),
        firstOpSeconds(summarize(firstOp.map((s) => s.wallSeconds)), 'spawn to exit, 64×64 matmul read back'),
        firstOpInProcessSeconds(summarize(firstOp.map((s) => s.inProcessSeconds))),
      ];
      return { name, status: 'ok', metrics, results: { importOnly, firstOp } };
    },
  };
}

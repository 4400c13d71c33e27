// `tessera bench`: runs the benchmark suite (dist/bench/run.js, built from bench/run.ts) in a
// child process, passing through the arguments after '--' and streaming its output.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliError, type Command } from './command.js';
import { packageRoot } from '../util/package-root.js';

/** dist/bench/run.js of this install: this file is dist/src/cli/bench.js (or src/cli/bench.ts in tests). */
function benchRunnerPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../bench/run.js'), path.resolve(here, '../../dist/bench/run.js')];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark suite (node dist/bench/run.js)',
  usage: '[-- <benchmark options>]',
  description: "Runs the benchmarks of this install (dist/bench/run.js); arguments after '--' go to it.",
  options: [],
  positionals: { min: 0, max: 100, names: 'benchmark arguments' },
  notes: "See bench/RESULTS.md for the figures measured so far. 'tessera bench -- --help' shows the runner's options.",
  // The published package ships dist/src only: the benchmarks (and their PyTorch peers) run
  // from a clone of the repository, so an installed tessera does not offer the command.
  available: () => fs.existsSync(benchRunnerPath()),
  async run(args, io) {
    const runner = benchRunnerPath();
    if (!fs.existsSync(runner)) {
      const clone = !fs.existsSync(path.join(packageRoot(), 'bench', 'run.ts'));
      throw new CliError(clone
        ? "tessera bench: the benchmarks are not part of the installed package; run them from a clone of tessera's repository: 'npm ci && npm run build && npx tessera bench'"
        : `tessera bench: the benchmark runner '${runner}' is not built; build it with 'npx tsc -p tsconfig.build.json' (it comes from bench/run.ts)`);
    }
    return new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [runner, ...args.positionals], { stdio: ['inherit', 'pipe', 'pipe'] });
      child.stdout.on('data', (b: Buffer) => io.stdout.write(b.toString()));
      child.stderr.on('data', (b: Buffer) => io.stderr.write(b.toString()));
      const onAbort = () => child.kill('SIGINT');
      io.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => reject(new CliError(`tessera bench: could not start '${runner}': ${e.message}`)));
      child.on('close', (code, sig) => {
        io.signal?.removeEventListener('abort', onAbort);
        resolve(code ?? (sig ? 130 : 1));
      });
    });
  },
};

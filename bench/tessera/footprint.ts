// Installed size of the package. Always: `npm pack --dry-run --json` (the tarball's size and
// its unpacked size; no scripts run). Opt-in (`--footprint` on bench/run.ts, slow: it installs
// from the npm registry and builds the addon): pack the tarball into a temp dir, install it into
// two fresh projects, one with `--omit=optional` (no webgpu) and one with it, and measure each
// node_modules on disk (apparent size, `du -sb`, as npm's figures are).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths.js';
import type { Metric, Result, RunOptions, Runner } from '../harness/runner.js';
import { installedMib, packedMib, unpackedMib } from './metrics.js';

const MIB = 1024 * 1024;

export interface PackInfo { size: number; unpackedSize: number; entryCount: number; filename: string }

/** The first entry of `npm pack --json` output (npm prints an array, one entry per package). */
export function parsePackJson(stdout: string): PackInfo {
  const start = stdout.indexOf('[');
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.slice(start));
  } catch {
    throw new Error(`bench/tessera/footprint.ts: npm pack --json printed no JSON array: '${stdout.slice(0, 200)}'`);
  }
  const e = Array.isArray(parsed) ? parsed[0] as Partial<PackInfo> : undefined;
  if (!e || typeof e.size !== 'number' || typeof e.unpackedSize !== 'number' || typeof e.filename !== 'string') {
    throw new Error('bench/tessera/footprint.ts: npm pack --json: expected [{ size, unpackedSize, filename, … }]');
  }
  return { size: e.size, unpackedSize: e.unpackedSize, entryCount: e.entryCount ?? 0, filename: e.filename };
}

function npm(args: string[], cwd: string, timeoutMs = 900_000): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Bytes under `dir` as `du -sb` counts them (apparent sizes). */
export function duBytes(dir: string): number {
  const out = execFileSync('du', ['-sb', dir], { encoding: 'utf8' });
  const bytes = Number.parseInt(out.split(/\s/)[0], 10);
  if (!Number.isFinite(bytes)) throw new Error(`bench/tessera/footprint.ts: could not read du's output '${out.trim()}'`);
  return bytes;
}

export interface InstallResult {
  /** All of node_modules. */
  bytes: number;
  /** node_modules/tessera alone (the bundled Fashion-MNIST files are most of it). */
  tesseraBytes: number;
  /** What the install script recorded about building the addon (build/native-status.json). */
  native: unknown;
  packages: string[];
}

/** Installs the tarball into a fresh project and measures it. */
function installInto(tarball: string, withOptional: boolean): InstallResult {
  const dir = mkdtempSync(join(tmpdir(), `tessera-footprint-${withOptional ? 'webgpu' : 'plain'}-`));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'footprint-probe', version: '1.0.0', private: true }));
    npm(['install', '--no-audit', '--no-fund', ...(withOptional ? [] : ['--omit=optional']), tarball], dir);
    const nm = join(dir, 'node_modules');
    const status = join(nm, 'tessera', 'build', 'native-status.json');
    return {
      bytes: duBytes(nm),
      tesseraBytes: duBytes(join(nm, 'tessera')),
      native: existsSync(status) ? JSON.parse(readFileSync(status, 'utf8')) as unknown : 'no build/native-status.json',
      packages: readdirSync(nm).filter((n) => !n.startsWith('.')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function footprintRunner(install: boolean): Runner {
  const name = 'tessera package';
  return {
    name,
    async run(_opts: RunOptions): Promise<Result> {
      const root = repoRoot();
      const dry = parsePackJson(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root, 120_000));
      const metrics: Metric[] = [packedMib(dry.size / MIB, `${dry.entryCount} files`), unpackedMib(dry.unpackedSize / MIB)];
      const results: Record<string, unknown> = { pack: dry };
      if (install) {
        const tmp = mkdtempSync(join(tmpdir(), 'tessera-pack-'));
        try {
          const packed = parsePackJson(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], root, 120_000));
          const tarball = join(tmp, packed.filename);
          const plain = installInto(tarball, false);
          const full = installInto(tarball, true);
          const built = (r: InstallResult) => ((r.native as { ok?: boolean }).ok === true ? 'addon built' : 'addon NOT built');
          metrics.push(
            installedMib(false, plain.bytes / MIB, `npm install --omit=optional; tessera itself ${(plain.tesseraBytes / MIB).toFixed(1)} MiB; ${built(plain)}`),
            installedMib(true, full.bytes / MIB, built(full)),
          );
          results.install = { plain, full };
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      }
      return { name, status: 'ok', metrics, results };
    },
  };
}

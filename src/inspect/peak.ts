// The ceilings `tessera profile` divides by, measured on this machine rather than assumed: the
// FLOP rate of the backend's own multiply-add loop (native: bench/peak/fma_peak.c's FMA loop,
// through the addon) and the copy bandwidth over arrays larger than the caches, both at the
// backend's thread count (src/backend/peak.ts). A measurement takes about a second, so it is
// cached per machine in a small JSON file under the user's cache directory, keyed by CPU model,
// ISA, thread count and backend; `--remeasure` replaces the entry.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Backend } from '../backend/backend.js';
import { hasPeakLoops, measureBackendPeak, type BackendPeak, type PeakLoopOptions } from '../backend/peak.js';
import { writeFileAtomic } from '../io/atomic.js';

export interface MachinePeak {
  /** FLOP/s ceiling of all the backend's threads together, GFLOP/s; null where none was measured. */
  gflops: number | null;
  /** The loop that gave gflops (or why there is none). */
  loop: string;
  /** Copy bandwidth over arrays larger than the caches (memory), GB/s, all threads together. */
  gbps: number;
  /** Operand bytes up to which a kernel's data is taken to stay in cache (the largest CPU cache); null: unknown. */
  cacheBytes: number | null;
  /** Where the figures came from: measured now, read from the cache file, or given on the command line. */
  source: string;
}

/** What a cached measurement is keyed by: another CPU, ISA, thread count or backend measures again. */
export interface PeakKey { cpu: string; isa: string; threads: number; backend: string }

export const peakKeyString = (k: PeakKey) => `${k.cpu} | ${k.isa} | ${k.threads} thread${k.threads === 1 ? '' : 's'} | ${k.backend}`;

interface CacheFile { version: 1; entries: Record<string, { gflops: number | null; loop: string; gbps: number; measuredAt: string }> }

/** $TESSERA_CACHE_DIR, else $XDG_CACHE_HOME/tessera, else ~/.cache/tessera. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TESSERA_CACHE_DIR) return env.TESSERA_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tessera');
}

/** The largest CPU cache in bytes (Linux sysfs), or null where it cannot be read. */
export function largestCacheBytes(sysfs = '/sys/devices/system/cpu/cpu0/cache'): number | null {
  const unit: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
  const sizes: number[] = [];
  try {
    for (const d of fs.readdirSync(sysfs).filter((f) => f.startsWith('index'))) {
      const m = /^(\d+)([KMG]?)$/i.exec(fs.readFileSync(path.join(sysfs, d, 'size'), 'utf8').trim());
      if (m) sizes.push(Number(m[1]) * unit[m[2].toUpperCase()]);
    }
  } catch { /* no sysfs (not Linux) or an unreadable entry: what was read so far */ }
  return sizes.length ? Math.max(...sizes) : null;
}

/** The key of `backend` on this machine: its name, ISA (native's kernel path) and threads. */
export function peakKey(backend: Backend): PeakKey {
  const d = backend.describe();
  const threads = typeof d.threads === 'number' && d.threads > 0 ? d.threads : 1;
  const isa = typeof d.isa === 'string' ? d.isa : backend.name;
  return { cpu: os.cpus()[0]?.model.trim() || os.arch(), isa, threads, backend: backend.name };
}

export interface PeakOptions {
  /** Folder of peaks.json (default defaultCacheDir()). */
  cacheDir?: string;
  /** Measure again even when the cache holds this key. */
  remeasure?: boolean;
  /** Seconds of the FMA loop (default 0.3). */
  seconds?: number;
  /** Bytes per array of the copy loop (default 4 × the largest cache, at least 64 MiB). */
  copyBytes?: number;
  /** The largest cache (default largestCacheBytes()). */
  cacheBytes?: number | null;
  /** The measurement (default measureBackendPeak; tests count its calls). */
  measure?: (o: PeakLoopOptions) => BackendPeak | null;
}

function readCache(file: string): CacheFile {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
    if (json.version === 1 && json.entries && typeof json.entries === 'object') return json;
  } catch { /* missing or unreadable: start a new one */ }
  return { version: 1, entries: {} };
}

/**
 * The measured peak of `backend` at its thread count: from the cache file when it holds this
 * machine's key (unless remeasure), else measured now and stored. Null when the backend has no
 * peak loops (wasm, webgpu): the profile then shows times without fractions of peak.
 */
export function backendPeak(backend: Backend, o: PeakOptions = {}): MachinePeak | null {
  if (!hasPeakLoops(backend) && !o.measure) return null;
  const cacheBytes = o.cacheBytes === undefined ? largestCacheBytes() : o.cacheBytes;
  const file = path.join(o.cacheDir ?? defaultCacheDir(), 'peaks.json');
  const key = peakKeyString(peakKey(backend));
  const cache = readCache(file);
  const hit = cache.entries[key];
  if (hit && !o.remeasure) {
    return { gflops: hit.gflops, loop: hit.loop, gbps: hit.gbps, cacheBytes, source: `measured ${hit.measuredAt}, cached in ${file} (--remeasure to measure again)` };
  }
  const copyBytes = o.copyBytes ?? Math.max(64 * 1024 ** 2, 4 * (cacheBytes ?? 0));
  const m = (o.measure ?? ((lo) => measureBackendPeak(backend, lo)))({ seconds: o.seconds ?? 0.3, copyBytes });
  if (m === null) return null;
  if (!(m.gbps > 0) || (m.gflops !== null && !(m.gflops > 0))) {
    throw new Error(`backendPeak: ${backend.name} measured a non-positive peak (${JSON.stringify(m)}) (src/inspect/peak.ts)`);
  }
  const measuredAt = new Date().toISOString();
  // Re-read just before writing: another process may have added its own key meanwhile.
  const latest = readCache(file);
  latest.entries[key] = { gflops: m.gflops, loop: m.loop, gbps: m.gbps, measuredAt };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(latest, null, 2)}\n`);
  return { gflops: m.gflops, loop: m.loop, gbps: m.gbps, cacheBytes, source: `measured now (${measuredAt}), cached in ${file}` };
}

// Atomic file writes: a reader (or a crash) never sees a half-written file. The bytes go to a
// temporary name in the same folder (same file system, so rename is atomic on POSIX), are
// fsync'ed, and only then renamed over the target. On any error the temporary file is removed
// and the old target, if there was one, is left as it was.

import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

/** `.<target>.<pid>.<time>.<n>.tmp`: what tempNameFor makes; the pid tells whether its writer still runs. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-z]+\.\d+\.tmp$/;

// Crash testing: with TESSERA_KILL_AT_WRITE_POINT=n the process kills itself (SIGKILL, as a
// power cut or the OOM killer would) at the n-th write point, two per write: half of the
// temporary file written (the target still holds its old version; a kill anywhere before the
// rename leaves the same), and the rename done but the folder not yet synced.
// test/cli/crash.test.ts walks n = 1, 2, … over a whole training run.
const killAt = Number(process.env.TESSERA_KILL_AT_WRITE_POINT ?? 0);
let writePoints = 0;
function writePoint(): void {
  if (killAt > 0 && ++writePoints === killAt) process.kill(process.pid, 'SIGKILL');
}

/** The temporary name used for `target`: hidden, in the same folder, unique per process and call. */
function tempNameFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  counter = (counter + 1) % 1_000_000;
  return path.join(dir, `.${base}.${process.pid}.${Date.now().toString(36)}.${counter}.tmp`);
}

/** Write `data` to `filePath` atomically (temp file + fsync + rename). */
export function writeFileAtomic(filePath: string, data: Uint8Array | string): void {
  const tmp = tempNameFor(filePath);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    const half = bytes.length >> 1;
    while (written < half) written += fs.writeSync(fd, bytes, written, half - written);
    writePoint();
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, filePath);
    writePoint();
  } catch (err) {
    if (fd !== null) {
      try { fs.closeSync(fd); } catch { /* already failing: keep the first error */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* never created, or already gone */ }
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`writeFileAtomic: could not write '${filePath}': ${msg}`, { cause: err });
  }
  syncFolder(path.dirname(filePath));
}

/** Make the rename itself durable (fsync the folder). Best effort: some file systems refuse. */
function syncFolder(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // The file is already complete and in place; only durability across a power cut is at stake.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * Removes the temporary files a killed writer left in `dir` (a process that no longer runs:
 * its write never reached the rename, so the target still holds its previous version).
 * Returns the names removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || isRunning(Number(m[2]))) continue;
    try {
      fs.unlinkSync(path.join(dir, name));
      removed.push(name);
    } catch { /* another process removed it first */ }
  }
  return removed;
}

/**
 * Whether a process with this id runs. Our own id counts as not running: writeFileAtomic is
 * synchronous, so none of our temporary files is in flight while this runs.
 */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';   // exists, owned by someone else
  }
}

// Atomic file writes: a reader (or a crash) never sees a half-written file. The bytes go to a
// temporary name in the same folder (same file system, so rename is atomic on POSIX), are
// fsync'ed, and only then renamed over the target. On any error the temporary file is removed
// and the old target, if there was one, is left as it was.

import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

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
    while (written < bytes.length) {
      written += fs.writeSync(fd, bytes, written, bytes.length - written);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, filePath);
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

// Reading a whole data file into memory, safely. fs.readFileSync trusts the path: on a character
// device (/dev/zero, reached through a symlinked model.safetensors) it reads until memory runs
// out, on a FIFO it blocks forever, and past 2 GiB it fails with a message that names no file.
// Here the path is stat'ed first (stat follows symlinks, so the target is what is checked), only
// a regular file of a size we can hold is opened, and exactly its size is read.

import * as fs from 'node:fs';

/**
 * The largest file read whole: fs.readFileSync's own limit (2 GiB − 1, Node's kIoMaxLength).
 * Larger data belongs in the streaming datasets (NpyFileDataset, IdxFileDataset), which read rows by position.
 */
const MAX_FILE_BYTES = 2 ** 31 - 1;

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** stat `filePath` (following links) and insist on a regular file; returns its size in bytes. */
function regularFileSize(filePath: string, op: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(filePath);
  } catch (err) {
    throw new Error(`${op}: cannot read '${filePath}': ${(err as Error).message}`, { cause: err });
  }
  if (!st.isFile()) {
    throw new Error(`${op}: '${filePath}' is ${kindOf(st)}, not a regular file (a symlink to a device or a pipe?); expected a data file`);
  }
  return st.size;
}

/** Open `filePath` for reading after checking it is a regular file (opening a FIFO would block). */
export function openRegularFile(filePath: string, op: string): number {
  regularFileSize(filePath, op);
  return fs.openSync(filePath, 'r');
}

/**
 * Read a regular file whole. Refuses devices, pipes, directories, and files over `maxBytes`
 * (default MAX_FILE_BYTES), naming the file; reads exactly the size stat reported.
 */
export function readRegularFile(filePath: string, op: string, maxBytes = MAX_FILE_BYTES): Buffer {
  const size = regularFileSize(filePath, op);
  if (size > maxBytes) {
    throw new Error(`${op}: '${filePath}' is ${size} bytes, over the ${maxBytes}-byte limit for a file read whole into memory`);
  }
  const fd = fs.openSync(filePath, 'r');
  try {
    // The file was swapped between stat and open (a race, or a link retargeted): check again.
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size !== size) throw new Error(`${op}: '${filePath}' changed while it was being opened; try again`);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = fs.readSync(fd, buf, got, size - got, got);
      if (n === 0) throw new Error(`${op}: '${filePath}' ended after ${got} of its ${size} bytes (truncated while being read?)`);
      got += n;
    }
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

// Positional row reads from an open file: the streaming datasets never hold the file in
// memory, only the rows a batch asks for. Runs of consecutive indices are read with one
// fs.readSync each (a sequential pass reads big blocks; a shuffled one reads row by row).

import * as fs from 'node:fs';

/** Decode `count` elements from `bytes` into out[outOffset ...]. */
export type RowDecoder = (bytes: Uint8Array, out: Float32Array, outOffset: number, count: number) => void;

/** Read exactly `length` bytes at `position`, or throw naming the file. */
export function readExactly(fd: number, buf: Uint8Array, length: number, position: number, op: string, fileName: string): void {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) throw new Error(`${op}: '${fileName}' ended early: wanted ${length} bytes at offset ${position}, got ${got} (file truncated or changed on disk?)`);
    got += n;
  }
}

/** Largest block read at once when coalescing consecutive rows. */
const MAX_BLOCK_BYTES = 4 << 20;

/**
 * Read rows `indices` (each rowElems elements of bytesPerElem bytes, starting at dataOffset)
 * into `out`, decoding with `decode`.
 */
export function readRowsPositional(
  fd: number,
  dataOffset: number,
  rowElems: number,
  bytesPerElem: number,
  indices: ArrayLike<number>,
  out: Float32Array,
  decode: RowDecoder,
  op: string,
  fileName: string,
): void {
  const rowBytes = rowElems * bytesPerElem;
  const maxRun = Math.max(1, Math.floor(MAX_BLOCK_BYTES / Math.max(rowBytes, 1)));
  let scratch = new Uint8Array(rowBytes * Math.min(maxRun, indices.length));
  let i = 0;
  while (i < indices.length) {
    // Extend a run while the next index is the next row on disk.
    let run = 1;
    while (i + run < indices.length && run < maxRun && indices[i + run] === indices[i] + run) run++;
    const bytes = run * rowBytes;
    if (scratch.length < bytes) scratch = new Uint8Array(bytes);
    readExactly(fd, scratch, bytes, dataOffset + indices[i] * rowBytes, op, fileName);
    decode(scratch, out, i * rowElems, run * rowElems);
    i += run;
  }
}

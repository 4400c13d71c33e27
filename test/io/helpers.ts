// Shared test helpers: a fresh temporary folder per test file, and a bitwise CRC-32 written
// independently of src/io/crc32.ts (no table, one bit at a time, straight from the definition).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Deflate, Gzip } from 'node:zlib';
import { afterAll } from 'vitest';

const made: string[] = [];
// Registered while the importing test file is collected, so it runs after that file's tests.
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A new empty folder under the system temp dir, removed after the test file's tests. */
export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-${prefix}-`));
  made.push(d);
  return d;
}

/** CRC-32/ISO-HDLC bit by bit: reflected poly 0xEDB88320, init and xorout 0xFFFFFFFF. */
export function crc32Bitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export const MiB = 1 << 20;

/** Compress `head` followed by `zeros` zero bytes with a streaming compressor (the zeros never sit in memory). */
export async function compressStream(stream: Gzip | Deflate, head: Uint8Array, zeros: number): Promise<Buffer> {
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => stream.on('end', resolve));
  stream.write(head);
  const block = Buffer.alloc(MiB);
  for (let left = zeros; left > 0; left -= MiB) stream.write(left >= MiB ? block : block.subarray(0, left));
  stream.end();
  await done;
  return Buffer.concat(out);
}

/** Peak resident memory of this process so far, in bytes (the kernel's high-water mark). */
export const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

// Shared test helpers: a fresh temporary folder per test file, and a bitwise CRC-32 written
// independently of src/io/crc32.ts (no table, one bit at a time, straight from the definition).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tessera-${prefix}-`));
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

export const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');

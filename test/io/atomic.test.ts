import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { tempDir } from './helpers.js';

describe('writeFileAtomic', () => {
  it('writes bytes and strings, replaces an old file, and leaves no temporary file', () => {
    const dir = tempDir('atomic');
    const file = path.join(dir, 'out.bin');
    writeFileAtomic(file, Uint8Array.from([1, 2, 3, 250]));
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3, 250]);
    writeFileAtomic(file, 'héllo');
    expect(fs.readFileSync(file, 'utf8')).toBe('héllo');
    expect(fs.readdirSync(dir)).toEqual(['out.bin']);
  });

  it('a failed write keeps the old file and removes its temporary file', () => {
    const dir = tempDir('atomic-fail');
    const target = path.join(dir, 'target');
    // A folder cannot be replaced by a file: the rename fails after the temp file was written.
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep'), 'old');
    expect(() => writeFileAtomic(target, 'new')).toThrow(/writeFileAtomic: could not write '.*target'/);
    expect(fs.readFileSync(path.join(target, 'keep'), 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['target']);
  });

  it('a failed write into a missing folder names the file and creates nothing', () => {
    const dir = tempDir('atomic-missing');
    const target = path.join(dir, 'no-such-dir', 'f.txt');
    expect(() => writeFileAtomic(target, 'x')).toThrow(/no-such-dir\/f\.txt/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('an existing file survives a failed replacement', () => {
    const dir = tempDir('atomic-old');
    const target = path.join(dir, 'model.bin');
    writeFileAtomic(target, 'version 1');
    // Make the folder read-only so the temporary file cannot be created (root ignores modes: skip then).
    fs.chmodSync(dir, 0o555);
    try {
      let threw = false;
      try { writeFileAtomic(target, 'version 2'); } catch { threw = true; }
      if (threw) expect(fs.readFileSync(target, 'utf8')).toBe('version 1');
      else expect(fs.readFileSync(target, 'utf8')).toBe('version 2'); // running as root: the write succeeded whole
      expect(fs.readdirSync(dir)).toEqual(['model.bin']);
    } finally {
      fs.chmodSync(dir, 0o755);
    }
  });
});

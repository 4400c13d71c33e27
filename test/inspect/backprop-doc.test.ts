// docs/backprop.md cannot go stale: its generated blocks must equal a fresh seeded run, and every
// file and function it names must exist.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backpropNumbers, fillGenerated, readGenerated } from '../../src/inspect/backprop-doc.js';
import { packageRoot } from '../../src/data/package-root.js';

const root = packageRoot();
const doc = fs.readFileSync(path.join(root, 'docs', 'backprop.md'), 'utf8');

describe('docs/backprop.md', () => {
  it('holds the numbers of a fresh run (regenerate: npm run build && node scripts/gen-backprop-doc.mjs)', async () => {
    const fresh = await backpropNumbers();
    const inDoc = readGenerated(doc);
    expect(Object.keys(inDoc).sort()).toEqual(Object.keys(fresh).sort());
    const stale = Object.keys(fresh).filter((k) => inDoc[k] !== fresh[k]);
    for (const k of stale) expect(inDoc[k], `generated block '${k}' differs from a fresh run`).toBe(fresh[k]);
    // Filling the document with its own blocks changes nothing (the markers round-trip).
    expect(fillGenerated(doc, inDoc)).toBe(doc);
  });

  it('names only files that exist, and functions that are in them', () => {
    const files = new Set([...doc.matchAll(/`((?:src|native|shaders|test|scripts)\/[\w./-]+)`/g)].map((m) => m[1]));
    expect(files.size).toBeGreaterThan(20);
    for (const f of files) expect(fs.existsSync(path.join(root, f)), f).toBe(true);
    // "`name` in `file`" and "`a` and `b` in `file`": the file defines or calls that name.
    const pairs = [...doc.matchAll(/`([A-Za-z][\w.]*)`(?:\s+and\s+`([A-Za-z][\w.]*)`)?\s+in\s+`((?:src|native|shaders)\/[\w./-]+)`/g)];
    expect(pairs.length).toBeGreaterThan(6);
    for (const [, a, b, file] of pairs) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const name of [a, b].filter(Boolean)) expect(text.includes(name.split('.').pop()!), `${name} in ${file}`).toBe(true);
    }
  });
});

// Where the benchmark files are, from this module's own location: it runs both from the
// source tree (vitest) and compiled under dist/bench/harness, so it walks up to the checkout.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tessera checkout: the nearest ancestor whose package.json is named "tessera". */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tessera') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`bench/harness/paths.ts repoRoot: no package.json named "tessera" above ${from}`);
    dir = parent;
  }
}

export const benchDir = (root = repoRoot()) => join(root, 'bench');
export const peersDir = (root = repoRoot()) => join(root, 'bench', 'peers');
export const outDir = (root = repoRoot()) => join(root, 'bench', 'out');

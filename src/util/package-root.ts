// Where tessera's own files are (data/, shaders/, build/Release/tessera.node, package.json), from
// any working directory: walk up from this module's file to the first folder holding
// package.json. That is the package both when vitest runs src/*.ts and when node runs the
// compiled dist/src/*.js.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function packageRoot(): string {
  if (cached !== null) return cached;
  const start = path.dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`packageRoot: no package.json in '${start}' or any folder above it`);
    dir = parent;
  }
}

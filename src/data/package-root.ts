// The bundled data folder, found from the package root (src/util/package-root.ts).
import * as path from 'node:path';
import { packageRoot } from '../util/package-root.js';

export { packageRoot };

/** The bundled data folder, `<package root>/data`. */
export function bundledDataDir(): string {
  return path.join(packageRoot(), 'data');
}

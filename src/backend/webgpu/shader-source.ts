// WGSL sources in Node: read once from the package's shaders/ folder. The template that
// specialises them is shader-template.ts (host-free; a browser page bundles the sources instead).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import { renderShaderFrom } from './shader-template.js';

let cache: Map<string, string> | null = null;
let shaderDir: string | null = null;

/** The package's shaders/ folder (works from src/ and dist/src/). */
function findShaderDir(): string {
  if (shaderDir) return shaderDir;
  const candidate = join(packageRoot(), 'shaders');
  if (!existsSync(candidate)) {
    throw new Error(`webgpu backend: no shaders/ folder in the package root ${packageRoot()} (it ships in the package next to package.json)`);
  }
  return (shaderDir = candidate);
}

/** Reads every .wgsl file of shaders/ (once). */
export function loadShaders(): Map<string, string> {
  if (cache) return cache;
  const dir = findShaderDir();
  const sources = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.wgsl')) sources.set(file.slice(0, -5), readFileSync(join(dir, file), 'utf8'));
  }
  cache = sources;
  return sources;
}

/** The shader `name` of shaders/ with every `{{KEY}}` replaced (shader-template.ts). */
export function renderShader(name: string, defines: Record<string, string | number | boolean>): string {
  return renderShaderFrom(loadShaders(), name, defines);
}

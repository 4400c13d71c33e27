// WGSL specialised by a tiny template, from sources the host supplies (shader-source.ts reads
// them from the package's shaders/ folder in Node; a browser page bundles them). No Node module
// here, so the page's bundle can include it.
//
// A placeholder is `{{NAME}}` (upper-case). Each is replaced by the value given for it, or by the
// op code of that name from the one table (`{{U_RELU}}`, `{{B_ADD}}`, `{{R_ARGMAX}}`, `{{ACT_TANH}}`:
// src/backend/opcodes.ts), and a placeholder left without a value is an error: a shader never
// compiles with a hole in it.
// A line `#include "math.wgsl"` is replaced by that file (shared helper functions).
import { opCodeConstants } from '../opcodes.js';

/** The shader `name` (file name without .wgsl) with every `{{KEY}}` replaced by defines[KEY] or the op code KEY. */
export function renderShaderFrom(sources: ReadonlyMap<string, string>, name: string, defines: Record<string, string | number | boolean>): string {
  const source = sources.get(name);
  if (source === undefined) throw new Error(`webgpu backend: no shader '${name}.wgsl' among the ${sources.size} sources given (${[...sources.keys()].join(', ')})`);
  // Includes expand recursively, each library once (math.wgsl reached twice is pasted once).
  const seen = new Set<string>();
  const expand = (text: string, depth: number): string => text.replace(/^#include "([a-z0-9_]+)\.wgsl"$/gm, (_, lib: string) => {
    const libText = sources.get(lib);
    if (libText === undefined) throw new Error(`webgpu backend: ${name}.wgsl includes a missing ${lib}.wgsl`);
    if (depth > 4) throw new Error(`webgpu backend: ${name}.wgsl: includes nest too deep at ${lib}.wgsl`);
    if (seen.has(lib)) return '';
    seen.add(lib);
    return expand(libText, depth + 1);
  });
  const included = expand(source, 0);
  const codes = opCodeConstants();
  for (const key of Object.keys(defines)) {
    if (key in codes) throw new Error(`webgpu backend: shader '${name}.wgsl': define ${key} would hide the op code ${key} of src/backend/opcodes.ts`);
  }
  return included.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, key: string) => {
    const v = defines[key] ?? codes[key];
    if (v === undefined) throw new Error(`webgpu backend: shader '${name}.wgsl' needs a value for {{${key}}}`);
    return String(v);
  });
}

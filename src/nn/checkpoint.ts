// Saving and loading a module's state dict as safetensors, with PyTorch's names and layouts
// ('encoder.0.weight' [64, 784]), so a file is readable by safetensors.torch.load_file and back.
// Writes are atomic (src/io/atomic.ts). Loading checks the whole file (format, names, shapes)
// before it touches the module: a corrupt or mismatched file is an error and the module is
// left exactly as it was.
import type { Tensor } from '../tensor.js';
import type { Module } from './module.js';
import { fromTyped } from '../ops/creation.js';
import { shapeStr } from '../shape.js';
import { readSafetensors, writeSafetensors, type SafetensorsInput } from '../io/safetensors.js';

export interface LoadModuleOptions {
  /** Require exactly the module's names (default true). */
  strict?: boolean;
}

function toInput(t: Tensor, data: Float32Array | Float64Array): SafetensorsInput {
  if (t.dtype === 'float64') return { dtype: 'F64', shape: [...t.shape], data: data instanceof Float64Array ? data : Float64Array.from(data) };
  return { dtype: 'F32', shape: [...t.shape], data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

/** Writes every parameter and buffer of `module` to `filePath` (read back with `await data()`, so any backend works). */
export async function saveModule(filePath: string, module: Module, metadata: Record<string, string> = {}): Promise<void> {
  const tensors: Record<string, SafetensorsInput> = {};
  for (const [name, t] of Object.entries(module.stateDict())) tensors[name] = toInput(t, await t.data());
  writeSafetensors(filePath, tensors, { format: 'pt', writer: 'tessera', ...metadata });
}

/** `saveModule` for backends the CPU reads directly (js, native). */
export function saveModuleSync(filePath: string, module: Module, metadata: Record<string, string> = {}): void {
  const tensors: Record<string, SafetensorsInput> = {};
  for (const [name, t] of Object.entries(module.stateDict())) tensors[name] = toInput(t, t.dataSync());
  writeSafetensors(filePath, tensors, { format: 'pt', writer: 'tessera', ...metadata });
}

/**
 * Loads `filePath` into `module` and returns the file's metadata. Throws, leaving the module
 * unchanged, when the file is unreadable, truncated or corrupt, or when its names or shapes do
 * not match the module's.
 */
export function loadModule(filePath: string, module: Module, options: LoadModuleOptions = {}): Record<string, string> {
  const strict = options.strict ?? true;
  let file;
  try {
    file = readSafetensors(filePath);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`loadModule: cannot read '${filePath}': ${msg}. The model was not changed.`, { cause: err });
  }
  const own = module.stateDict();
  const problems: string[] = [];
  if (strict) {
    const missing = Object.keys(own).filter((k) => !file.tensors.has(k));
    const unexpected = [...file.tensors.keys()].filter((k) => !(k in own));
    if (missing.length > 0) problems.push(`missing in the file: ${missing.map((k) => `'${k}'`).join(', ')}`);
    if (unexpected.length > 0) problems.push(`not in the model: ${unexpected.map((k) => `'${k}'`).join(', ')}`);
  }
  for (const [name, target] of Object.entries(own)) {
    const entry = file.tensors.get(name);
    if (entry && (entry.shape.length !== target.shape.length || entry.shape.some((d, i) => d !== target.shape[i]))) {
      problems.push(`'${name}' is ${shapeStr(entry.shape)} in the file but ${shapeStr(target.shape)} in the model`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`loadModule: '${filePath}' does not fit ${module.describe()}: ${problems.join('; ')}. The model was not changed.`);
  }
  const state: Record<string, Tensor> = {};
  try {
    for (const [name, target] of Object.entries(own)) {
      const entry = file.tensors.get(name);
      if (!entry) continue;
      const data = target.dtype === 'float64' ? Float64Array.from(entry.data) : entry.data instanceof Float32Array ? entry.data : Float32Array.from(entry.data);
      state[name] = fromTyped(data, entry.shape, { backend: target.backend });
    }
    module.loadStateDict(state, { strict });
  } finally {
    for (const t of Object.values(state)) t.dispose();
  }
  return file.metadata;
}

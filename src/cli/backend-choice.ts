// Which backend a command runs on: --backend, else TESSERA_BACKEND, else native when the addon
// loaded, else wasm when its module loaded, else js (the same order as the library's default, with
// the warning on the command's stderr). --threads sizes the native or wasm thread pool.
import { useBackend, type Backend, type BackendName } from '../index.js';
import { backendAvailability } from '../backend/select.js';
import { setNativeThreads } from '../backend/native/index.js';
import { setWasmThreads } from '../backend/wasm/index.js';
import { CliError } from './command.js';
import { UsageError, type OptionSpec } from './options.js';

export const BACKEND_OPTIONS: OptionSpec[] = [
  { name: 'backend', kind: 'choice', choices: ['js', 'native', 'wasm', 'webgpu'], help: 'where the kernels run (default: native if its addon loaded, else wasm if its module loaded, else js)' },
  { name: 'threads', kind: 'int', min: 1, help: 'native or wasm backend threads (default: all cores, or TESSERA_THREADS)' },
];

/** Sets up and selects the backend asked for; throws a CliError saying why one is unavailable. */
export async function chooseBackend(command: string, requested: BackendName | undefined, threads: number | undefined,
  warn?: (message: string) => void): Promise<Backend> {
  let name = requested ?? envBackend(command);
  if (name === undefined) {
    // Native first; wasm is asked about (instantiated, its workers started) only when native is missing.
    const native = backendAvailability('native');
    const wasm = native.available ? undefined : backendAvailability('wasm');
    name = native.available ? 'native' : wasm?.available ? 'wasm' : 'js';
    if (!native.available) {
      const instead = wasm?.available ? 'the wasm backend' : `the slower js backend (nor is wasm available: ${wasm?.reason})`;
      warn?.(`tessera ${command}: the native backend is unavailable (${native.reason}); using ${instead}\n`);
    }
  }
  if (threads !== undefined && name !== 'native' && name !== 'wasm') {
    throw new UsageError(`tessera ${command}: --threads applies to the native and wasm backends only (this run uses '${name}')`);
  }
  let backend: Backend;
  try {
    backend = await useBackend(name);
  } catch (e) {
    throw new CliError(`tessera ${command}: --backend ${name} is unavailable: ${(e as Error).message}`);
  }
  if (threads !== undefined) {
    try {
      if (name === 'wasm') setWasmThreads(threads);
      else setNativeThreads(threads);
    } catch (e) {
      throw new UsageError(`tessera ${command}: --threads ${threads}: ${(e as Error).message}`);
    }
  }
  return backend;
}

function envBackend(command: string): BackendName | undefined {
  const v = process.env.TESSERA_BACKEND;
  if (v === undefined || v === '') return undefined;
  if (v !== 'js' && v !== 'native' && v !== 'wasm' && v !== 'webgpu') {
    throw new UsageError(`tessera ${command}: TESSERA_BACKEND='${v}' is not a backend (expected js, native, wasm or webgpu)`);
  }
  return v;
}

/** One line naming the backend and how it runs (ISA, threads, adapter). */
export function describeBackend(backend: Backend): string {
  const d = backend.describe();
  const parts = Object.entries(d)
    .filter(([k, v]) => k !== 'backend' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .map(([k, v]) => `${k} ${v}`);
  return `${backend.name}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export { machineLine } from '../util/machine.js';

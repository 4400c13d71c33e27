// Runs the CLI in-process and captures what it prints.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main.js';

export interface CliResult { code: number; stdout: string; stderr: string }

export async function cli(argv: string[], options: { signal?: AbortSignal; stderrTTY?: boolean; onStderr?: (s: string) => void } = {}): Promise<CliResult> {
  let stdout = '', stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => { stdout += s; } },
    stderr: { write: (s: string) => { stderr += s; options.onStderr?.(s); }, isTTY: options.stderrTTY },
    signal: options.signal,
  });
  return { code, stdout, stderr };
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tessera-${name}-`));
}

/** A small, fast training run on the js backend. */
export const SMALL = ['--backend', 'js', '--limit', '300', '--quiet'];

// Runs one peer script as a subprocess with a time limit and parses the JSON object it
// prints as its last stdout line. The outcome is never dropped silently:
//   absent  the interpreter or the script does not exist, or the script exited with
//           ABSENT_EXIT_CODE (3) because its library is not installed;
//   failed  a non-zero exit, a signal, the time limit, or no JSON on stdout;
//   ok      the parsed JSON is in `results`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpuSnapshot, othersBusyCores } from './machine.js';
import type { Status } from './runner.js';

/** Exit code by which a peer script says its library is not installed. */
export const ABSENT_EXIT_CODE = 3;

export interface PeerCommand {
  name: string;
  /** Interpreter or program, e.g. /usr/bin/python3 or process.execPath. */
  command: string;
  args: string[];
  /** The script file among args, checked before spawning so a missing one reads as absent. */
  script?: string;
  /** Variables to add to (or override in) this subprocess's environment only. */
  env?: Record<string, string>;
  /** Variables to remove from this subprocess's environment only (e.g. OPENBLAS_CORETYPE). */
  unsetEnv?: string[];
  cwd?: string;
  /** Default 10 minutes. */
  timeoutMs?: number;
}

export interface PeerResult {
  name: string;
  status: Status;
  reason?: string;
  /** The script's parsed JSON when status is 'ok'. */
  results?: unknown;
  /** Wall time of the subprocess, in seconds. */
  seconds: number;
  /** The last lines of stderr, for the report. */
  stderrTail: string;
  /** Cores kept busy by other processes while it ran (machine.ts othersBusyCores), on Linux. */
  otherBusyCores?: number;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n').slice(-600);
}

/** The environment of a subprocess: the parent's, minus unsetEnv, plus env. */
export function childEnv(cmd: Pick<PeerCommand, 'env' | 'unsetEnv'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of cmd.unsetEnv ?? []) delete env[key];
  return { ...env, ...(cmd.env ?? {}) };
}

/** The last non-empty stdout line parsed as a JSON object, or an error message. */
export function parseLastJsonLine(stdout: string): { value?: unknown; error?: string } {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) return { error: 'printed nothing on stdout (expected one JSON object)' };
  const last = lines[lines.length - 1];
  try {
    const value: unknown = JSON.parse(last);
    if (value === null || typeof value !== 'object') return { error: `last stdout line is JSON but not an object: ${last.slice(0, 200)}` };
    return { value };
  } catch {
    return { error: `last stdout line is not JSON: ${last.slice(0, 200)}` };
  }
}

export function runPeerScript(cmd: PeerCommand): Promise<PeerResult> {
  const started = performance.now();
  const before = cpuSnapshot();
  const elapsed = () => (performance.now() - started) / 1000;
  const done = (status: Status, fields: Partial<PeerResult> = {}): PeerResult => {
    const after = before && cpuSnapshot();
    const load = before && after ? { otherBusyCores: othersBusyCores(before, after) } : {};
    return { name: cmd.name, status, seconds: elapsed(), stderrTail: '', ...load, ...fields };
  };

  if (cmd.script !== undefined && !existsSync(cmd.script)) {
    return Promise.resolve(done('absent', { reason: `script not found: ${cmd.script}` }));
  }
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const settle = (r: PeerResult) => {
      if (!settled) { settled = true; clearTimeout(timer); resolve(r); }
    };
    const child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env: childEnv(cmd), stdio: ['ignore', 'pipe', 'pipe'] });
    const timeoutMs = cmd.timeoutMs ?? 600_000;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < MAX_CAPTURE) stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < MAX_CAPTURE) stderr += d; });
    child.on('error', (err: NodeJS.ErrnoException) => {
      settle(err.code === 'ENOENT'
        ? done('absent', { reason: `interpreter not found: ${cmd.command}` })
        : done('failed', { reason: `${cmd.command} could not start: ${err.message}` }));
    });
    child.on('close', (code, signal) => {
      const stderrTail = lastLines(stderr, 5);
      if (timedOut) return settle(done('failed', { reason: `timed out after ${timeoutMs / 1000} s`, stderrTail }));
      if (signal) return settle(done('failed', { reason: `killed by ${signal}`, stderrTail }));
      if (code === ABSENT_EXIT_CODE) return settle(done('absent', { reason: lastLines(stderr, 1) || `exit code ${code}`, stderrTail }));
      if (code !== 0) return settle(done('failed', { reason: `exit code ${code}: ${lastLines(stderr, 1)}`, stderrTail }));
      const parsed = parseLastJsonLine(stdout);
      if (parsed.error !== undefined) return settle(done('failed', { reason: parsed.error, stderrTail }));
      settle(done('ok', { results: parsed.value, stderrTail }));
    });
  });
}

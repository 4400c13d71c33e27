// What every subcommand file exports, and the streams a command writes to. Commands never use
// process.stdout/stderr directly, so tests can run them in-process and read what they printed.
import type { OptionSpec, ParsedArgs } from './options.js';

export interface TextSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  /** Aborted on Ctrl-C (SIGINT): training stops after the current step and saves a checkpoint. */
  signal?: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `tessera --help`. */
  summary: string;
  /** After `tessera <name>` in the usage line, e.g. '<run> [options]'. */
  usage: string;
  /** Paragraph under the usage line. */
  description: string;
  options: OptionSpec[];
  positionals?: { min: number; max: number; names: string };
  /** Extra help text (examples, defaults worth explaining). */
  notes?: string;
  /** False where the command cannot run in this install (it is then left out of --help). */
  available?: () => boolean;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export { CliError } from '../util/errors.js';

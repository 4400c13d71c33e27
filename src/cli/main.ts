// `tessera <command> [options]`: finds the subcommand, parses its options, runs it, and turns
// errors into a message and an exit code (0 ok, 1 failure, 2 bad usage, 130 interrupted).
// bin/tessera.js imports this file; when that is how the process started, it runs main on
// process.argv and wires Ctrl-C to an AbortSignal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIO, Command } from './command.js';
import { CliError } from './command.js';
import { UsageError, formatHelp, parseCommand } from './options.js';
import { trainCommand } from './train.js';
import { evalCommand } from './eval.js';
import { encodeCommand } from './encode.js';
import { reconstructCommand } from './reconstruct.js';
import { generateCommand } from './generate.js';
import { sweepCommand } from './sweep.js';
import { studyCommand } from './study.js';
import { explainCommand } from './explain.js';
import { profileCommand } from './profile.js';
import { gradcheckCommand } from './gradcheck.js';
import { infoCommand } from './info.js';
import { benchCommand } from './bench.js';
import { exportCommand } from './export.js';
import { playgroundCommand } from './playground.js';
import { packageRoot } from '../util/package-root.js';

export const COMMANDS: readonly Command[] = [
  trainCommand, evalCommand, encodeCommand, reconstructCommand, generateCommand, sweepCommand, studyCommand,
  explainCommand, profileCommand, gradcheckCommand, infoCommand, benchCommand, exportCommand,
  playgroundCommand,
];

function topHelp(): string {
  const offered = COMMANDS.filter((c) => c.available?.() ?? true);
  const width = Math.max(...offered.map((c) => c.name.length)) + 2;
  return [
    'Usage: tessera <command> [options]',
    '',
    'Train and study autoencoders on Fashion-MNIST with the tessera tensor engine.',
    '',
    'Commands:',
    ...offered.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'tessera <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** Runs the CLI on `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const full: CliIO = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, signal: io.signal };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    full.stdout.write(target ? helpOf(target) : topHelp());
    return 0;
  }
  if (name === '--version') {
    full.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    full.stderr.write(`tessera: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see 'tessera --help')\n`);
    return 2;
  }
  try {
    const args = parseCommand(command.name, command.options, rest, command.positionals);
    if (args.help) {
      full.stdout.write(helpOf(command));
      return 0;
    }
    return await command.run(args, full);
  } catch (e) {
    if (e instanceof UsageError) {
      full.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof CliError) {
      full.stderr.write(`${e.message}\n`);
      return 1;
    }
    const err = e as Error;
    full.stderr.write(`tessera ${command.name}: ${err.message ?? String(e)}\n`);
    if (process.env.TESSERA_DEBUG) full.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

function helpOf(command: Command): string {
  return formatHelp(command.name, command.usage, command.description, command.options, command.notes);
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** True when the process was started as bin/tessera.js (directly or through an npm bin link). */
function startedAsCli(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    const real = fs.realpathSync(script);
    const here = path.dirname(fileURLToPath(import.meta.url));
    return [path.resolve(here, '../../../bin/tessera.js'), path.resolve(here, '../../bin/tessera.js'), fileURLToPath(import.meta.url)]
      .some((p) => fs.existsSync(p) && fs.realpathSync(p) === real);
  } catch {
    return false;
  }
}

if (startedAsCli()) {
  const controller = new AbortController();
  // First Ctrl-C: stop after the current step and save. Second: quit now.
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ntessera: interrupted; finishing the current step and saving a checkpoint (Ctrl-C again to quit now)\n');
    controller.abort();
  });
  process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
}

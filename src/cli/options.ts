// Command-line options: one table per command says each option's name, kind, accepted values,
// default and help line. parseArgs (node:util) splits the arguments; this file turns the strings
// into typed values, merges a --config JSON file under them, and words every mistake as
// "tessera <command>: --option …: what was expected", raised as a UsageError (exit code 2).
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../util/errors.js';

export { UsageError };

export type OptionValue = string | number | boolean;

export interface OptionSpec {
  name: string;
  kind: 'string' | 'int' | 'number' | 'choice' | 'flag';
  help: string;
  choices?: readonly string[];
  default?: OptionValue;
  /** Inclusive lower bound (int/number). */
  min?: number;
  /** Numbers must be > 0 when set and min is not given. */
  positive?: boolean;
  max?: number;
  /** Value placeholder in --help (default from kind). */
  placeholder?: string;
  /** Not accepted in a --config file (e.g. --config itself, --help). */
  noConfig?: boolean;
  /** Accepts a comma-separated list (sweep). */
  list?: boolean;
}

export type Values = Record<string, OptionValue | OptionValue[] | undefined>;

export interface ParsedArgs {
  values: Values;
  positionals: string[];
  help: boolean;
  /** Options given on the command line (not from defaults or a config file). */
  given: Set<string>;
}

function describeAccepted(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'choice': return `one of ${(spec.choices ?? []).join(', ')}`;
    case 'int': return spec.min !== undefined ? `an integer >= ${spec.min}` : 'an integer';
    case 'number': {
      if (spec.min !== undefined && spec.max !== undefined) return `a number in [${spec.min}, ${spec.max}]`;
      if (spec.min !== undefined) return `a number >= ${spec.min}`;
      return spec.positive ? 'a positive number' : 'a number';
    }
    case 'flag': return 'true or false';
    default: return 'a value';
  }
}

/** Converts one raw value (from the command line or a config file) to the option's type. */
function convertValue(command: string, spec: OptionSpec, raw: unknown, where = ''): OptionValue {
  const fail = (): never => {
    const hint = typeof raw === 'string' && raw.includes(',') && spec.kind !== 'string' ? " (lists of values are for 'tessera sweep')" : '';
    // JSON.parse reads 1e999 as Infinity, which JSON.stringify would show as null
    const got = typeof raw === 'number' && !Number.isFinite(raw) ? `${raw} (a number too large for a double)` : JSON.stringify(raw);
    throw new UsageError(`tessera ${command}: --${spec.name}${where} expects ${describeAccepted(spec)}, got ${got}${hint}`);
  };
  switch (spec.kind) {
    case 'flag':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      return fail();
    case 'string':
      if (typeof raw !== 'string' || raw === '') return fail();
      return raw;
    case 'choice':
      if (typeof raw !== 'string' || !(spec.choices ?? []).includes(raw)) return fail();
      return raw;
    case 'int':
    case 'number': {
      const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(v)) return fail();
      if (spec.kind === 'int' && !Number.isInteger(v)) return fail();
      if (spec.min !== undefined && v < spec.min) return fail();
      if (spec.max !== undefined && v > spec.max) return fail();
      if (spec.min === undefined && spec.positive && !(v > 0)) return fail();
      return v;
    }
  }
}

function convert(command: string, spec: OptionSpec, raw: unknown, where = ''): OptionValue | OptionValue[] {
  if (spec.list && typeof raw === 'string' && raw.includes(',')) {
    return raw.split(',').map((part) => convertValue(command, spec, part.trim(), where));
  }
  if (spec.list && Array.isArray(raw)) return raw.map((part) => convertValue(command, spec, part, where));
  return convertValue(command, spec, raw, where);
}

/** Rewords parseArgs's errors so they name the command and the option. */
function rewordParseError(command: string, specs: readonly OptionSpec[], err: Error & { code?: string }): UsageError {
  const option = /'(-[^' ]*)/.exec(err.message)?.[1] ?? '';
  const accepted = specs.map((s) => `--${s.name}`).join(', ');
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`tessera ${command}: unknown option '${option}' (accepted: ${accepted}, --help)`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const spec = specs.find((s) => `--${s.name}` === option);
      if (spec?.kind === 'flag') return new UsageError(`tessera ${command}: ${option} is a switch and takes no value`);
      return new UsageError(`tessera ${command}: ${option} needs a value${spec ? ` (${describeAccepted(spec)})` : ''}; write ${option}=<value> for a value that starts with '-'`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`tessera ${command}: unexpected argument '${/'([^']*)'/.exec(err.message)?.[1] ?? ''}' (see 'tessera ${command} --help')`);
    default:
      return new UsageError(`tessera ${command}: ${err.message}`);
  }
}

/**
 * Keys a run's config.json records beside the options (what the data made of the model and its
 * scaling): not options, so a run's config.json read as --config skips them (they are refitted).
 */
const RUN_RECORD_KEYS: ReadonlySet<string> = new Set(['architecture', 'transform']);

/** Reads a --config JSON file: an object whose keys are option names. */
export function readConfigFile(command: string, specs: readonly OptionSpec[], file: string): Values {
  let text: string;
  try {
    // Editors on Windows start UTF-8 files with a byte-order mark, which JSON.parse refuses.
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new UsageError(`tessera ${command}: cannot read the config file '${file}': ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`tessera ${command}: the config file '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new UsageError(`tessera ${command}: the config file '${file}' must hold a JSON object of options, e.g. {"epochs": 5}`);
  }
  const allowed = specs.filter((s) => !s.noConfig);
  const out: Values = {};
  for (const [key, raw] of Object.entries(json as Record<string, unknown>)) {
    if (RUN_RECORD_KEYS.has(key)) continue;
    const spec = allowed.find((s) => s.name === key);
    if (!spec) {
      throw new UsageError(`tessera ${command}: unknown key '${key}' in the config file '${file}' (accepted: ${allowed.map((s) => s.name).join(', ')})`);
    }
    if (raw === null) continue;
    out[key] = convert(command, spec, raw, ` (in '${file}')`);
  }
  return out;
}

const BOOLEAN_LIST = /^(true|false)(\s*,\s*(true|false))*$/;

/**
 * A switch that takes a list (`--batch-norm false,true` in a sweep) is a string option to
 * parseArgs: a bare `--batch-norm` becomes `--batch-norm=true`, one followed by true/false
 * values takes them, so `--batch-norm` alone still means on.
 */
function listFlagValues(specs: readonly OptionSpec[], argv: string[]): string[] {
  const listFlags = new Set(specs.filter((s) => s.kind === 'flag' && s.list).map((s) => `--${s.name}`));
  if (listFlags.size === 0) return argv;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.push(...argv.slice(i)); break; }
    if (!listFlags.has(a)) { out.push(a); continue; }
    const next = argv[i + 1];
    if (next !== undefined && BOOLEAN_LIST.test(next)) { out.push(`${a}=${next}`); i++; } else out.push(`${a}=true`);
  }
  return out;
}

/**
 * Parses argv for `command`: defaults, then the --config file (when a spec named 'config'
 * exists and the option is given), then the command line, which wins.
 */
export function parseCommand(command: string, specs: readonly OptionSpec[], argv: string[],
  positionals: { min: number; max: number; names: string } = { min: 0, max: 0, names: '' }): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const s of specs) options[s.name] = { type: s.kind === 'flag' && !s.list ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: listFlagValues(specs, argv), options, strict: true, allowPositionals: positionals.max > 0 } as Parameters<typeof parseArgs>[0]);
  } catch (e) {
    throw rewordParseError(command, specs, e as Error & { code?: string });
  }
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  if (raw.help) return { values: {}, positionals: parsed.positionals, help: true, given: new Set() };
  if (parsed.positionals.length < positionals.min) {
    throw new UsageError(`tessera ${command}: missing ${positionals.names} (see 'tessera ${command} --help')`);
  }
  if (parsed.positionals.length > positionals.max) {
    throw new UsageError(`tessera ${command}: unexpected argument '${parsed.positionals[positionals.max]}' (see 'tessera ${command} --help')`);
  }
  const values = defaultValues(specs);
  if (typeof raw.config === 'string' && specs.some((s) => s.name === 'config')) {
    Object.assign(values, readConfigFile(command, specs, raw.config));
  }
  const given = new Set<string>();
  for (const s of specs) {
    const v = raw[s.name];
    if (v !== undefined) { values[s.name] = convert(command, s, v); given.add(s.name); }
  }
  return { values, positionals: parsed.positionals, help: false, given };
}

/** Every option's default value (the options without one are left out). */
export function defaultValues(specs: readonly OptionSpec[]): Values {
  const values: Values = {};
  for (const s of specs) if (s.default !== undefined) values[s.name] = s.default;
  return values;
}

/** The --help text of a command. */
export function formatHelp(command: string, usage: string, summary: string, specs: readonly OptionSpec[], notes = ''): string {
  const lines = [`Usage: tessera ${command} ${usage}`.trimEnd(), '', summary, '', 'Options:'];
  const left = specs.map((s) => {
    const ph = s.kind === 'flag' ? '' : ` <${s.placeholder ?? (s.kind === 'choice' ? (s.choices ?? []).join('|') : s.kind === 'string' ? 'value' : s.kind === 'int' ? 'n' : 'x')}>`;
    return `  --${s.name}${ph}`;
  });
  const width = Math.min(40, Math.max(...left.map((l) => l.length), 10)) + 2;
  specs.forEach((s, i) => {
    const def = s.default !== undefined && s.kind !== 'flag' ? ` (default ${s.default})` : '';
    const l = left[i];
    lines.push(l.length >= width ? `${l}\n${' '.repeat(width)}${s.help}${def}` : `${l.padEnd(width)}${s.help}${def}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(width - 2)}show this help`);
  if (notes) lines.push('', notes.trimEnd());
  return lines.join('\n') + '\n';
}

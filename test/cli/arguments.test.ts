// Help for every command, and usage errors that name the option and the accepted values (exit 2).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/cli/main.js';
import { parseCommand } from '../../src/cli/options.js';
import { expandVariants, sweepCommand } from '../../src/cli/sweep.js';
import { cli, tempDir } from './helpers.js';

describe('help', () => {
  test('tessera --help lists every command', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name} `);
  });

  test.each(COMMANDS.map((c) => c.name))('tessera %s --help shows every option', async (name) => {
    const r = await cli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: tessera ${name}`));
    for (const o of COMMANDS.find((c) => c.name === name)!.options) expect(r.stdout).toContain(`--${o.name}`);
  });

  test('train --help states the default epochs and model', async () => {
    const r = await cli(['train', '--help']);
    expect(r.stdout).toMatch(/--epochs <n>\s+passes over the training set \(default 20\)/);
    expect(r.stdout).toContain('784→64→32→64→784');
  });
});

describe('usage errors exit with 2 and say what was expected', () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command 'frobnicate' \(commands: train, eval/],
    [['train', '--bogus'], /tessera train: unknown option '--bogus' \(accepted: --model, --latent/],
    [['train', '--model', 'transformer'], /--model expects one of dense, conv, denoising, sparse, vae, got "transformer"/],
    [['train', '--lr', 'fast'], /--lr expects a positive number, got "fast"/],
    [['train', '--lr', '0'], /--lr expects a positive number, got "0"/],
    [['train', '--epochs', '2.5'], /--epochs expects an integer >= 1, got "2.5"/],
    [['train', '--dropout', '1.5'], /--dropout expects a number in \[0, 0.99\], got "1.5"/],
    [['train', '--optimizer', 'lbfgs'], /--optimizer expects one of sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad/],
    [['train', '--epochs'], /--epochs needs a value \(an integer >= 1\)/],
    [['train', '--quiet=yes'], /--quiet is a switch and takes no value/],
    [['train', '--hidden', '64,x'], /--hidden expects positive integers separated by commas/],
    [['train', '--lr', '1e-3,3e-3'], /--lr expects a positive number, got "1e-3,3e-3" \(lists of values are for 'tessera sweep'\)/],
    [['train', 'extra'], /unexpected argument 'extra'/],
    [['eval'], /tessera eval: missing the run folder/],
    [['sweep', '--activation', 'relu,swish'], /--activation expects one of relu, .* got "swish"/],
    [['sweep', '--batch-norm=maybe'], /--batch-norm expects true or false, got "maybe"/],
    [['sweep', '--seed', '0,1,0'], /tessera sweep: --seed lists 0 twice/],
    [['train', '--resume', 'runs/x', '--lr', '0.1'], /only --epochs, --backend, --threads and --quiet may be given/],
    [['train', '--backend', 'js', '--threads', '2'], /--threads applies to the native and wasm backends only \(this run uses 'js'\)/],
  ];
  test.each(cases)('%j', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('switches in a sweep', () => {
  const parse = (argv: string[]) => parseCommand('sweep', sweepCommand.options, argv).values;
  test('--batch-norm takes a list of true/false, and alone still means on', () => {
    expect(parse(['--batch-norm', 'false,true'])['batch-norm']).toEqual([false, true]);
    expect(parse(['--batch-norm=true,false', '--lr', '1e-3'])['batch-norm']).toEqual([true, false]);
    expect(parse(['--batch-norm'])['batch-norm']).toBe(true);
    const v = parse(['--batch-norm', '--quiet']);
    expect([v['batch-norm'], v.quiet]).toEqual([true, true]);
    expect(parse(['--batch-norm', 'false'])['batch-norm']).toBe(false);
    expect(parse([])['batch-norm']).toBe(false);
    expect(expandVariants(parse(['--batch-norm', 'false,true', '--dropout', '0,0.3']), sweepCommand.options).map((x) => x.name))
      .toEqual(['dropout=0 batch-norm=false', 'dropout=0 batch-norm=true', 'dropout=0.3 batch-norm=false', 'dropout=0.3 batch-norm=true']);
  });
});

describe('config files', () => {
  test('unknown keys, bad values and bad JSON are usage errors naming the file', async () => {
    const dir = tempDir('config');
    const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
    const unknown = write('unknown.json', JSON.stringify({ epochs: 1, learning_rate: 0.1 }));
    let r = await cli(['train', '--config', unknown]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`unknown key 'learning_rate' in the config file '${unknown}' \\(accepted: model, latent`));
    r = await cli(['train', '--config', write('bad.json', JSON.stringify({ model: 'gan' }))]);
    expect(r.stderr).toMatch(/--model \(in '.*bad.json'\) expects one of dense/);
    r = await cli(['train', '--config', write('broken.json', '{"epochs": ')]);
    expect(r.stderr).toMatch(/broken.json' is not valid JSON/);
    r = await cli(['train', '--config', path.join(dir, 'missing.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the config file '.*missing.json'/);
  });
});

describe('runtime errors exit with 1 and name the file', () => {
  test('a missing run folder', async () => {
    const r = await cli(['eval', '/nonexistent/run', '--backend', 'js']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the run folder '\/nonexistent\/run' does not exist/);
  });

  test('a folder that is not a run', async () => {
    const dir = tempDir('notrun');
    const r = await cli(['reconstruct', dir, '--backend', 'js']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`'${dir}' is not a run folder: it has no config.json`);
  });

  test('bench says where its runner should be when it is not built', async () => {
    const r = await cli(['bench', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dist/bench/run.js');
  });
});

describe('tessera info', () => {
  test('--json lists every backend with availability and, for js, its description', async () => {
    const r = await cli(['info', '--json', '--no-webgpu']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.backends.map((b: { name: string }) => b.name)).toEqual(['js', 'native', 'wasm', 'webgpu']);
    expect(report.backends[0]).toMatchObject({ name: 'js', available: true });
    expect(report.backends[3]).toMatchObject({ available: false, reason: 'not probed (--no-webgpu)' });
    const wasm = report.backends[2];
    if (wasm.available) expect(wasm.details).toMatchObject({ simd: 'wasm simd128', threads: expect.any(Number), gemmTile: expect.any(String) });
    else expect(wasm.reason).toMatch(/\S/);
    const native = report.backends[1];
    // Either it loaded and says which ISA path and how many threads, or it says why not.
    if (native.available) expect(native.details).toMatchObject({ isa: expect.any(String), threads: expect.any(Number) });
    else expect(native.reason).toMatch(/\S/);
  });
});

// A run folder after things went wrong: resuming a run with no checkpoint yet or with missing
// outputs, the backend a run resumes on, a diverging run, and checkpoint and config files that
// are damaged (field by field, and a seeded fuzz of the checkpoint file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { Generator, availableBackends, setBackend } from '../../src/index.js';
import { readSafetensors, writeSafetensors, type SafetensorsInput } from '../../src/io/safetensors.js';
import { CliError } from '../../src/cli/command.js';
import { readRunConfig } from '../../src/cli/run-folder.js';
import { newSession } from '../../src/train/training-session.js';
import { loadCheckpoint } from '../../src/train/resume.js';
import { loadTrainingCheckpoint } from '../../src/train/resume.js';
import { cli, tempDir } from './helpers.js';

const root = tempDir('checkpoint');
const TINY = ['--limit', '300', '--hidden', '8', '--latent', '2', '--quiet'];
const JS = ['--backend', 'js', ...TINY];
const straight = path.join(root, 'straight');      // 2 epochs, uninterrupted
const stopped = path.join(root, 'stopped');        // Ctrl-C after step 1 of epoch 1 (a partial epoch)
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
const bytes = (dir: string, f = 'model.safetensors') => fs.readFileSync(path.join(dir, f));
const META = 'tessera.training';

/** Rewrites a checkpoint's training-state JSON with `edit`, keeping its tensors. */
function editCheckpoint(dir: string, edit: (meta: Record<string, unknown>) => void): string {
  const file = path.join(dir, 'checkpoint.safetensors');
  const parsed = readSafetensors(file);
  const meta = JSON.parse(parsed.metadata[META]);
  edit(meta);
  const tensors: Record<string, SafetensorsInput> = {};
  for (const [name, t] of parsed.tensors) tensors[name] = { dtype: 'F32', shape: t.shape, data: t.data };
  writeSafetensors(file, tensors, { ...parsed.metadata, [META]: JSON.stringify(meta) });
  return file;
}

function copyRun(from: string, name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  setBackend('js');
  const r = await cli(['train', ...JS, '--epochs', '2', '--out', straight]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const controller = new AbortController();
  const s = await cli(['train', '--backend', 'js', '--limit', '300', '--hidden', '8', '--latent', '2', '--epochs', '2', '--out', stopped],
    { signal: controller.signal, stderrTTY: true, onStderr: () => controller.abort() });
  expect(s.code).toBe(130);
}, 60_000);

describe('a way forward after a crash', () => {
  test('killed in the first epoch (only config.json): --resume trains from the start with the same options', async () => {
    const dir = path.join(root, 'config-only');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(straight, 'config.json'), path.join(dir, 'config.json'));
    const again = await cli(['train', ...JS, '--epochs', '2', '--out', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`continue it with --resume ${dir}`);
    const r = await cli(['train', '--resume', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('has no checkpoint yet (it stopped in its first epoch): training it from the start');
    expect(bytes(dir).equals(bytes(straight))).toBe(true);
    expect(readJson(path.join(dir, 'metrics.json')).history.loss).toEqual(readJson(path.join(straight, 'metrics.json')).history.loss);
  });

  test('killed while writing the final outputs: --resume writes them instead of refusing', async () => {
    const dir = copyRun(straight, 'outputs-missing');
    for (const f of ['model.safetensors', 'reconstructions.png', 'loss.png', 'latent.png']) fs.rmSync(path.join(dir, f));
    const metrics = readJson(path.join(dir, 'metrics.json'));
    fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ complete: false, config: metrics.config, history: metrics.history }));
    const r = await cli(['train', '--resume', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the run finished training; writing its missing outputs');
    for (const f of ['model.safetensors', 'reconstructions.png', 'loss.png', 'latent.png']) expect(bytes(dir, f).equals(bytes(straight, f)), f).toBe(true);
    expect(readJson(path.join(dir, 'metrics.json'))).toMatchObject({ complete: true, test: metrics.test });
    // Once complete, it is finished.
    const again = await cli(['train', '--resume', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already finished 2 epochs; pass --epochs N with N > 2/);
  });

  test('stopped inside an epoch past a lowered --epochs: says how to finish it', async () => {
    const dir = path.join(root, 'stopped-in-2');
    const controller = new AbortController();
    // the progress bar's first draw in epoch 2 (after its first step): Ctrl-C then
    const r = await cli(['train', '--backend', 'js', '--limit', '300', '--hidden', '8', '--latent', '2', '--epochs', '2', '--out', dir],
      { signal: controller.signal, stderrTTY: true, onStderr: (s) => { if (s.includes('epoch 2/2 [')) controller.abort(); } });
    expect(r.code).toBe(130);
    const again = await cli(['train', '--resume', dir, '--epochs', '1', '--quiet']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`the run in '${dir}' stopped inside epoch 2; pass --epochs N with N > 1 to finish it`);
  });

  test('temporary files of a killed write are removed on the next run', async () => {
    const dir = copyRun(stopped, 'orphans');
    // pid 2^22 + 1 is above Linux's pid_max default: no such process runs.
    const orphan = `.checkpoint.safetensors.${2 ** 22 + 1}.mx5abcde.3.tmp`;
    fs.writeFileSync(path.join(dir, orphan), 'half a file');
    const ours = `.metrics.json.${process.pid}x.tmp`;                     // not a name tessera makes: kept
    fs.writeFileSync(path.join(dir, ours), '');
    const r = await cli(['train', '--resume', dir, '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`removed 1 unfinished temporary file of a killed write: ${orphan}`);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([ours]);
  });
});

const native = availableBackends().find((b) => b.name === 'native')?.available === true;

describe.skipIf(!native)('the backend of a resumed run (needs the native addon, a second CPU backend)', () => {
  test('resumes on the backend it trained on, whatever TESSERA_BACKEND says; another --backend warns', async () => {
    const one = path.join(root, 'native-1');
    let r = await cli(['train', '--backend', 'native', ...TINY, '--epochs', '1', '--out', one]);
    expect(r.code).toBe(0);
    expect(readJson(path.join(one, 'config.json')).backend).toBe('native');
    const two = path.join(root, 'native-2');
    r = await cli(['train', '--backend', 'native', ...TINY, '--epochs', '2', '--out', two]);
    expect(r.code).toBe(0);
    const resumed = copyRun(one, 'native-resumed');
    const saved = process.env.TESSERA_BACKEND;
    process.env.TESSERA_BACKEND = 'js';
    try {
      r = await cli(['train', '--resume', resumed, '--epochs', '2', '--quiet']);
    } finally {
      if (saved === undefined) delete process.env.TESSERA_BACKEND; else process.env.TESSERA_BACKEND = saved;
    }
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readJson(path.join(resumed, 'metrics.json')).backend).toMatch(/^native/);
    expect(bytes(resumed).equals(bytes(two))).toBe(true);
    const elsewhere = copyRun(one, 'native-on-js');
    r = await cli(['train', '--resume', elsewhere, '--epochs', '2', '--backend', 'js', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`the run in '${elsewhere}' trained on the native backend; continuing on js (--backend), so its results will differ`);
    expect(readJson(path.join(elsewhere, 'metrics.json')).backend).toMatch(/^js/);
  });
});

describe('a diverging run', () => {
  test('stops at the first non-finite loss, names the step, and writes no NaN weights', async () => {
    const dir = path.join(root, 'diverged');
    // batch 32: 10 steps an epoch, so it breaks inside the first
    const r = await cli(['train', ...JS, '--activation', 'linear', '--optimizer', 'sgd', '--lr', '50', '--batch-size', '32', '--epochs', '2', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tessera train: the training loss became (NaN|Infinity|-Infinity) at step \d of epoch 1; training stopped there/);
    expect(r.stderr).toContain('Lower the learning rate (--lr 50 now) or clip the gradients');
    expect(r.stderr).toContain('no checkpoint was saved (it diverged in its first epoch)');
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
    const metrics = readJson(path.join(dir, 'metrics.json'));
    expect(metrics).toMatchObject({ complete: false, stopped: { reason: 'nonfinite', epoch: 0 } });
  });

  test('diverging after a checkpoint keeps that checkpoint as it was', async () => {
    const one = path.join(root, 'sgd-1');
    let r = await cli(['train', ...JS, '--activation', 'linear', '--optimizer', 'sgd', '--lr', '0.001', '--epochs', '1', '--out', one]);
    expect(r.code).toBe(0);
    // The checkpoint carries the optimizer's lr: raise it there, as a schedule gone wrong would.
    editCheckpoint(one, (m) => { (m.optimizer as { groups: { options: { lr: number } }[] }).groups[0].options.lr = 5000; });
    const before = bytes(one, 'checkpoint.safetensors');
    r = await cli(['train', '--resume', one, '--epochs', '2', '--quiet']);
    expect(r.code).toBe(1);
    // 2 steps an epoch here: the loss may break in a step or only in the test loss after them
    expect(r.stderr).toMatch(/the (training loss became (NaN|Infinity|-Infinity) at step \d of epoch 2|test loss after epoch 2 is (NaN|Infinity|-Infinity))/);
    expect(r.stderr).toContain('Lower the learning rate (--lr 5000 now)');
    expect(r.stderr).toContain(`the last good checkpoint (after epoch 1) is kept in ${one}`);
    expect(bytes(one, 'checkpoint.safetensors').equals(before)).toBe(true);
    expect(fs.existsSync(path.join(one, 'loss.png'))).toBe(true);
  });
});

describe('one resume format', () => {
  test("a run's checkpoint loads with the library's loadTrainingCheckpoint", () => {
    const config = readRunConfig('test', straight);
    const s = newSession(config, 300);
    const epoch = loadTrainingCheckpoint(path.join(straight, 'checkpoint.safetensors'), s.model, { optimizer: s.optimizer, generators: [s.modelGenerator] });
    expect(epoch).toBe(2);
    const final = readSafetensors(path.join(straight, 'model.safetensors')).tensors;
    for (const [name, t] of Object.entries(s.model.stateDict())) expect([...t.dataSync()], name).toEqual([...(final.get(name)?.data ?? [])]);
  });
});

describe('damaged checkpoint and config files', () => {
  const resumeFails = async (name: string, edit: (meta: Record<string, unknown>) => void) => {
    const dir = copyRun(stopped, name);
    const file = editCheckpoint(dir, edit);
    const r = await cli(['train', '--resume', dir, '--backend', 'js', '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`'${file}' is not a valid checkpoint: `);
    return r.stderr;
  };
  type Loader = { nextBatch: number; generator: number[]; epochStartGenerator: number[] | null };

  test('each field is checked, and the message names it', async () => {
    expect(await resumeFails('next-batch', (m) => { (m.loader as Loader).nextBatch = 7; }))
      .toContain("'loader.nextBatch' must be an integer in [0, 2], got 7");
    expect(await resumeFails('generator-length', (m) => { (m.loader as Loader).generator = [1, 2, 3]; }))
      .toContain("'loader.generator' is not a generator state: expected 8 numbers [s0, s1, s2, s3, spareNormal, key0, key1, counter] (or the first 5), got 3");
    expect(await resumeFails('generator-zero', (m) => { m.generators = [[0, 0, 0, 0, null]]; }))
      .toContain("'generators[0]' is not a generator state: the state words s0..s3 are all zero");
    expect(await resumeFails('history', (m) => { m.history = {}; }))
      .toContain("'history.epoch' must be a list of 0 (one per epoch done: 'epoch' is 0), got nothing");
    // The partial epoch's samples must be the loader's steps × batch size (256 after step 1).
    expect(await resumeFails('partial', (m) => { m.partial = { samples: 100000, meanLoss: -12436, seconds: 1 }; }))
      .toContain("'partial.samples' must be an integer in [256, 256], got 100000");
    expect(await resumeFails('partial-loss', (m) => { (m.partial as { meanLoss: unknown }).meanLoss = null; }))
      .toContain("'partial.meanLoss' must be a finite number, got null");
    expect(await resumeFails('epoch', (m) => { m.epoch = 1; }))
      .toContain("'loader.epoch' must be 1, the same as 'epoch' (they are saved together), got 0");
  }, 60_000);

  test('a config with 1e999 names the value; a byte-order mark is accepted', async () => {
    const dir = path.join(root, 'configs');
    fs.mkdirSync(dir);
    const huge = path.join(dir, 'huge.json');
    fs.writeFileSync(huge, '{"lr": 1e999}');
    let r = await cli(['train', '--config', huge, ...JS, '--out', path.join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--lr (in '${huge}') expects a positive number, got Infinity (a number too large for a double)`);
    const bom = path.join(dir, 'bom.json');
    fs.writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"seed": 3, "epochs": 1}')]));
    const out = path.join(dir, 'from-bom');
    r = await cli(['train', '--config', bom, ...JS, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readRunConfig('test', out)).toMatchObject({ seed: 3, epochs: 1 });
  });

  test('fuzz: truncated, bit-flipped and mangled checkpoints load or fail naming the file, never crash', () => {
    const dir = copyRun(stopped, 'fuzz');
    const file = path.join(dir, 'checkpoint.safetensors');
    const valid = fs.readFileSync(file);
    const config = readRunConfig('test', dir);
    const headerLength = Number(valid.readBigUInt64LE(0));
    const g = new Generator(20261202);
    const pick = <T>(xs: readonly T[]): T => xs[g.nextUint32() % xs.length];
    const junk: unknown[] = [null, -1, 0, 1.5, 2 ** 53, 1e308, 'x', [], {}, true, [0, 0, 0, 0, 0], { samples: 1 }];
    const meta = JSON.parse(readSafetensors(file).metadata[META]);
    /** Every path to a value in the JSON: ['loader', 'generator', 2], … */
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, at: (string | number)[]) => {
      if (at.length) paths.push(at);
      if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, Array.isArray(v) ? Number(k) : k]);
    };
    walk(meta, []);
    const mutations: [string, () => void][] = [
      ['truncate', () => fs.writeFileSync(file, valid.subarray(0, g.nextUint32() % valid.length))],
      ['flip bits', () => {
        const b = Buffer.from(valid);
        for (let i = g.nextUint32() % 8; i >= 0; i--) { const at = g.nextUint32() % b.length; b[at] ^= 1 << (g.nextUint32() % 8); }
        fs.writeFileSync(file, b);
      }],
      ['flip header bits', () => {
        const b = Buffer.from(valid);
        const at = 8 + (g.nextUint32() % headerLength);
        b[at] ^= 1 << (g.nextUint32() % 8);
        fs.writeFileSync(file, b);
      }],
      ['header length', () => {
        const b = Buffer.from(valid);
        b.writeBigUInt64LE(BigInt(pick([0, 1, headerLength - 8, headerLength + 8, valid.length, 2 ** 40])), 0);
        fs.writeFileSync(file, b);
      }],
      ['replace a field', () => {
        fs.writeFileSync(file, valid);
        const at = pick(paths);
        editCheckpoint(dir, (m) => {
          let o = m as Record<string | number, unknown>;
          for (const k of at.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
          if (g.nextUint32() % 4 === 0) delete o[at[at.length - 1]]; else o[at[at.length - 1]] = pick(junk);
        });
      }],
    ];
    let loaded = 0, refused = 0;
    for (let i = 0; i < 200; i++) {
      const [kind, mutate] = mutations[i % mutations.length];
      mutate();
      const session = newSession(config, 300);
      try {
        loadCheckpoint('train', dir, session, { trainRows: 300, batchSize: config.batchSize });
        loaded++;
      } catch (e) {
        expect(e, `${kind} #${i}: ${(e as Error).stack}`).toBeInstanceOf(CliError);
        expect((e as Error).message, `${kind} #${i}`).toContain(file);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(loaded).toBeGreaterThan(0);        // flips in the weights' bytes are still a checkpoint
  });
});

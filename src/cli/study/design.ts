// The study's design: for each question of the seed (activation, learning rate × batch size,
// regularisation, optimizer, dropout vs batch norm, AE vs PCA, codes as features, generating),
// the runs that answer it, at the sizes of a budget. A run is one variant (its settings) at one
// repeat; its name says its settings in full and its seed is a hash of that name, so a run gives
// the same numbers whichever other runs share its process, shard or position (a variant two
// sections need, e.g. the unregularised overfitting model, is one run, done once).

/** The sections, in the report's order; `--only` takes these names. */
export const SECTIONS = ['activation', 'lr-batch', 'regularisation', 'optimizers', 'dropout-bn', 'ae-pca', 'features', 'generating'] as const;
export type SectionId = (typeof SECTIONS)[number];

export const BUDGETS = ['quick', 'standard', 'full'] as const;
export type BudgetName = (typeof BUDGETS)[number];

/** A training regime: the data and the model most variants of a section start from. */
export interface Regime {
  trainRows: number;
  epochs: number;
  hidden: number;
  latent: number;
  batchSize: number;
}

export interface Budget {
  name: BudgetName;
  /** Repeats of every variant (≥ 3: a mean ± sd and a test need them). */
  repeats: number;
  /** The default model on a subset: activation, lr × batch, optimizers, AE vs PCA, VAE. */
  main: Regime;
  /** Few training rows, a wide model, many epochs: a model that overfits (regularisation, dropout). */
  overfit: Regime;
  /** Learning-rate grids: per activation, lr × batch (a ×4 ladder, so lr ∝ batch has cells), per optimizer. */
  activationLrs: number[];
  batchSizes: number[];
  batchLrs: number[];
  optimizerLrs: number[];
  codeSizes: number[];
  /** Epochs of the lr × batch grid at equal epochs; at equal updates the middle batch size gets these. */
  batchEpochs: number;
  /** kNN queries (test rows) and linear-probe epochs for codes as features. */
  knnQueries: number;
  probeEpochs: number;
}

export const BUDGET_TABLE: Record<BudgetName, Budget> = {
  quick: {
    name: 'quick', repeats: 3,
    main: { trainRows: 600, epochs: 3, hidden: 32, latent: 16, batchSize: 32 },
    overfit: { trainRows: 100, epochs: 15, hidden: 128, latent: 32, batchSize: 16 },
    activationLrs: [3e-3], batchSizes: [16, 64], batchLrs: [1e-3, 4e-3], optimizerLrs: [1e-2, 1e-1],
    codeSizes: [2, 8, 32], batchEpochs: 2, knnQueries: 200, probeEpochs: 3,
  },
  standard: {
    name: 'standard', repeats: 3,
    main: { trainRows: 5000, epochs: 5, hidden: 64, latent: 32, batchSize: 64 },
    overfit: { trainRows: 500, epochs: 50, hidden: 256, latent: 64, batchSize: 32 },
    activationLrs: [1e-3, 4e-3], batchSizes: [16, 64, 256], batchLrs: [2.5e-4, 1e-3, 4e-3, 1.6e-2], optimizerLrs: [1e-3, 1e-2, 1e-1, 1],
    codeSizes: [2, 4, 8, 16, 32, 64], batchEpochs: 4, knnQueries: 1000, probeEpochs: 10,
  },
  full: {
    name: 'full', repeats: 5,
    main: { trainRows: 60000, epochs: 20, hidden: 128, latent: 32, batchSize: 64 },
    overfit: { trainRows: 2000, epochs: 200, hidden: 1024, latent: 64, batchSize: 32 },
    activationLrs: [3e-4, 1e-3, 3e-3, 1e-2], batchSizes: [16, 64, 256], batchLrs: [2.5e-4, 1e-3, 4e-3, 1.6e-2, 6.4e-2], optimizerLrs: [1e-4, 1e-3, 1e-2, 1e-1, 1],
    codeSizes: [2, 4, 8, 16, 32, 64], batchEpochs: 8, knnQueries: 10000, probeEpochs: 20,
  },
};

/** What a run's settings may change from its regime (tessera train's option names). */
export interface Settings {
  model?: 'dense' | 'denoising' | 'sparse' | 'vae';
  activation?: string;
  lr?: number;
  'batch-size'?: number;
  epochs?: number;
  optimizer?: string;
  l1?: number;
  l2?: number;
  dropout?: number;
  'batch-norm'?: boolean;
  noise?: number;
  beta?: number;
  latent?: number;
  hidden?: number;
}

/** What a run measures beyond reconstruction: codes as features, the VAE's KL and pictures, the PCA baseline. */
export type RunKind = 'ae' | 'features' | 'vae' | 'pca';

export interface Variant {
  /** `<regime>:<setting=value,…>` (only the settings that differ from the regime): unique, stable. */
  name: string;
  regime: 'main' | 'overfit';
  settings: Settings;
  kind: RunKind;
}

export interface RunSpec {
  /** `<variant>#<repeat>`: names the result file and seeds the run. */
  name: string;
  variant: Variant;
  repeat: number;
  seed: number;
}

const KEY_ORDER: (keyof Settings)[] = ['model', 'activation', 'optimizer', 'lr', 'batch-size', 'epochs', 'l1', 'l2', 'dropout', 'batch-norm', 'noise', 'beta', 'latent', 'hidden'];

export function variant(regime: 'main' | 'overfit', settings: Settings, kind: RunKind = 'ae'): Variant {
  const parts = KEY_ORDER.filter((k) => settings[k] !== undefined).map((k) => `${k}=${settings[k]}`);
  const name = kind === 'pca' ? `${regime}:pca` : `${regime}:${parts.join(',')}`;
  return { name, regime, settings, kind };
}

/** FNV-1a of the name, as a seed in [0, 2³¹): the same name always trains the same way. */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

export const ACTIVATIONS = ['relu', 'leaky-relu', 'elu', 'selu', 'gelu', 'tanh', 'sigmoid'];
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adagrad', 'adam', 'adamw'];
export const BETAS = [0.5, 1, 4];

/** Epochs of batch size b at equal updates: the middle batch size's epochs scaled by b / middle. */
export function equalUpdateEpochs(b: Budget, batch: number): number {
  const mid = b.batchSizes[Math.floor((b.batchSizes.length - 1) / 2)];
  return Math.max(1, Math.round((b.batchEpochs * batch) / mid));
}

/** The regularisers of 1.3 and the dropout / batch-norm variants of 1.5 (both in the overfitting regime). */
export const REGULARISERS: { label: string; settings: Settings }[] = [
  { label: 'none', settings: {} },
  { label: 'L1 weights 1e-5', settings: { l1: 1e-5 } },
  { label: 'L2 weights 1e-4', settings: { l2: 1e-4 } },
  { label: 'L1 activity (sparse code) 1e-4', settings: { model: 'sparse', l1: 1e-4 } },
  { label: 'input noise 0.3 (denoising)', settings: { model: 'denoising', noise: 0.3 } },
];
export const NORMALISERS: { label: string; settings: Settings }[] = [
  { label: 'none', settings: {} },
  { label: 'dropout 0.1', settings: { dropout: 0.1 } },
  { label: 'dropout 0.3', settings: { dropout: 0.3 } },
  { label: 'batch norm', settings: { 'batch-norm': true } },
  { label: 'batch norm + dropout 0.1', settings: { 'batch-norm': true, dropout: 0.1 } },
];

/** The sections' variants by what they vary: the design runs them and the report (sections*.ts) looks them up, through these alone. */
export const VARIANTS = {
  activation: (activation: string, lr: number) => variant('main', { activation, lr }),
  optimizer: (optimizer: string, lr: number) => variant('main', { optimizer, lr }),
  batch: (lr: number, batch: number, epochs: number) => variant('main', { lr, 'batch-size': batch, epochs }),
  overfit: (settings: Settings) => variant('overfit', settings),
  pca: () => variant('main', {}, 'pca'),
  /** Autoencoder vs PCA: a linear autoencoder (twice the main width) with a code of `latent`. */
  linearCode: (b: Budget, latent: number) => variant('main', { activation: 'linear', latent, hidden: 2 * b.main.hidden }),
  /** Codes as features: the default activation, same width and code. */
  featureCode: (b: Budget, latent: number) => variant('main', { latent, hidden: 2 * b.main.hidden }, 'features'),
  vae: (b: Budget, beta: number) => variant('main', { model: 'vae', beta, hidden: 4 * b.main.hidden, latent: 8 }, 'vae'),
};

/** The variants of one section at a budget (a variant may belong to several sections). */
export function sectionVariants(section: SectionId, b: Budget): Variant[] {
  switch (section) {
    case 'activation':
      return ACTIVATIONS.flatMap((a) => b.activationLrs.map((lr) => VARIANTS.activation(a, lr)));
    case 'lr-batch':
      return b.batchSizes.flatMap((batch) => b.batchLrs.flatMap((lr) =>
        [VARIANTS.batch(lr, batch, b.batchEpochs), VARIANTS.batch(lr, batch, equalUpdateEpochs(b, batch))]));
    case 'regularisation': return REGULARISERS.map((r) => VARIANTS.overfit(r.settings));
    case 'dropout-bn': return NORMALISERS.map((r) => VARIANTS.overfit(r.settings));
    case 'optimizers':
      return OPTIMIZERS.flatMap((o) => b.optimizerLrs.map((lr) => VARIANTS.optimizer(o, lr)));
    case 'ae-pca':
    case 'features':
      return [
        VARIANTS.pca(),
        ...b.codeSizes.flatMap((latent) => [VARIANTS.linearCode(b, latent), VARIANTS.featureCode(b, latent)])
          .filter((v) => section === 'ae-pca' || v.kind === 'features'),
      ];
    case 'generating':
      return BETAS.map((beta) => VARIANTS.vae(b, beta));
  }
}

/** Every run of the sections, each once, in a fixed order (section order, then variant, then repeat). */
export function studyRuns(sections: readonly SectionId[], b: Budget): RunSpec[] {
  const seen = new Map<string, Variant>();
  for (const s of SECTIONS) if (sections.includes(s)) for (const v of sectionVariants(s, b)) if (!seen.has(v.name)) seen.set(v.name, v);
  const runs: RunSpec[] = [];
  for (const v of seen.values()) {
    // PCA is deterministic: one fit says it all
    const repeats = v.kind === 'pca' ? 1 : b.repeats;
    for (let r = 0; r < repeats; r++) {
      const name = `${v.name}#${r}`;
      runs.push({ name, variant: v, repeat: r, seed: seedOf(name) });
    }
  }
  return runs;
}

/** Relative cost of a run (training rows × epochs × width), for the ETA and for balancing workers. */
export function runCost(run: RunSpec, b: Budget): number {
  const reg = b[run.variant.regime];
  if (run.variant.kind === 'pca') return reg.trainRows * 2;
  const s = run.variant.settings;
  const width = (s.hidden ?? reg.hidden) + 16;
  // small batches cost more per row (a step's fixed overhead)
  const perRow = 1 + 16 / (s['batch-size'] ?? reg.batchSize);
  return reg.trainRows * (s.epochs ?? reg.epochs) * width * perRow + (run.variant.kind === 'features' ? reg.trainRows * 40 : 0);
}

/** The runs of shard i of n (1-based): every n-th run, so each shard gets a mix of sections. */
export function shardRuns(runs: readonly RunSpec[], shard: { index: number; count: number }): RunSpec[] {
  return runs.filter((_, k) => k % shard.count === shard.index - 1);
}

/** A file name for a run's result: the name with everything but [A-Za-z0-9.=-] replaced. */
export function runFileName(run: { name: string }): string {
  return `${run.name.replace(/[^A-Za-z0-9.=-]+/g, '_')}.json`;
}

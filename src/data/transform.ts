// The scaling a run fits on its training data and applies, unchanged, to every row it meets
// later (test rows, `tessera encode --data other.npy`, a Node app through loadRun): stored as
// JSON in config.json and in the weights' safetensors metadata.
//
//   divide       x / divisor                 (uint8 pixels: /255 → [0, 1])
//   minmax       (x − min_j) / (max_j − min_j) per feature j → [0, 1] on the training data
//   standardize  (x − mean_j) / std_j         per feature j (population std; 1 where a feature is constant)
//   none         x
//
// `auto` picks: uint8 → divide by 255; every value already in [0, 1] → none; else standardize.

export type ScaleMode = 'auto' | 'none' | 'minmax' | 'standardize';
export const SCALE_MODES: readonly ScaleMode[] = ['auto', 'none', 'minmax', 'standardize'];

export type TransformSpec =
  | { kind: 'none' }
  | { kind: 'divide'; divisor: number }
  | { kind: 'minmax'; min: number[]; range: number[] }
  | { kind: 'standardize'; mean: number[]; std: number[] };

export class DataTransform {
  constructor(readonly spec: TransformSpec) {
    checkSpec(spec);
  }

  /** Fits `mode` on training rows (n × rowSize). */
  static fit(mode: ScaleMode, values: Float32Array | Uint8Array, rowSize: number): DataTransform {
    return DataTransform.fitChunks(mode, values instanceof Uint8Array, rowSize, () => [values]);
  }

  /**
   * Fits `mode` on training rows given as chunks of whole rows (n_k × rowSize each), `bytes` when
   * they are uint8 data. `chunks()` is called once per pass (standardize takes two), so rows that
   * stay on disk are read a chunk at a time; the sums run in the same order as over one array,
   * so a streamed fit gives exactly the in-memory one.
   */
  static fitChunks(mode: ScaleMode, bytes: boolean, rowSize: number, chunks: () => Iterable<ArrayLike<number>>): DataTransform {
    if (mode === 'auto') {
      if (bytes) return new DataTransform({ kind: 'divide', divisor: 255 });
      let inUnit = true;
      for (const values of chunks()) {
        for (let i = 0; i < values.length && inUnit; i++) inUnit = values[i] >= 0 && values[i] <= 1;
        if (!inUnit) break;
      }
      return DataTransform.fitChunks(inUnit ? 'none' : 'standardize', bytes, rowSize, chunks);
    }
    if (mode === 'none') return new DataTransform({ kind: 'none' });
    if (mode === 'minmax') {
      const min = new Array<number>(rowSize).fill(Infinity), max = new Array<number>(rowSize).fill(-Infinity);
      for (const values of chunks()) {
        for (let r = 0; r < values.length / rowSize; r++) {
          for (let j = 0; j < rowSize; j++) {
            const v = values[r * rowSize + j];
            if (v < min[j]) min[j] = v;
            if (v > max[j]) max[j] = v;
          }
        }
      }
      return new DataTransform({ kind: 'minmax', min, range: min.map((m, j) => (max[j] > m ? max[j] - m : 1)) });
    }
    // Two passes in float64: the mean, then the mean squared deviation (no cancellation).
    const mean = new Array<number>(rowSize).fill(0), sq = new Array<number>(rowSize).fill(0);
    let n = 0;
    for (const values of chunks()) {
      const rows = values.length / rowSize;
      for (let r = 0; r < rows; r++) for (let j = 0; j < rowSize; j++) mean[j] += values[r * rowSize + j];
      n += rows;
    }
    for (let j = 0; j < rowSize; j++) mean[j] /= Math.max(n, 1);
    for (const values of chunks()) {
      for (let r = 0; r < values.length / rowSize; r++) for (let j = 0; j < rowSize; j++) { const d = values[r * rowSize + j] - mean[j]; sq[j] += d * d; }
    }
    const std = sq.map((s) => { const sd = Math.sqrt(s / Math.max(n, 1)); return sd > 0 ? sd : 1; });
    return new DataTransform({ kind: 'standardize', mean, std });
  }

  /** True when the transform maps the training data into [0, 1] (a sigmoid output and BCE fit it). */
  get unitRange(): boolean {
    return this.spec.kind !== 'standardize';
  }

  /** Rows (n × rowSize) in the model's units, as float32. */
  apply(values: ArrayLike<number>): Float32Array {
    const out = new Float32Array(values.length);
    const s = this.spec;
    switch (s.kind) {
      case 'none': for (let i = 0; i < out.length; i++) out[i] = values[i]; break;
      case 'divide': for (let i = 0; i < out.length; i++) out[i] = values[i] / s.divisor; break;
      case 'minmax': this.perFeature(values, out, s.min, s.range); break;
      case 'standardize': this.perFeature(values, out, s.mean, s.std); break;
    }
    return out;
  }

  /** Rows in the model's units back in the data's units. */
  invert(values: ArrayLike<number>): Float32Array {
    const out = new Float32Array(values.length);
    const s = this.spec;
    const f = s.kind === 'minmax' ? s.min.length : s.kind === 'standardize' ? s.mean.length : 1;
    for (let i = 0; i < out.length; i++) {
      const j = i % f;
      out[i] = s.kind === 'none' ? values[i] : s.kind === 'divide' ? values[i] * s.divisor
        : s.kind === 'minmax' ? values[i] * s.range[j] + s.min[j] : values[i] * s.std[j] + s.mean[j];
    }
    return out;
  }

  toJSON(): TransformSpec {
    return this.spec;
  }

  private perFeature(values: ArrayLike<number>, out: Float32Array, shift: number[], scale: number[]): void {
    const f = shift.length;
    if (values.length % f !== 0) throw new Error(`DataTransform.apply: ${values.length} values do not split into rows of the ${f} features the transform was fitted on`);
    for (let i = 0; i < out.length; i++) { const j = i % f; out[i] = (values[i] - shift[j]) / scale[j]; }
  }
}

function checkSpec(s: TransformSpec): void {
  const bad = (what: string): never => { throw new Error(`DataTransform: ${what} (got ${JSON.stringify(s).slice(0, 200)})`); };
  if (s === null || typeof s !== 'object') bad('expected an object with a kind');
  const finite = (a: unknown, name: string, positive: boolean) => {
    if (!Array.isArray(a) || a.length === 0 || !a.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0))) {
      bad(`'${name}' must be a non-empty list of finite${positive ? ' positive' : ''} numbers`);
    }
  };
  switch (s.kind) {
    case 'none': return;
    case 'divide': if (!(typeof s.divisor === 'number' && Number.isFinite(s.divisor) && s.divisor > 0)) bad(`'divisor' must be a positive number`); return;
    case 'minmax': finite(s.min, 'min', false); finite(s.range, 'range', true); if (s.min.length !== s.range.length) bad('min and range differ in length'); return;
    case 'standardize': finite(s.mean, 'mean', false); finite(s.std, 'std', true); if (s.mean.length !== s.std.length) bad('mean and std differ in length'); return;
    default: bad(`kind must be one of none, divide, minmax, standardize`);
  }
}

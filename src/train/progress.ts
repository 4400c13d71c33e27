// The progress reporter: the only thing below the CLI that writes to a terminal, and only to
// the stream it is given. On a TTY it redraws one line in place (\r, then ESC[K to clear the
// rest) with a bar, the percentage, the running loss, samples/s and the ETA; elsewhere (a pipe,
// a log file, CI) it prints one plain line per epoch:
//   epoch 3/20  loss 0.0213  val 0.0208  4.1 s  14,600 samples/s
// and, with fit's metrics, the validation metrics after the validation loss:
//   epoch 3/20  loss 0.0213  val 0.0208  val mse 0.0208  val psnr 16.8 dB  4.1 s  14,600 samples/s
import { METRIC_LOG_KEYS, METRIC_NAMES, type MetricLogs } from './metrics.js';

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface TrainInfo {
  epochs: number;
  initialEpoch: number;
  stepsPerEpoch: number;
  samplesPerEpoch: number;
}

export interface BatchInfo {
  /** 0-based epoch. */
  epoch: number;
  /** Steps done in this epoch (1-based count). */
  step: number;
  samplesDone: number;
  /** Seconds since the epoch started. */
  seconds: number;
  /** Running mean loss of the epoch (NaN when not read yet). */
  loss: number;
}

export interface EpochInfo extends MetricLogs {
  epoch: number;
  loss: number;
  valLoss?: number;
  seconds: number;
  samplesPerSecond: number;
  lr: number;
}

export interface ProgressReporter {
  trainBegin(info: TrainInfo): void;
  batchEnd(info: BatchInfo): void;
  epochEnd(info: EpochInfo): void;
  trainEnd(): void;
}

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** 0.0213, 1.50, 2.13e-4: three significant digits. */
export function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? v.toPrecision(3) : v.toExponential(2);
}

/** 14,600 */
export function formatRate(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–';
}

/** 4.1 s, 2m 05s, 1h 02m */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The one-line summary of an epoch (both modes end an epoch with it). */
export function epochLine(info: EpochInfo, epochs: number): string {
  const parts = [`epoch ${info.epoch + 1}/${epochs}`, `loss ${formatLoss(info.loss)}`];
  if (info.valLoss !== undefined) parts.push(`val ${formatLoss(info.valLoss)}`);
  for (const m of METRIC_NAMES) {
    const v = info[METRIC_LOG_KEYS[m]];
    if (v !== undefined) parts.push(m === 'psnr' ? `val psnr ${Number.isFinite(v) ? v.toFixed(1) : String(v)} dB` : `val ${m} ${formatLoss(v)}`);
  }
  parts.push(formatDuration(info.seconds), `${formatRate(info.samplesPerSecond)} samples/s`);
  return parts.join('  ');
}

/** One plain line per epoch. */
export class LineReporter implements ProgressReporter {
  private epochs = 0;
  constructor(private readonly stream: ProgressStream) {}
  trainBegin(info: TrainInfo): void { this.epochs = info.epochs; }
  batchEnd(): void { /* nothing between epochs */ }
  epochEnd(info: EpochInfo): void { this.stream.write(`${epochLine(info, this.epochs)}\n`); }
  trainEnd(): void { /* every line is already complete */ }
}

export interface BarOptions {
  /** Minimum time between redraws (default 100 ms): drawing must not slow the step. */
  minIntervalMs?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
  /** Width of the bar in characters (default 24). */
  width?: number;
}

/** A bar redrawn in place on a TTY. */
export class BarReporter implements ProgressReporter {
  private info: TrainInfo = { epochs: 0, initialEpoch: 0, stepsPerEpoch: 0, samplesPerEpoch: 0 };
  private lastDraw = -Infinity;
  private drawn = false;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly width: number;

  constructor(private readonly stream: ProgressStream, options: BarOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.width = options.width ?? 24;
  }

  trainBegin(info: TrainInfo): void {
    this.info = info;
  }

  /** e.g. `epoch 3/20 [=========>              ]  41%  loss 0.0213  14,600 samples/s  ETA 2.1 s` */
  barLine(b: BatchInfo): string {
    const total = Math.max(1, this.info.stepsPerEpoch);
    const frac = Math.min(1, b.step / total);
    const filled = Math.floor(frac * this.width);
    const bar = filled >= this.width ? '='.repeat(this.width) : `${'='.repeat(filled)}>${' '.repeat(this.width - filled - 1)}`;
    const rate = b.seconds > 0 ? b.samplesDone / b.seconds : NaN;
    const eta = b.step > 0 ? (b.seconds / b.step) * (total - b.step) : NaN;
    const parts = [
      `epoch ${b.epoch + 1}/${this.info.epochs} [${bar}] ${String(Math.floor(frac * 100)).padStart(3)}%`,
      `loss ${Number.isNaN(b.loss) ? '…' : formatLoss(b.loss)}`,
      `${formatRate(rate)} samples/s`,
      `ETA ${formatDuration(eta)}`,
    ];
    let line = parts.join('  ');
    const cols = this.stream.columns;
    if (cols !== undefined && cols > 10 && line.length > cols - 1) line = line.slice(0, cols - 1);
    return line;
  }

  batchEnd(b: BatchInfo): void {
    const t = this.now();
    if (t - this.lastDraw < this.minIntervalMs && b.step < this.info.stepsPerEpoch) return;
    this.lastDraw = t;
    this.stream.write(`\r${this.barLine(b)}\x1b[K`);
    this.drawn = true;
  }

  epochEnd(info: EpochInfo): void {
    // replace the bar with the epoch's summary and move to a new line
    this.stream.write(`${this.drawn ? '\r' : ''}${epochLine(info, this.info.epochs)}\x1b[K\n`);
    this.drawn = false;
    this.lastDraw = -Infinity;
  }

  trainEnd(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

/** 'auto' picks the bar on a TTY and lines elsewhere; 'none' reports nothing. */
export function createProgressReporter(mode: ProgressMode | ProgressReporter = 'auto',
  stream: ProgressStream = process.stderr, options: BarOptions = {}): ProgressReporter | null {
  if (typeof mode === 'object' && mode !== null) return mode;
  switch (mode) {
    case 'none': return null;
    case 'lines': return new LineReporter(stream);
    case 'bar': return new BarReporter(stream, options);
    case 'auto': return stream.isTTY ? new BarReporter(stream, options) : new LineReporter(stream);
    default: throw new Error(`progress: unknown mode '${String(mode)}' (expected 'auto', 'bar', 'lines', 'none' or a ProgressReporter)`);
  }
}

// Keras's CSVLogger: one row per epoch of the epoch logs (loss, valLoss, the metrics, lr, time),
// under a header written once. The epoch column is 0-based, as in Keras and in History.epoch.
//
// Each epoch rewrites the whole file atomically (io/atomic.ts: temp file, fsync, rename) rather
// than appending a line, so a reader or a crash sees the file as it was after some epoch, never a
// half row. With `append` (a resumed run) the rows already in the file are kept and the header is
// not repeated; a file whose header names other columns is refused instead of mixed.
import * as fs from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { METRIC_LOG_KEYS, METRIC_NAMES } from './metrics.js';
import type { Callback, EpochLogs } from './callbacks.js';

export interface CsvLoggerOptions {
  /** The CSV file to write. */
  path: string;
  /** Keep the rows of an existing file and add to them (default false: start a new file). */
  append?: boolean;
}

/** The columns, in this order, when present in the logs; any others follow, sorted. */
const COLUMN_ORDER: readonly string[] = ['loss', 'valLoss', ...METRIC_NAMES.map((m) => METRIC_LOG_KEYS[m]), 'lr', 'seconds', 'samplesPerSecond'];

function columnsOf(logs: EpochLogs): string[] {
  const keys = Object.keys(logs).filter((k) => typeof (logs as unknown as Record<string, unknown>)[k] === 'number');
  const known = COLUMN_ORDER.filter((k) => keys.includes(k));
  const others = keys.filter((k) => !COLUMN_ORDER.includes(k)).sort();
  return ['epoch', ...known, ...others];
}

export class CsvLogger implements Callback {
  readonly path: string;
  readonly append: boolean;
  /** The file's text so far (header and rows), each line ending in \n. */
  private text = '';
  private header: string | null = null;

  constructor(options: CsvLoggerOptions) {
    if (!options || typeof options.path !== 'string' || options.path === '') throw new Error('csvLogger: options.path must be a file path');
    this.path = options.path;
    this.append = options.append ?? false;
  }

  onTrainBegin(): void {
    this.text = '';
    this.header = null;
    if (!this.append || !fs.existsSync(this.path)) return;
    const existing = fs.readFileSync(this.path, 'utf8');
    if (existing.trim() === '') return;
    // Our writes end every line with \n; a file from elsewhere may lack the last one.
    this.text = existing.endsWith('\n') ? existing : `${existing}\n`;
    this.header = this.text.slice(0, this.text.indexOf('\n')).replace(/\r$/, '');
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    const columns = columnsOf(logs);
    const header = columns.join(',');
    if (this.header === null) {
      this.header = header;
      this.text += `${header}\n`;
    } else if (this.header !== header) {
      throw new Error(`csvLogger: '${this.path}' has the columns ${this.header} but this epoch logs ${header}; write to another file or start it anew (append: false)`);
    }
    const values = columns.map((c) => (c === 'epoch' ? epoch : (logs as unknown as Record<string, number>)[c]));
    this.text += `${values.map((v) => String(v)).join(',')}\n`;
    writeFileAtomic(this.path, this.text);
  }
}

export function csvLogger(options: CsvLoggerOptions): CsvLogger {
  return new CsvLogger(options);
}

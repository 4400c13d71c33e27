// bench/gemm.ts's command line (node:util's parseArgs, as the other benches), apart from the
// benchmark so that tests can parse it without loading a backend.
import { parseArgs } from 'node:util';

export const GEMM_WORKLOADS = ['W1', 'W3'] as const;
export type GemmWorkload = (typeof GEMM_WORKLOADS)[number];
const ISAS = ['all', 'avx512', 'avx2', 'portable'] as const;

export interface GemmArgs {
  quick: boolean;
  /** Rounds of [NumPy, tessera]: 1 with --quick, else --rounds (default 2). */
  rounds: number;
  /** 'all', one ISA path, or undefined: the one the addon chose. */
  isa: (typeof ISAS)[number] | undefined;
  workload: GemmWorkload;
  /** Thread counts to time, or undefined: 1 and all of the pool's. */
  threads: number[] | undefined;
  /** Square sizes (none with --sizes none). */
  sizes: number[];
  /** Only the rows: no every-ISA table, no per-call overhead. */
  rowsOnly: boolean;
}

const where = 'bench/gemm.ts';

function positiveInt(flag: string, value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isInteger(v) || v < 1) throw new Error(`${where}: ${flag} expects positive integers, got '${value}'`);
  return v;
}

/** A comma-separated list of positive integers ("1,2"), or an error naming the flag. */
const positiveList = (flag: string, value: string): number[] => value.split(',').map((s) => positiveInt(flag, s));

export function parseGemmArgs(argv: readonly string[]): GemmArgs {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: {
      quick: { type: 'boolean', default: false }, rounds: { type: 'string' }, isa: { type: 'string' },
      workload: { type: 'string', default: 'W1' }, threads: { type: 'string' }, sizes: { type: 'string' },
      'rows-only': { type: 'boolean', default: false },
    } }));
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
  const quick = values.quick === true;
  const workload = values.workload ?? 'W1';
  if (!(GEMM_WORKLOADS as readonly string[]).includes(workload)) {
    throw new Error(`${where}: --workload expects one of ${GEMM_WORKLOADS.join(', ')}, got '${workload}'`);
  }
  if (values.isa !== undefined && !(ISAS as readonly string[]).includes(values.isa)) {
    throw new Error(`${where}: --isa expects one of ${ISAS.join(', ')}, got '${values.isa}'`);
  }
  const rounds = quick ? 1 : values.rounds === undefined ? 2 : positiveInt('--rounds', values.rounds);
  const sizes = values.sizes === 'none' ? [] : values.sizes !== undefined ? positiveList('--sizes', values.sizes)
    : quick ? [256, 1024] : [128, 256, 512, 1024, 2048];
  return {
    quick, rounds, isa: values.isa as GemmArgs['isa'], workload: workload as GemmWorkload,
    threads: values.threads === undefined ? undefined : positiveList('--threads', values.threads), sizes, rowsOnly: values['rows-only'] === true,
  };
}

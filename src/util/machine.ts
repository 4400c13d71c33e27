// The machine line printed above every benchmark table and stored with every run, e.g.
//   2-core AMD EPYC (AVX-512), 24 GiB, Debian 12, Node 20.20.2
// read from /proc/cpuinfo, /etc/os-release and Node itself. The parsers are pure functions
// of the file text so that they can be tested on fixed input.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  /** SIMD flags of interest that /proc/cpuinfo lists, e.g. ["avx2", "fma", "avx512f"]. */
  isa: string[];
  memoryGiB: number;
  os: string;
  node: string;
}

const ISA_FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_bf16', 'avx512_vnni', 'avx_vnni', 'amx_tile'];

/** CPU model, logical processor count and SIMD flags from the text of /proc/cpuinfo. */
export function parseCpuinfo(text: string): { cpuModel: string; cores: number; isa: string[] } {
  const field = (name: string) => {
    const m = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text);
    return m ? m[1].trim() : '';
  };
  const cores = (text.match(/^processor\s*:/gm) ?? []).length;
  const flags = new Set(field('flags').split(/\s+/).filter((f) => f.length > 0));
  return { cpuModel: field('model name') || 'unknown CPU', cores, isa: ISA_FLAGS.filter((f) => flags.has(f)) };
}

/** "Debian 12" from /etc/os-release: NAME's first word and VERSION_ID. */
export function parseOsRelease(text: string): string {
  const value = (key: string) => {
    const m = new RegExp(`^${key}=(.*)$`, 'm').exec(text);
    return m ? m[1].trim().replace(/^"(.*)"$/, '$1') : '';
  };
  const name = value('NAME').split(/\s+/)[0] || value('ID');
  return [name, value('VERSION_ID')].filter((s) => s.length > 0).join(' ') || 'unknown OS';
}

export function machineInfo(): MachineInfo {
  const cpu = existsSync('/proc/cpuinfo')
    ? parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'))
    : { cpuModel: os.cpus()[0]?.model ?? 'unknown CPU', cores: os.cpus().length, isa: [] };
  const osName = existsSync('/etc/os-release') ? parseOsRelease(readFileSync('/etc/os-release', 'utf8')) : `${os.type()} ${os.release()}`;
  return {
    ...cpu,
    cores: cpu.cores || os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName,
    node: process.version.replace(/^v/, ''),
  };
}

/** One line: cores, model, widest SIMD, memory, OS, Node. */
export function machineLine(info: MachineInfo = machineInfo()): string {
  const simd = info.isa.includes('avx512f') ? 'AVX-512' : info.isa.includes('avx2') ? 'AVX2' : info.isa.includes('avx') ? 'AVX' : 'no AVX';
  return `${info.cores}-core ${info.cpuModel} (${simd}), ${info.memoryGiB} GiB, ${info.os}, Node ${info.node}`;
}

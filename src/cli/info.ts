// `tessera info`: what this machine and install can run: each backend, the native addon's ISA
// path and threads, and the WebGPU adapter (or why there is none).
import { availableBackends, getBackend, useBackend } from '../index.js';
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { machineInfo, machineLine } from '../util/machine.js';

const options: OptionSpec[] = [
  { name: 'json', kind: 'flag', help: 'print the report as JSON' },
  { name: 'no-webgpu', kind: 'flag', help: 'skip the WebGPU adapter probe (it can take a few seconds)' },
];

interface BackendReport { name: string; available: boolean; reason?: string; details?: Record<string, unknown> }

async function probe(skipWebgpu: boolean): Promise<BackendReport[]> {
  const reports: BackendReport[] = [];
  for (const b of availableBackends()) {
    if (b.name === 'webgpu') continue;
    reports.push({ name: b.name, available: b.available, reason: b.reason, details: b.available ? getBackend(b.name).describe() : undefined });
  }
  if (skipWebgpu) {
    reports.push({ name: 'webgpu', available: false, reason: 'not probed (--no-webgpu)' });
  } else {
    try {
      const gpu = await useBackend('webgpu');
      reports.push({ name: 'webgpu', available: true, details: gpu.describe() });
    } catch (e) {
      reports.push({ name: 'webgpu', available: false, reason: (e as Error).message });
    }
  }
  return reports;
}

function formatDetails(d: Record<string, unknown>): string {
  return Object.entries(d)
    .filter(([k, v]) => k !== 'backend' && (typeof v !== 'object' || v === null || Array.isArray(v)))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'show the backends available here (native ISA and threads, WebGPU adapter)',
  usage: '[options]',
  description: 'Reports the machine, each backend and whether it can run; for native the ISA path and\nthread count, for WebGPU the adapter or the reason it is unavailable.',
  options,
  async run(args, io) {
    const machine = { ...machineInfo(), arch: process.arch };
    const backends = await probe(args.values['no-webgpu'] === true);
    if (args.values.json === true) {
      io.stdout.write(`${JSON.stringify({ machine, backends }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `machine: ${machineLine(machine)}, ${machine.arch}`,
      'backends:',
      ...backends.map((b) => `  ${b.name.padEnd(7)} ${b.available ? 'available' : 'unavailable'}` +
        (b.details ? `  ${formatDetails(b.details)}` : '') + (b.reason ? `  (${b.reason})` : '')),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

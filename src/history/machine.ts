// Which machine a run measured on, as far as its figures depend on it: the
// GPUs, driver and CUDA, the CPU, Node's major version and the backends that
// ran the cells with their versions (run.json's environment and the cells'
// `backend`). Runs on one machine form one series; the id is a hash of
// these fields, so that the same machine is recognised run after run while
// a kernel update or a changed amount of free RAM is not a new machine.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../protocol/canonical-json.ts';
import type { CellResult } from '../results/cell-result.ts';
import type { RunRecord } from '../results/run-record.ts';
import type { Machine } from './history-file.ts';

function backendOf(r: Extract<CellResult, { status: 'ok' }>): string {
  return `${r.backend.name} ${r.backend.version}`;
}

/** The machine of a run; `results` are its cells (the backends are theirs). */
export function machineOf(record: RunRecord, results: readonly CellResult[]): Machine {
  const env = record.environment;
  const gpus = env.gpu.devices.map((d) => d.name);
  const backends = [...new Set(results.flatMap((r) => (r.status === 'ok' ? [backendOf(r)] : [])))].sort();
  const fields = {
    gpus,
    driver: env.gpu.driver,
    cuda: env.gpu.cuda,
    cpu: { model: env.cpu.model, cores: env.cpu.cores },
    arch: env.arch,
    node: /^v?(\d+)/.exec(env.node)?.[1] ?? env.node,
    backends,
  };
  const id = createHash('sha256').update(canonicalJson(fields)).digest('hex').slice(0, 12);
  return { id, label: machineLabel(fields), ...fields };
}

/** `NVIDIA H200 · driver 580.159.04 · CUDA 13.0 · torch 2.11.0+cu130` or `Intel Xeon ×2 · wasm 4.22.0 · Node 20`. */
function machineLabel(m: Omit<Machine, 'id' | 'label'>): string {
  const counts = new Map<string, number>();
  for (const g of m.gpus) counts.set(g, (counts.get(g) ?? 0) + 1);
  const gpus = [...counts].map(([name, k]) => (k > 1 ? `${k}× ${name}` : name)).join(' + ');
  const parts = gpus
    ? [gpus, m.driver && `driver ${m.driver}`, m.cuda && `CUDA ${m.cuda}`, ...m.backends]
    : [`${m.cpu.model} ×${m.cpu.cores}`, ...m.backends, `Node ${m.node}`];
  return parts.filter(Boolean).join(' · ');
}

/** A folder name a person can read: the GPU's or CPU's name and the id. */
export function machineFolder(m: Machine): string {
  const name = (m.gpus[0] ?? m.cpu.model).replace(/\([^)]*\)/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 40);
  return `${name || 'machine'}-${m.id}`;
}

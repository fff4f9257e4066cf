// The memory a cell can use on this machine, by the backend that runs it, and
// the pre-flight check of `run` and `step`: a cell whose planned peak exceeds
// it is refused before minutes are spent (wasm dies with "memory access out of
// bounds", the cpu backend swaps the host to a halt) unless --force.
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { WASM_HEAP_MAX_BYTES } from '../backend/run-backends.ts';
import { isInstalled, tfjsNodeInstalled } from '../backend/tfjs/installed.ts';
import type { TorchEnvironment } from '../backend/torch/python-locator.ts';
import type { GpuDevice } from '../measure/environment.ts';
import type { PlannedCell } from '../plan/planner.ts';
import { formatGiB } from '../results/units.ts';
import type { CellConfig } from '../protocol/cell-config.ts';
import { cellLabel } from '../protocol/labels.ts';


export interface MemoryBudget {
  bytes: number;
  /** Whose memory, for the refusal line: "the wasm heap's limit", "GPU 0 (NVIDIA H100 80GB HBM3)", … */
  what: string;
}

/** What this machine offers, gathered once per command. */
export interface MachineMemory {
  /** MemAvailable on Linux (what can be allocated without swapping), else os.freemem(). */
  hostAvailableBytes: number;
  /** GPU 0 as the torch worker's interpreter sees it; null without CUDA or without torch cells. */
  torchGpu: { name: string; bytes: number } | null;
  /** GPU 0 as nvidia-smi reports it, where tfjs-node-gpu is installed; else null. */
  tfjsGpu: { name: string; bytes: number } | null;
  /** A tfjs-node package is installed: backend 'auto' resolves to 'tensorflow', not 'wasm'. */
  tfjsNodeInstalled: boolean;
}

export function hostAvailableBytes(meminfo = '/proc/meminfo'): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync(meminfo, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: the free figure undercounts (page cache), which errs on the safe side.
  }
  return freemem();
}

export function torchGpuOf(env: TorchEnvironment | null): MachineMemory['torchGpu'] {
  const gpu = env?.cudaAvailable ? env.devices[0] : undefined;
  return gpu ? { name: gpu.name, bytes: gpu.totalMemoryBytes } : null;
}

/** What this machine offers each backend: `gpus` as nvidia-smi lists them (the run's environment), `torch` as the worker's interpreter sees CUDA. */
export function machineMemory(gpus: readonly GpuDevice[], torch: TorchEnvironment | null): MachineMemory {
  const gpu0 = gpus[0];
  const tfjsGpu = isInstalled('@tensorflow/tfjs-node-gpu') && gpu0?.memoryTotalMiB ? { name: gpu0.name, bytes: gpu0.memoryTotalMiB * 2 ** 20 } : null;
  return {
    hostAvailableBytes: hostAvailableBytes(),
    torchGpu: torchGpuOf(torch),
    tfjsGpu,
    tfjsNodeInstalled: tfjsNodeInstalled(),
  };
}

/** The memory the backend that runs `config` can use here. */
export function budgetFor(config: Pick<CellConfig, 'backend' | 'device'>, machine: MachineMemory): MemoryBudget {
  const host: MemoryBudget = { bytes: machine.hostAvailableBytes, what: "this machine's available memory" };
  const gpu = (g: { name: string; bytes: number }): MemoryBudget => ({ bytes: g.bytes, what: `GPU 0 (${g.name})` });
  const wasm: MemoryBudget = WASM_HEAP_MAX_BYTES <= host.bytes ? { bytes: WASM_HEAP_MAX_BYTES, what: "the wasm backend's 4 GiB heap" } : host;
  switch (config.backend) {
    case 'torch':
      return (config.device ?? 'auto') !== 'cpu' && machine.torchGpu ? gpu(machine.torchGpu) : host;
    case 'wasm':
      return wasm;
    case 'cpu':
      return host;
    case 'tensorflow':
      return machine.tfjsGpu ? gpu(machine.tfjsGpu) : host;
    case 'auto':
      return machine.tfjsNodeInstalled ? (machine.tfjsGpu ? gpu(machine.tfjsGpu) : host) : wasm;
  }
}

export interface UnfitCell {
  id: string;
  label: string;
  reason: string;
}

/** The planned cells that exceed what their backend can use here (the reason says both figures). */
export function unfitCells(plans: readonly PlannedCell[], machine: MachineMemory): UnfitCell[] {
  const unfit: UnfitCell[] = [];
  for (const p of plans) {
    const budget = budgetFor(p.config, machine);
    if (p.memory.peakBytes <= budget.bytes) continue;
    const framework = p.framework === 'pytorch' ? "PyTorch's" : "TensorFlow.js's";
    unfit.push({
      id: p.id,
      label: cellLabel(p.config),
      reason: `planned peak ${formatGiB(p.memory.peakBytes)} (${framework}) exceeds ${budget.what}, ${formatGiB(budget.bytes)}; --force runs it anyway`,
    });
  }
  return unfit;
}

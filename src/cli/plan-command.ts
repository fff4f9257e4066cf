// `mobius-bench plan`: predicted peak memory and FLOPs of a suite's cells or
// of one configuration from flags, without running anything on a device.
import type { Precision, RunBackend } from '../backend/run-backends.ts';
import { getPreset, type PresetName } from '../model/config.ts';
import { parseDevice, type Device } from '../plan/devices.ts';
import { Planner, type MaxBatch, type PlannedCell, type PlannedFramework } from '../plan/planner.ts';
import { cellOf, type Cell } from '../protocol/cell-config.ts';
import { cellLabel } from '../protocol/labels.ts';
import { GPUS_NEED_TORCH, TORCH_DEFAULTS, torchOnlyProblems } from '../protocol/torch-settings.ts';
import { GiB } from '../results/units.ts';
import { selectCells } from '../suite/select.ts';
import type { Mode } from '../train/modes.ts';
import { UserError } from '../user-error.ts';

export interface PlanOptions {
  suite?: string;
  filter?: string;
  preset?: PresetName;
  mode?: Mode;
  batch?: number;
  accum?: number;
  frames?: number;
  size?: number;
  /** For a cell from flags: 'torch' plans PyTorch's CUDA peak, anything else TensorFlow.js's buffers (default wasm). */
  backend?: RunBackend;
  precision?: Precision;
  frozenWeights?: Precision;
  /** Data-parallel ranks (torch only): DDP's gradient buckets on each rank, and the bytes a step all-reduces. */
  gpus?: number;
  device: string;
  maxBatch?: boolean;
  json?: boolean;
}

export interface PlanReport {
  device: Device;
  cells: PlannedCell[];
  maxBatch?: MaxBatch[];
}

function cellsFromFlags(opts: PlanOptions): Cell[] {
  if (!opts.preset || !opts.mode) {
    throw new UserError('plan: give a suite file, or --preset and --mode (with --batch, --accum, --frames, --size as needed)');
  }
  const preset = getPreset(opts.preset);
  const backend = opts.backend ?? 'wasm';
  const flags = { precision: '--precision', frozenWeights: '--frozen-weights', device: '--device' } as const;
  const problems = torchOnlyProblems(backend, { precision: opts.precision, frozenWeights: opts.frozenWeights });
  if (problems.length > 0) throw new UserError(`plan: ${problems.map((p) => `${flags[p.field]}: ${p.message}`).join('; ')}`);
  const gpus = opts.gpus ?? 1;
  if (gpus > 1 && backend !== 'torch') throw new UserError(`plan: --gpus ${gpus}: ${GPUS_NEED_TORCH}; add --backend torch`);
  return [cellOf({
    preset: preset.name, unet: preset.config, mode: opts.mode,
    batch: opts.batch ?? 1, accum: opts.accum ?? 1,
    frames: opts.frames ?? preset.defaults.frames, size: opts.size ?? preset.defaults.size,
    textLength: preset.defaults.textLength, seed: 0, backend, warmup: 1, steps: 1,
    ...(gpus > 1 ? { gpus } : {}),
    // A cell planned from flags is for a GPU: the planner models PyTorch on CUDA.
    ...(backend === 'torch' ? { precision: opts.precision ?? TORCH_DEFAULTS.precision, frozenWeights: opts.frozenWeights ?? TORCH_DEFAULTS.frozenWeights, device: 'cuda' as const } : {}),
  })];
}

export async function planCommand(opts: PlanOptions): Promise<PlanReport> {
  const device = parseDevice(opts.device);
  const cells = opts.suite ? (await selectCells({ suiteFile: opts.suite, filter: opts.filter })).selected : cellsFromFlags(opts);
  const planner = await Planner.create();
  const planned: PlannedCell[] = [];
  for (const cell of cells) planned.push(await planner.plan(cell, device));
  const report: PlanReport = { device, cells: planned };
  if (opts.maxBatch) {
    // One search per configuration apart from the batch.
    const seen = new Set<string>();
    report.maxBatch = [];
    for (const cell of cells) {
      const key = JSON.stringify({ ...cell.config, batch: 0 });
      if (seen.has(key)) continue;
      seen.add(key);
      report.maxBatch.push(await planner.maxBatch(cell.config, device));
    }
  }
  return report;
}

const gib = (b: number) => (b / GiB).toFixed(2);

const FRAMEWORK_LINES: Record<PlannedFramework, string> = {
  'tensorflow.js': 'TensorFlow.js: unique float32 tensor buffers as the wasm backend holds them (exact for TensorFlow.js; not a PyTorch figure)',
  pytorch: "PyTorch: torch.cuda.max_memory_allocated of one step after warm-up on a CUDA GPU (torch 2.x, SDPA attention), predicted from the UNet layout",
};

export function formatPlan(r: PlanReport): string {
  const frameworks = [...new Set(r.cells.map((c) => c.framework))];
  const lines = [
    `device ${r.device.name} (${gib(r.device.bytes)} GiB); memory in GiB (2^30 bytes), predicted for`,
    ...frameworks.map((f) => `  ${FRAMEWORK_LINES[f]}`),
    `${'id'.padEnd(13)}${'framework'.padEnd(14)}${'cell'.padEnd(48)}${'peak'.padStart(9)}${'weights'.padStart(9)}${'optim'.padStart(9)}${'grads'.padStart(9)}${'activ.'.padStart(9)}${'TFLOP'.padStart(10)}  fits`,
  ];
  for (const c of r.cells) {
    const m = c.memory;
    const label = cellLabel(c.config) + (c.config.precision && c.config.precision !== TORCH_DEFAULTS.precision ? ` ${c.config.precision}` : '');
    lines.push(`${c.id.padEnd(13)}${c.framework.padEnd(14)}${label.padEnd(48)}${gib(m.peakBytes).padStart(9)}${gib(m.weightsBytes).padStart(9)}${gib(m.optimizerBytes).padStart(9)}${gib(m.gradientBytes).padStart(9)}${gib(m.activationBytes).padStart(9)}${(c.flops / 1e12).toFixed(3).padStart(10)}  ${c.fits ? 'yes' : 'NO'}`);
  }
  const ddp = r.cells.filter((c) => (c.memory.ddpBucketBytes ?? 0) > 0);
  if (ddp.length > 0) {
    lines.push('', 'data parallel (DistributedDataParallel, 25 MB buckets): per rank, in the peak above, its gradient buckets; per step, all-reduced:');
    for (const c of ddp) {
      const n = c.config.gpus ?? 1;
      const b = c.memory.ddpBucketBytes!;
      lines.push(`  ${cellLabel(c.config)}: ${gib(b)} GiB of buckets on each of ${n} ranks; ${gib(b)} GiB all-reduced per step (a ring sends ${gib((2 * (n - 1) / n) * b)} GiB from each rank)`);
    }
  }
  if (r.maxBatch) {
    lines.push('', 'largest batch that fits:');
    for (const m of r.maxBatch) {
      lines.push(`  ${m.label} ${m.mode}: ${m.maxBatch === 0 ? 'none (batch 1 does not fit)' : `batch ${m.maxBatch} (peak ${gib(m.peakBytesAtMax!)} GiB)`}`);
    }
  }
  return lines.join('\n');
}

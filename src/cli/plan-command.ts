// `mobius-bench plan`: predicted peak memory and FLOPs of a suite's cells or
// of one configuration from flags, without running anything on a device.
// From flags it answers "does it fit, and what does Mobius save?" for
// PyTorch on CUDA: every mode side by side, each against delta-serial.
import type { Precision, RunBackend } from '../backend/run-backends.ts';
import { getPreset, type PresetName } from '../model/config.ts';
import { parseDevice, type Device } from '../plan/devices.ts';
import { Planner, type MaxBatch, type PlannedCell, type PlannedFramework } from '../plan/planner.ts';
import { savingsVsDeltaSerial, SAVINGS_BASELINE, type PlannedSaving } from '../plan/savings.ts';
import { cellOf, type Cell, type CellConfig } from '../protocol/cell-config.ts';
import { cellLabel, groupLabel, searchLabel } from '../protocol/labels.ts';
import { GPUS_NEED_TORCH, TORCH_DEFAULTS, torchOnlyProblems } from '../protocol/torch-settings.ts';
import { formatChange, formatRatio, GiB, MISSING } from '../results/units.ts';
import { selectCells } from '../suite/select.ts';
import { MODES, type Mode } from '../train/modes.ts';
import { UserError } from '../user-error.ts';

export interface PlanOptions {
  suite?: string;
  filter?: string;
  preset?: PresetName;
  /** For a cell from flags: plan this mode alone (default: every mode). */
  mode?: Mode;
  batch?: number;
  accum?: number;
  frames?: number;
  size?: number;
  /** For a cell from flags: 'torch' (the default) plans PyTorch's CUDA peak, a TensorFlow.js backend its tensor buffers. */
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
  /** Each cell's peak against its delta-serial twin (same configuration, other mode). */
  savings: PlannedSaving[];
}

/** Without --backend a configuration from flags is planned for PyTorch on a CUDA GPU, where users train it. */
export const FLAGS_DEFAULT_BACKEND: RunBackend = 'torch';

function cellsFromFlags(opts: PlanOptions): Cell[] {
  if (!opts.preset) {
    throw new UserError('plan: nothing to plan: give a suite file, or --preset (with --mode, --batch, --accum, --frames, --size as needed; every mode without --mode)');
  }
  const preset = getPreset(opts.preset);
  const backend = opts.backend ?? FLAGS_DEFAULT_BACKEND;
  const flags = { precision: '--precision', frozenWeights: '--frozen-weights', device: '--device' } as const;
  const problems = torchOnlyProblems(backend, { precision: opts.precision, frozenWeights: opts.frozenWeights });
  if (problems.length > 0) throw new UserError(`plan: ${problems.map((p) => `${flags[p.field]}: ${p.message}`).join('; ')}`);
  const gpus = opts.gpus ?? 1;
  if (gpus > 1 && backend !== 'torch') throw new UserError(`plan: --gpus ${gpus}: ${GPUS_NEED_TORCH}; use --backend torch (the default)`);
  const modes: readonly Mode[] = opts.mode ? [opts.mode] : MODES;
  return modes.map((mode) => cellOf({
    preset: preset.name, unet: preset.config, mode,
    batch: opts.batch ?? 1, accum: opts.accum ?? 1,
    frames: opts.frames ?? preset.defaults.frames, size: opts.size ?? preset.defaults.size,
    textLength: preset.defaults.textLength, seed: 0, backend, warmup: 1, steps: 1,
    ...(gpus > 1 ? { gpus } : {}),
    // A cell planned from flags is for a GPU: the planner models PyTorch on CUDA.
    ...(backend === 'torch' ? { precision: opts.precision ?? TORCH_DEFAULTS.precision, frozenWeights: opts.frozenWeights ?? TORCH_DEFAULTS.frozenWeights, device: 'cuda' as const } : {}),
  }));
}

export async function planCommand(opts: PlanOptions): Promise<PlanReport> {
  const device = parseDevice(opts.device);
  const cells = opts.suite ? (await selectCells({ suiteFile: opts.suite, filter: opts.filter })).selected : cellsFromFlags(opts);
  const planner = await Planner.create();
  const planned: PlannedCell[] = [];
  for (const cell of cells) planned.push(await planner.plan(cell, device));
  const report: PlanReport = { device, cells: planned, savings: savingsVsDeltaSerial(planned) };
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

/** `bf16 autocast, frozen weights bf16`: a torch cell's precision, said with every plan because autocast changes the peak. */
function precisionWords(c: CellConfig): string {
  const precision = c.precision ?? TORCH_DEFAULTS.precision;
  const frozen = c.frozenWeights ?? TORCH_DEFAULTS.frozenWeights;
  return `${precision === 'fp32' ? 'fp32' : `${precision} autocast`}${frozen !== 'fp32' ? `, frozen weights ${frozen}` : ''}`;
}

/** For a configuration from flags: what was planned, and the flag for the other answer. */
function flagsHeader(c: CellConfig): string {
  if (c.backend !== 'torch') return `TensorFlow.js (${c.backend} backend), fp32 (without --backend: PyTorch's CUDA peak)`;
  const hints = [c.precision === 'fp32' ? '--precision bf16 for mixed precision' : null, "--backend wasm for TensorFlow.js's figure"].filter((h) => h != null);
  return `PyTorch on CUDA, ${precisionWords(c)} (${hints.join('; ')})`;
}

/** `sd21 b2 a2 8f 256px, PyTorch fp32`: the configuration every row below it shares but for the mode. */
function configurationHeading(c: PlannedCell): string {
  return `${groupLabel(c.config)}, ${c.framework === 'pytorch' ? `PyTorch ${precisionWords(c.config)}` : `TensorFlow.js (${c.config.backend} backend)`}`;
}

/** `−15.4 % ×0.846`; `—` for delta-serial itself, `–` without a delta-serial twin. */
function savingText(s: PlannedSaving): string {
  if (s.mode === SAVINGS_BASELINE) return '—';
  return s.vsDeltaSerial ? `${formatChange(s.vsDeltaSerial.ratio - 1)} ×${formatRatio(s.vsDeltaSerial.ratio)}` : MISSING;
}

/**
 * One table per configuration, a row per mode: peak and its split, FLOPs, whether it fits,
 * the saving against delta-serial (where it was planned) and with --max-batch the largest batch.
 */
export function formatPlan(r: PlanReport, opts: { fromFlags?: boolean } = {}): string {
  const frameworks = [...new Set(r.cells.map((c) => c.framework))];
  const savingById = new Map(r.savings.map((s) => [s.id, s]));
  const showSaving = r.savings.some((s) => s.vsDeltaSerial != null);
  // A suite has one backend and precision, so a search's label and mode name its row's configuration.
  const maxBatchOf = (c: CellConfig) => r.maxBatch?.find((m) => m.label === searchLabel(c) && m.mode === c.mode);
  const lines = [
    ...(opts.fromFlags && r.cells[0] ? [flagsHeader(r.cells[0].config)] : []),
    `device ${r.device.name} (${gib(r.device.bytes)} GiB); memory in GiB (2^30 bytes), predicted for`,
    ...frameworks.map((f) => `  ${FRAMEWORK_LINES[f]}`),
  ];
  const columns = `${'id'.padEnd(13)}${'mode'.padEnd(21)}${'peak'.padStart(8)}${'weights'.padStart(9)}${'optim'.padStart(9)}${'grads'.padStart(9)}${'activ.'.padStart(9)}${'TFLOP'.padStart(10)}  fits`
    + (showSaving ? `  ${`vs ${SAVINGS_BASELINE}`.padEnd(17)}` : '') + (r.maxBatch ? '  max batch (peak)' : '');
  const groups = new Map<string, PlannedCell[]>();
  for (const c of r.cells) {
    const heading = configurationHeading(c);
    groups.set(heading, [...(groups.get(heading) ?? []), c]);
  }
  for (const [heading, cells] of groups) {
    lines.push('', heading, columns);
    for (const c of cells) {
      const m = c.memory;
      const max = maxBatchOf(c.config);
      const maxText = !max ? MISSING : max.maxBatch === 0 ? 'none (batch 1 does not fit)' : `${max.maxBatch} (${gib(max.peakBytesAtMax!)})`;
      lines.push(`${c.id.padEnd(13)}${c.config.mode.padEnd(21)}${gib(m.peakBytes).padStart(8)}${gib(m.weightsBytes).padStart(9)}${gib(m.optimizerBytes).padStart(9)}${gib(m.gradientBytes).padStart(9)}${gib(m.activationBytes).padStart(9)}${(c.flops / 1e12).toFixed(3).padStart(10)}  ${(c.fits ? 'yes' : 'NO').padEnd(4)}`
        + (showSaving ? `  ${savingText(savingById.get(c.id)!).padEnd(17)}` : '') + (r.maxBatch ? `  ${maxText}` : ''));
    }
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
  return lines.map((l) => l.trimEnd()).join('\n');
}

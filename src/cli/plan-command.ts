// `mobius-bench plan`: predicted peak memory and FLOPs of a suite's cells or
// of one configuration from flags, without running anything on a device.
import type { BackendChoice } from '../backend/select.ts';
import { getPreset, type PresetName } from '../model/config.ts';
import { parseDevice, type Device } from '../plan/devices.ts';
import { cellFromConfig, Planner, type MaxBatch, type PlannedCell } from '../plan/planner.ts';
import { cellLabel, type Cell } from '../suite/expand.ts';
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
  return [cellFromConfig({
    preset: preset.name, unet: preset.config, mode: opts.mode,
    batch: opts.batch ?? 1, accum: opts.accum ?? 1,
    frames: opts.frames ?? preset.defaults.frames, size: opts.size ?? preset.defaults.size,
    textLength: preset.defaults.textLength, seed: 0, backend: 'wasm' as BackendChoice, warmup: 1, steps: 1,
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

export function formatPlan(r: PlanReport): string {
  const lines = [
    `device ${r.device.name} (${gib(r.device.bytes)} GiB); memory in GiB of unique float32 tensor buffers, as TensorFlow.js (wasm) holds them`,
    `${'id'.padEnd(13)}${'cell'.padEnd(38)}${'peak'.padStart(8)}${'weights'.padStart(9)}${'optim'.padStart(8)}${'grads'.padStart(8)}${'working'.padStart(9)}${'TFLOP'.padStart(9)}  fits`,
  ];
  for (const c of r.cells) {
    const m = c.memory;
    lines.push(`${c.id.padEnd(13)}${cellLabel(c.config).padEnd(38)}${gib(m.peakBytes).padStart(8)}${gib(m.weightsBytes).padStart(9)}${gib(m.optimizerBytes).padStart(8)}${gib(m.gradientBytes).padStart(8)}${gib(m.activationBytes).padStart(9)}${(c.flops / 1e12).toFixed(3).padStart(9)}  ${c.fits ? 'yes' : 'NO'}`);
  }
  if (r.maxBatch) {
    lines.push('', 'largest batch that fits:');
    for (const m of r.maxBatch) {
      lines.push(`  ${m.label} ${m.mode}: ${m.maxBatch === 0 ? 'none (batch 1 does not fit)' : `batch ${m.maxBatch} (peak ${gib(m.peakBytesAtMax!)} GiB)`}`);
    }
  }
  return lines.join('\n');
}

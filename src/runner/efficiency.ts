// What a torch cell's step achieved against its device: the planner's FLOPs
// of one optimizer step (the same network, counted on the shape-only
// backend) over the median step time, as a fraction of the device's dense
// peak at the cell's precision (MFU). Computed in the parent, where the
// planner runs, and attached to the cell's result.
import { resolveTorchSettings } from '../protocol/torch-settings.ts';
import { mfu, peakFlopsPerSecond } from '../measure/peak-flops.ts';
import type { CellResult, Efficiency } from '../results/cell-result.ts';

export function efficiencyOf(result: CellResult, flopsPerStep: number | undefined): Efficiency | null {
  if (result.status !== 'ok' || flopsPerStep == null || result.backend.name !== 'torch') return null;
  const peak = result.backend.device === 'cuda'
    ? peakFlopsPerSecond(result.backend.deviceName, resolveTorchSettings(result.config).precision, result.backend.tf32)
    : null;
  return { flopsPerStep, peakFlopsPerSecond: peak, mfu: mfu(flopsPerStep, result.stats.medianMs, peak) };
}

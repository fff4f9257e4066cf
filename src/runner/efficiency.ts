// What a torch cell's step achieved against its device: the planner's FLOPs
// of one optimizer step (the PyTorch planner's matrix FLOPs of the worker's
// net) over the median step time, as a fraction of the device's dense peak at
// the cell's precision: MFU with the model's FLOPs, HFU with what the
// hardware computed (the checkpointed modes recompute their forward).
// Computed in the parent, where the planner runs, and attached to the result.
import { resolveTorchSettings } from '../protocol/torch-settings.ts';
import { mfu, peakFlopsPerSecond } from '../measure/peak-flops.ts';
import type { CellResult, Efficiency } from '../results/cell-result.ts';

/** `flops`: the planner's per step — model (MFU) and hardware (HFU, the recomputed forward included). */
export function efficiencyOf(result: CellResult, flops: { model: number; hardware?: number | undefined } | undefined): Efficiency | null {
  if (result.status !== 'ok' || flops == null || result.backend.name !== 'torch') return null;
  const peak = result.backend.device === 'cuda'
    ? peakFlopsPerSecond(result.backend.deviceName, resolveTorchSettings(result.config).precision, result.backend.tf32)
    : null;
  const hardware = flops.hardware ?? flops.model;
  return {
    flopsPerStep: flops.model,
    peakFlopsPerSecond: peak,
    mfu: mfu(flops.model, result.stats.medianMs, peak),
    hardwareFlopsPerStep: hardware,
    hfu: mfu(hardware, result.stats.medianMs, peak),
  };
}

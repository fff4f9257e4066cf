// The PyTorch planner against the H100 figures that stand: issue 12's serial
// peaks (torch.cuda.max_memory_allocated, H100 80GB, PyTorch 2.11, sd21, 8
// frames, batch 2 × accum 2, bf16 autocast, SDPA, AdamW, after 2 warm-up
// steps, measured by ../shared/reference/mobius_torch.py), and the two
// float32 (TF32) cells issue 12's text quotes, rounded there to 0.1 GB.
// Target: within 5 %.
//
// That script's parallel figures of before 2026-12-04 are not here: its
// parallel net left transformer_in and the temporal attentions frozen by
// mistake. Every mode, the parallel ones included, measured by the worker
// itself next to the corrected script on one H200, is planned against in
//   npx tsx bench/device/summarize.ts reports/gpu/h200-2026-12-04
//
//   npx tsx bench/torch-plan-vs-gpu.ts
import type { Precision } from '../src/backend/run-backends.ts';
import { PRESETS } from '../src/model/config.ts';
import { planTorchCell } from '../src/plan/torch/plan-torch-cell.ts';
import type { CellConfig } from '../src/protocol/cell-config.ts';
import type { Mode } from '../src/train/modes.ts';

const REFERENCE: Array<{ size: number; mode: Mode; precision: Precision; peakBytes: number }> = [
  { size: 256, mode: 'delta-serial', precision: 'bf16', peakBytes: 25_779_100_672 },
  { size: 256, mode: 'delta-serial-ckpt', precision: 'bf16', peakBytes: 14_724_358_656 },
  { size: 512, mode: 'delta-serial', precision: 'bf16', peakBytes: 57_323_920_384 },
  { size: 512, mode: 'delta-serial-ckpt', precision: 'bf16', peakBytes: 20_935_333_888 },
  { size: 256, mode: 'delta-serial', precision: 'fp32', peakBytes: 28.1e9 },
];
const TARGET = 0.05;

function cell(size: number, mode: Mode, precision: Precision): CellConfig {
  return {
    preset: 'sd21', unet: PRESETS.sd21.config, mode, batch: 2, accum: 2, frames: 8, size, textLength: 77, seed: 0,
    backend: 'torch', precision, frozenWeights: 'fp32', device: 'cuda', warmup: 2, steps: 4,
  };
}

const gb = (bytes: number) => (bytes / 1e9).toFixed(2);
console.log('| sd21 cell | H100 peak | planned peak | error | peak in | saved for backward | weights + grads + AdamW | plan ms |');
console.log('|---|---|---|---|---|---|---|---|');
let worst = 0;
for (const ref of REFERENCE) {
  const plan = planTorchCell(cell(ref.size, ref.mode, ref.precision), { attention: 'sdpa' });
  const error = plan.memory.peakBytes / ref.peakBytes - 1;
  worst = Math.max(worst, Math.abs(error));
  const m = plan.memory;
  console.log(`| ${ref.size} px ${ref.precision} ${ref.mode} | ${gb(ref.peakBytes)} GB | ${gb(m.peakBytes)} GB | ${(error * 100).toFixed(1)} % | ${plan.phases.peakIn} | ${gb(m.savedBytes)} GB | ${gb(m.weightsBytes + m.gradientBytes + m.optimizerBytes)} GB | ${plan.planMs.toFixed(0)} |`);
}
console.log(`\nlargest error ${(worst * 100).toFixed(1)} % (target ${TARGET * 100} %): ${worst <= TARGET ? 'met' : 'MISSED'}`);
process.exitCode = worst <= TARGET ? 0 : 1;

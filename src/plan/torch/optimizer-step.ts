// The optimizer update's own peak: torch 2.x's AdamW on CUDA runs the
// multi-tensor (foreach) path, whose `_foreach_sqrt(exp_avg_sqs)` makes a
// float32 copy of the second moment for every trained weight at once (the
// rest of the update is in place); gradients and moments are alive then.
// torch.optim.AdamW on the CPU runs per tensor (single_tensor), whose largest
// temporary is one weight's denominator.
import { allocatedBytes } from './allocator.ts';
import type { VideoUNet } from './networks.ts';
import type { RuntimeName } from './runtime.ts';
import { numel } from './strided.ts';

/** Bytes the update allocates besides weights, gradients and moments. */
export function optimizerStepScratch(runtime: RuntimeName, net: VideoUNet): number {
  const perWeight = net.params.params.filter((p) => p.trainable).map((p) => allocatedBytes(runtime, 4 * numel(p.shape)));
  if (runtime === 'cuda') return perWeight.reduce((a, b) => a + b, 0);
  return perWeight.reduce((a, b) => Math.max(a, b), 0);
}

// The step's static memory as the torch worker reports it (worker.py,
// memory.py): every parameter in its storage dtype (trained float32, frozen
// in --frozen-weights), one float32 gradient per trained weight, and AdamW's
// exp_avg and exp_avg_sq (float32; its 0-dim `step` counters live on the CPU).
import type { VideoUNet } from './networks.ts';
import { numel } from './strided.ts';

export interface StaticMemory {
  weightsBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
  trainableParams: number;
  frozenParams: number;
}

export function staticMemory(net: VideoUNet): StaticMemory {
  let weightsBytes = 0;
  let trainableParams = 0;
  let frozenParams = 0;
  for (const p of net.params.params) {
    weightsBytes += p.tensor.storage.bytes;
    if (p.trainable) trainableParams += numel(p.shape);
    else frozenParams += numel(p.shape);
  }
  return { weightsBytes, gradientBytes: 4 * trainableParams, optimizerBytes: 8 * trainableParams, trainableParams, frozenParams };
}

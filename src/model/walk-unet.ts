// The U-Net walk every network shares, written once for TypeScript: down the
// levels pushing skips (Eqs. 4–5), through the middle, up again joining them,
// with the frozen resamplers between levels. What a layer computes is the
// caller's (`serialLayer` = Eq. 7, `parallelLayer` = Eq. 9, the torch
// planner's recorded ops), as diffusers' blocks zip over resnets, temp_convs,
// attentions and temp_attentions. Generic in the stream's type: tfjs tensors
// for the model, the planner's tape tensors for plan/torch.
import type { LayerStep, ResampleStep, UNetStep } from './layout.ts';

export interface WalkSteps<T> {
  /** One layer, on its input with the popped skip already joined. */
  layer(step: LayerStep, x: T): T;
  resample(step: ResampleStep, x: T): T;
  /** Joins a popped skip to the stream (concatenation along channels). */
  join(x: T, skip: T, step: LayerStep): T;
}

/** Walks `layout` from `start` (the first skip); returns the stream after the last up block. */
export function walkUNet<T>(layout: readonly UNetStep[], start: T, steps: WalkSteps<T>): T {
  let x = start;
  const skips: T[] = [start];
  for (const step of layout) {
    if (step.kind !== 'layer') {
      x = steps.resample(step, x);
      if (step.kind === 'down') skips.push(x);
      continue;
    }
    if (step.skip === 'pop') x = steps.join(x, skips.pop()!, step);
    x = steps.layer(step, x);
    if (step.skip === 'push') skips.push(x);
  }
  return x;
}

// The U-Net walk both networks share, written once: down the levels pushing
// skips (Eqs. 4–5), through the middle, up again concatenating them, with the
// frozen resamplers between levels. What a layer computes is the caller's
// (`serialLayer` = Eq. 7, `parallelLayer` = Eq. 9), as diffusers' blocks zip
// over resnets, temp_convs, attentions and temp_attentions.
import { tf } from '../backend/tf.ts';
import type { LayerStep, ResampleStep, UNetStep } from './layout.ts';

type T4 = tf.Tensor4D;

export interface WalkSteps {
  /** One layer, on its input with the popped skip already concatenated. */
  layer(step: LayerStep, x: T4): T4;
  resample(step: ResampleStep, x: T4): T4;
  /** Concatenates a popped skip to the stream (default: along channels). */
  join?(x: T4, skip: T4): T4;
}

const concatChannels = (x: T4, skip: T4) => tf.concat([x, skip], 3) as T4;

/** Walks `plan` from `start` (the first skip); returns the stream after the last up block. */
export function walkUNet(plan: readonly UNetStep[], start: T4, steps: WalkSteps): T4 {
  let x = start;
  const skips: T4[] = [start];
  for (const step of plan) {
    if (step.kind !== 'layer') {
      x = steps.resample(step, x);
      if (step.kind === 'down') skips.push(x);
      continue;
    }
    if (step.skip === 'pop') x = (steps.join ?? concatChannels)(x, skips.pop()!);
    x = steps.layer(step, x);
    if (step.skip === 'push') skips.push(x);
  }
  return x;
}

// Dropout as diffusers' temporal convs apply it in training (p = 0.1 before
// the conv of stages 2–4). Masks are seeded per sample and site, so a run is
// deterministic, a forward recomputed for the same micro-batch draws the same
// masks, and accum × batch splits of the same samples drop the same elements.
// Where the uniform numbers come from is the caller's: the trainer draws them,
// the shape-only planner fills them.
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor } from '../backend/tfjs/tf.ts';

export interface DropoutMasks {
  /** Probability of zeroing an element. */
  rate: number;
  /** Uniform [0, 1) numbers of `shape` ([B·F, …], sample-major) for the named site. */
  uniform(shape: number[], site: string): Tensor;
}

/** {0, 1/(1−rate)}: keep where u ≥ rate, scaled so the expectation is unchanged. */
function maskOf(u: Tensor, rate: number): Tensor {
  return tf.mul(tf.cast(tf.greaterEqual(u, rate), 'float32'), 1 / (1 - rate));
}

/**
 * x · mask. The backward pass keeps only the uniform draw (one float per
 * element, as a float mask would be) and rebuilds the mask from it: the
 * custom gradient saves neither x nor the mask's intermediates.
 */
export function dropout<T extends Tensor>(x: T, masks: DropoutMasks | null | undefined, site: string): T {
  if (masks == null || masks.rate === 0) return x;
  const { rate } = masks;
  const u = masks.uniform(x.shape, site);
  const op = tf.customGrad(((input: Tensor, save: (tensors: Tensor[]) => void) => {
    save([u]);
    return {
      value: tf.tidy(() => tf.mul(input, maskOf(u, rate))),
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.tidy(() => tf.mul(dy, maskOf(saved[0]!, rate))),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x) as T;
  u.dispose(); // the tape's saved copy, if any, keeps the numbers for backward
  return y;
}

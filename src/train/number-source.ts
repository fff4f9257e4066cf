// Where a training run's random numbers come from: the weights' first values
// and the dropout masks' uniforms, both drawn from seeds. The shape-only
// planner substitutes a source that draws nothing (drawing sd21's 1.4 B
// weights in JavaScript would take minutes) and keeps every buffer's shape.
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor } from '../backend/tfjs/tf.ts';
import { seededInitialValue, type InitialValue } from '../model/params.ts';

export interface NumberSource {
  initial: InitialValue;
  /** Uniform [0, 1) numbers of `shape`, a function of `seed`. */
  uniform(shape: number[], seed: number): Tensor;
}

export const SEEDED_NUMBERS: NumberSource = {
  initial: seededInitialValue,
  uniform: (shape, seed) => tf.randomUniform(shape, 0, 1, 'float32', seed),
};

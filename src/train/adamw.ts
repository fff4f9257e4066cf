// AdamW (PyTorch's defaults: β 0.9 / 0.999, ε 1e-8; weight decay 1e-2, the
// value diffusers' training scripts use), applied one variable at a time.
// The decay is decoupled, as torch.optim.AdamW: w ← w·(1 − lr·wd) − lr·update. TensorFlow.js's AdamOptimizer updates every variable inside a single
// tidy, so all its temporaries (~10 per weight) live until the last variable
// is done: at sd21 scale that transient (~10 × the trainable weights) was
// the whole step's peak and hid the networks' own memory. Here each
// variable's temporaries are freed before the next, as in PyTorch's loop.
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor, Variable } from '../backend/tfjs/tf.ts';

/** One step's constants, as the scalar tensors the update multiplies and divides by. */
type StepScalars = Record<'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'c1' | 'c2' | 'epsilon' | 'keep' | 'learningRate', tf.Scalar>;

export interface AdamWOptions {
  learningRate: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class AdamW {
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private step = 0;
  private readonly moments = new Map<string, { m: Variable; v: Variable }>();

  constructor(opts: AdamWOptions) {
    this.learningRate = opts.learningRate;
    this.weightDecay = opts.weightDecay ?? 1e-2;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
  }

  /** One update of `variables` from `grads` (keyed by variable name). */
  applyGradients(variables: readonly Variable[], grads: Readonly<Record<string, Tensor>>): void {
    this.step++;
    // Bias corrections as numbers: no tensors kept for them.
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    const keep = 1 - this.learningRate * this.weightDecay;
    // The step's constants as scalar tensors made once: a number given to tf.mul
    // becomes a new scalar tensor at every call, 8 per weight (27 % of the
    // update's time on the tiny nets on wasm). The same float32 values: the same update.
    const k: StepScalars = {
      beta1: tf.scalar(this.beta1), oneMinusBeta1: tf.scalar(1 - this.beta1),
      beta2: tf.scalar(this.beta2), oneMinusBeta2: tf.scalar(1 - this.beta2),
      c1: tf.scalar(c1), c2: tf.scalar(c2), epsilon: tf.scalar(this.epsilon),
      keep: tf.scalar(keep), learningRate: tf.scalar(this.learningRate),
    };
    try {
      this.update(variables, grads, k);
    } finally {
      tf.dispose(Object.values(k));
    }
  }

  private update(variables: readonly Variable[], grads: Readonly<Record<string, Tensor>>, k: StepScalars): void {
    for (const variable of variables) {
      const g = grads[variable.name];
      if (g == null) continue;
      let state = this.moments.get(variable.name);
      if (!state) {
        // In a tidy, so the zeros' own handles go and only the variables hold the buffers.
        state = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) }));
        this.moments.set(variable.name, state);
      }
      const { m, v } = state;
      tf.tidy(() => {
        const m2 = tf.add(tf.mul(m, k.beta1), tf.mul(g, k.oneMinusBeta1));
        const v2 = tf.add(tf.mul(v, k.beta2), tf.mul(tf.square(g), k.oneMinusBeta2));
        const update = tf.div(tf.div(m2, k.c1), tf.add(tf.sqrt(tf.div(v2, k.c2)), k.epsilon));
        m.assign(m2);
        v.assign(v2);
        variable.assign(tf.sub(tf.mul(variable, k.keep), tf.mul(update, k.learningRate)));
      });
    }
  }

  /** The tensors AdamW keeps between steps: two moments per trained weight. */
  stateTensors(): Tensor[] {
    return [...this.moments.values()].flatMap(({ m, v }) => [m, v]);
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}

// Activation checkpointing for TensorFlow.js, which has none (and whose
// tf.grads fails nested in a customGrad): the live pass runs without a tape,
// keeping only each segment's inputs; the backward pass walks the segments
// in reverse, recomputes each under a tape of its own and pushes the
// upstream gradient (dy) through it, accumulating the trained variables'
// gradients and the gradients of its inputs (a skip connection's input gets
// them from two segments: the next layer and the one that pops it).
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor, Variable } from '../backend/tfjs/tf.ts';
import type { SegmentRunner } from '../model/segments.ts';

interface Segment {
  inputs: Tensor[];
  piece: (...inputs: Tensor[]) => Tensor;
  output: Tensor;
}

export class SegmentRecompute {
  private readonly segments: Segment[] = [];
  /** Tensors some segment produced: the ones a gradient flows back into (the rest are frozen inputs). */
  private readonly produced = new Set<number>();

  /** The runner to give the network's live pass: runs a piece without a tape and records it. */
  readonly runner: SegmentRunner = (inputs, piece) => {
    const output = tf.tidy(() => piece(...inputs));
    this.segments.push({ inputs, piece, output });
    this.produced.add(output.id);
    return output;
  };

  /**
   * Gradients of the last recorded segment's scalar output (the loss) for
   * `trainable`, keyed by variable name; disposes every segment output.
   */
  backward(trainable: readonly Variable[]): { loss: tf.Scalar; grads: tf.NamedTensorMap } {
    const grads: tf.NamedTensorMap = {};
    const upstream = new Map<number, Tensor>();
    let loss: tf.Scalar | null = null;
    try {
      for (let i = this.segments.length - 1; i >= 0; i--) {
        const { inputs, piece, output } = this.segments[i]!;
        const last = i === this.segments.length - 1;
        const dy = last ? undefined : upstream.get(output.id);
        upstream.delete(output.id);
        if (!last && dy == null) {
          output.dispose();
          continue; // nothing trained depends on it
        }
        const live = inputs.filter((x) => this.produced.has(x.id));
        const xs = [...live, ...trainable];
        const { value, grads: g } = tf.engine().gradients(() => piece(...inputs), xs, dy, true);
        if (last) loss = value as tf.Scalar;
        else value.dispose();
        dy?.dispose();
        live.forEach((x, k) => accumulate(upstream, x.id, g[k]));
        trainable.forEach((v, k) => accumulate(grads, v.name, g[live.length + k]));
        output.dispose();
      }
    } catch (err) {
      tf.dispose([...upstream.values(), ...Object.values(grads), ...this.segments.map((s) => s.output)]);
      throw err;
    }
    this.segments.length = 0;
    return { loss: loss!, grads };
  }
}

function accumulate<K extends string | number>(into: Map<K, Tensor> | Record<K, Tensor>, key: K, g: Tensor | undefined): void {
  if (g == null) return;
  const get = (k: K) => (into instanceof Map ? into.get(k) : into[k]);
  const set = (k: K, t: Tensor) => (into instanceof Map ? into.set(k, t) : (into[k] = t));
  const prev = get(key);
  if (prev == null) {
    set(key, g);
    return;
  }
  set(key, tf.add(prev, g));
  tf.dispose([prev, g]);
}

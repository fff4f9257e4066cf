// The primitive layers (NHWC; frames folded into the batch): convolution,
// linear, group and layer norm, SiLU, multi-head attention, GEGLU. Each
// declares its weights like its PyTorch counterpart, so counts match diffusers.
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor } from '../backend/tfjs/tf.ts';
import type { Init, Param, ParamScope } from './params.ts';

type T4 = tf.Tensor4D;
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

export class Conv2d {
  readonly kernel: Param;
  readonly bias: Param;
  constructor(
    scope: ParamScope,
    readonly inCh: number,
    readonly outCh: number,
    readonly kh: number,
    readonly kw: number = kh,
    readonly stride = 1,
    init: { kernel?: Init; bias?: Init } = {},
  ) {
    const fanIn = inCh * kh * kw;
    this.kernel = scope.param('kernel', [kh, kw, inCh, outCh], init.kernel ?? { kind: 'uniform', fanIn });
    this.bias = scope.param('bias', [outCh], init.bias ?? { kind: 'uniform', fanIn });
  }

  /** PyTorch's `padding=k//2` (symmetric), not TensorFlow's 'same' (which pads after only). */
  apply(x: T4): T4 {
    const ph = Math.floor(this.kh / 2);
    const pw = Math.floor(this.kw / 2);
    const pad: ExplicitPadding | 'valid' = ph === 0 && pw === 0 ? 'valid' : [[0, 0], [ph, ph], [pw, pw], [0, 0]];
    return tf.add(tf.conv2d(x, this.kernel.v as T4, this.stride, pad), this.bias.v) as T4;
  }
}

export class Linear {
  readonly weight: Param;
  readonly bias: Param | null;
  constructor(scope: ParamScope, readonly inDim: number, readonly outDim: number, opts: { bias?: boolean; zeroInit?: boolean } = {}) {
    const init: Init = opts.zeroInit ? { kind: 'zeros' } : { kind: 'uniform', fanIn: inDim };
    this.weight = scope.param('weight', [inDim, outDim], init);
    this.bias = (opts.bias ?? true) ? scope.param('bias', [outDim], init) : null;
  }

  /** Applies to the last axis of any rank. */
  apply(x: Tensor): Tensor {
    const lead = x.shape.slice(0, -1);
    let y: Tensor = tf.matMul(tf.reshape(x, [-1, this.inDim]), this.weight.v);
    if (this.bias) y = tf.add(y, this.bias.v);
    return tf.reshape(y, [...lead, this.outDim]);
  }
}

export class GroupNorm {
  readonly gamma: Param;
  readonly beta: Param;
  constructor(scope: ParamScope, readonly channels: number, readonly groups: number, readonly eps = 1e-5) {
    this.gamma = scope.param('gamma', [channels], { kind: 'ones' });
    this.beta = scope.param('beta', [channels], { kind: 'zeros' });
  }

  /**
   * Normalises each group over the spatial positions of one image, or — with
   * `framesPerClip` — over all frames of a clip, as a GroupNorm on a 5D
   * [B, C, F, H, W] tensor does in the temporal layers.
   */
  apply(x: T4, framesPerClip = 1): T4 {
    const [n, h, w, c] = x.shape;
    const g = this.groups;
    const grouped = tf.reshape(x, [n / framesPerClip, framesPerClip * h * w, g, c / g]);
    const { mean, variance } = tf.moments(grouped, [1, 3], true);
    const normed = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(tf.reshape(normed, [n, h, w, c]), this.gamma.v), this.beta.v) as T4;
  }
}

export class LayerNorm {
  readonly gamma: Param;
  readonly beta: Param;
  constructor(scope: ParamScope, readonly dim: number, readonly eps = 1e-5) {
    this.gamma = scope.param('gamma', [dim], { kind: 'ones' });
    this.beta = scope.param('beta', [dim], { kind: 'zeros' });
  }

  apply(x: Tensor): Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(normed, this.gamma.v), this.beta.v);
  }
}

export function silu<T extends Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}

/** diffusers `Attention`: bias-free q/k/v projections, an output projection with bias. */
export class Attention {
  readonly toQ: Linear;
  readonly toK: Linear;
  readonly toV: Linear;
  readonly toOut: Linear;
  constructor(scope: ParamScope, readonly dim: number, readonly heads: number, readonly headDim: number, contextDim = dim) {
    const inner = heads * headDim;
    this.toQ = new Linear(scope.child('to_q'), dim, inner, { bias: false });
    this.toK = new Linear(scope.child('to_k'), contextDim, inner, { bias: false });
    this.toV = new Linear(scope.child('to_v'), contextDim, inner, { bias: false });
    this.toOut = new Linear(scope.child('to_out'), inner, dim);
  }

  /** x: [N, Lq, dim]; context: [N, Lk, contextDim] (x itself for self-attention). */
  apply(x: Tensor, context: Tensor = x): Tensor {
    const [n, lq] = x.shape as [number, number, number];
    const lk = context.shape[1]!;
    const { heads, headDim } = this;
    const split = (t: Tensor, l: number) => tf.transpose(tf.reshape(t, [n, l, heads, headDim]), [0, 2, 1, 3]);
    const q = split(tf.mul(this.toQ.apply(x), 1 / Math.sqrt(headDim)), lq);
    const k = split(this.toK.apply(context), lk);
    const v = split(this.toV.apply(context), lk);
    const probs = tf.softmax(tf.matMul(q, k, false, true));
    const out = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [n, lq, heads * headDim]);
    return this.toOut.apply(out);
  }
}

/** diffusers `FeedForward(dim, mult=4, activation_fn="geglu")`. */
export class GegluFeedForward {
  readonly proj: Linear;
  readonly out: Linear;
  constructor(scope: ParamScope, readonly dim: number, mult = 4) {
    const inner = dim * mult;
    this.proj = new Linear(scope.child('geglu'), dim, inner * 2);
    this.out = new Linear(scope.child('out'), inner, dim);
  }

  apply(x: Tensor): Tensor {
    const [hidden, gate] = tf.split(this.proj.apply(x), 2, -1) as [Tensor, Tensor];
    return this.out.apply(tf.mul(hidden, gelu(gate)));
  }
}

/** Exact GELU, 0.5·x·(1 + erf(x/√2)), as PyTorch's default. */
export function gelu(x: Tensor): Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/**
 * `live + frozen` where `frozen` depends on no trainable weight: the gradient
 * passes to `live` only and `frozen` is not kept for the backward pass
 * (TensorFlow.js's Add would save both operands).
 */
export function addFrozen<T extends Tensor>(live: T, frozen: Tensor): T {
  const op = tf.customGrad(((x: Tensor) => ({ value: tf.add(x, frozen), gradFunc: (dy: Tensor) => dy })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(live) as T;
}

/** The U-Net's skip join (walk-unet.ts): the popped skip concatenated along channels (NHWC). */
export function concatChannels(x: tf.Tensor4D, skip: tf.Tensor4D): tf.Tensor4D {
  return tf.concat([x, skip], 3);
}

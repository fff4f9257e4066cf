// The parallel (Mobius) 3D-UNet. The hidden state h runs through the frozen
// 2D UNet alone (Eq. 8: h' = SA(SC(h))); the time state t, copied from h
// after the input conv (decoupling, §3.2), runs beside it (Eq. 9):
//   t' = SA(SC(h)) + TA(SC(h) + TC(t))      (t' = SC(h) + TC(t) without attention)
// Both streams keep their own skip stacks (Eqs. 4–5, concatenation), t goes
// through the same frozen resamplers, and the output is Conv(h ⊕ t) (Eq. 6)
// before the usual norm → SiLU → conv_out. (Eq. 10's TA(TC(t)) is a typo of
// Eq. 9.) Everything h-side depends on no trainable weight, so the step runs
// it outside the gradient tape (`frozenPass`).
import { tf } from '../backend/tf.ts';
import type { Tensor } from '../backend/tf.ts';
import type { UNetConfig } from './config.ts';
import { addFrozen, Conv2d } from './layers.ts';
import type { UNetInputs } from './spatial-unet.ts';
import { TemporalAttention } from './blocks/temporal-attention.ts';
import { TemporalConv } from './blocks/temporal-conv.ts';
import { VideoUNet } from './video-unet.ts';

interface TemporalLayer {
  tc: TemporalConv;
  ta: TemporalAttention | null;
}

/** The spatial stream's results that the time stream reads. */
export interface SpatialTrace {
  /** h after the input conv: t starts as a copy of it. */
  h0: tf.Tensor4D;
  /** Per layer: SC(h), and SA(SC(h)) where the layer has attention. */
  layers: Map<string, { sc: tf.Tensor4D; sa: tf.Tensor4D | null }>;
  /** h after the last up block: the h half of the fusion. */
  hOut: tf.Tensor4D;
}

export class ParallelUNet extends VideoUNet<SpatialTrace> {
  readonly kind = 'parallel' as const;
  readonly transformerIn: TemporalAttention;
  readonly temporal = new Map<string, TemporalLayer>();
  /** Eq. 6: a 1×1 conv over h ⊕ t, starting as "take h" (t half zero). */
  readonly fusion: Conv2d;

  constructor(config: UNetConfig) {
    super(config);
    const t = this.scope.child('', 'temporal');
    const { headDim, groups } = config;
    const c0 = config.blockChannels[0]!;
    this.transformerIn = new TemporalAttention(t.child('transformer_in'), c0, config.transformerInHeads, headDim, groups);
    for (const step of this.spatial.plan) {
      if (step.kind !== 'layer') continue;
      const s = t.child(step.name);
      this.temporal.set(step.name, {
        // t enters with the channels h enters SC with (its own skip concatenated).
        tc: new TemporalConv(s.child('tc'), step.inCh + step.skipCh, step.outCh, groups),
        ta: step.attention ? new TemporalAttention(s.child('ta'), step.outCh, step.outCh / headDim, headDim, groups) : null,
      });
    }
    this.fusion = new Conv2d(this.scope.child('fusion', 'extra'), 2 * c0, c0, 1, 1, 1, {
      kernel: { kind: 'custom', make: () => takeFirstHalf(c0) },
      bias: { kind: 'zeros' },
    });
  }

  /** The h stream: the 2D UNet, recording what the t stream reads. */
  frozenPass(inputs: UNetInputs): SpatialTrace {
    const temb = this.spatial.timeEmbedding.apply(inputs.timesteps);
    const h0 = this.spatial.convIn.apply(inputs.noisy);
    const layers: SpatialTrace['layers'] = new Map();
    let h = h0;
    const skips: tf.Tensor4D[] = [h];
    for (const step of this.spatial.plan) {
      if (step.kind !== 'layer') {
        h = this.spatial.resample(step.name, h);
        if (step.kind === 'down') skips.push(h);
        continue;
      }
      const { sc, sa } = this.spatial.layer(step);
      if (step.skip === 'pop') h = tf.concat([h, skips.pop()!], 3) as tf.Tensor4D;
      const scOut = sc.apply(h, temb);
      const saOut = sa ? sa.apply(scOut, inputs.text) : null;
      layers.set(step.name, { sc: scOut, sa: saOut });
      h = saOut ?? scOut; // Eq. 8
      if (step.skip === 'push') skips.push(h);
    }
    return { h0, layers, hOut: h };
  }

  frozenTensors(trace: SpatialTrace): Tensor[] {
    const out: Tensor[] = [trace.h0, trace.hOut];
    for (const { sc, sa } of trace.layers.values()) {
      out.push(sc);
      if (sa) out.push(sa);
    }
    return out;
  }

  /** The t stream (Eq. 9), then the fusion (Eq. 6) and the output head. */
  livePass(trace: SpatialTrace, inputs: UNetInputs, hoisted: boolean): tf.Tensor4D {
    const { frames } = inputs;
    // A frozen operand computed outside the tape need not be kept for backward.
    const plus = hoisted ? addFrozen : <T extends Tensor>(live: T, frozen: Tensor) => tf.add(live, frozen) as T;
    let t = this.transformerIn.apply(trace.h0, frames);
    const skips: tf.Tensor4D[] = [t];
    for (const step of this.spatial.plan) {
      if (step.kind !== 'layer') {
        t = this.spatial.resample(step.name, t); // the same frozen resampler as h
        if (step.kind === 'down') skips.push(t);
        continue;
      }
      const { tc, ta } = this.temporal.get(step.name)!;
      const { sc, sa } = trace.layers.get(step.name)!;
      if (step.skip === 'pop') t = tf.concat([t, skips.pop()!], 3) as tf.Tensor4D;
      const tcOut = tc.apply(t, frames);
      t = ta && sa
        ? plus(ta.apply(plus(tcOut, sc), frames), sa) // SA(SC(h)) + TA(SC(h) + TC(t))
        : plus(tcOut, sc); // SC(h) + TC(t)
      if (step.skip === 'push') skips.push(t);
    }
    const fused = this.fusion.apply(tf.concat([trace.hOut, t], 3) as tf.Tensor4D);
    return this.spatial.head(fused);
  }
}

/** A [1, 1, 2c, c] kernel that passes the first c channels through and ignores the rest. */
function takeFirstHalf(c: number): Tensor {
  return tf.reshape(tf.concat([tf.eye(c), tf.zeros([c, c])], 0), [1, 1, 2 * c, c]);
}

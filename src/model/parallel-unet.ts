// The parallel (Mobius) 3D-UNet. The hidden state h runs through the frozen
// 2D UNet alone (Eq. 8: h' = SA(SC(h))); the time state t, copied from h
// after the input conv (decoupling, §3.2), runs beside it (Eq. 9):
//   t' = SA(SC(h)) + TA(SC(h) + TC(t))      (t' = SC(h) + TC(t) without attention)
// Both streams keep their own skip stacks (Eqs. 4–5, concatenation), t goes
// through the same frozen resamplers, and the output is Conv(h ⊕ t) (Eq. 6)
// before the usual norm → SiLU → conv_out. (Eq. 10's TA(TC(t)) is a typo of
// Eq. 9.) Everything h-side depends on no trainable weight, so the step runs
// it outside the gradient tape (`frozenPass`).
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor } from '../backend/tfjs/tf.ts';
import type { UNetConfig } from './config.ts';
import { addFrozen, Conv2d } from './layers.ts';
import type { ParamGroup } from './params.ts';
import { DIRECT, type SegmentRunner } from './segments.ts';
import type { UNetInputs } from './spatial-unet.ts';
import { TemporalAttention } from './blocks/temporal-attention.ts';
import { TemporalConv } from './blocks/temporal-conv.ts';
import type { TemporalLayer } from './serial-unet.ts';
import { VideoUNet } from './video-unet.ts';
import { concatChannels } from './layers.ts';
import { walkUNet } from './walk-unet.ts';

/** What one layer of the spatial stream gives the time stream: SC(h), and SA(SC(h)) where it has attention. */
export interface SpatialOutputs {
  sc: tf.Tensor4D;
  sa: tf.Tensor4D | null;
}

/** The spatial stream's results that the time stream reads. */
export interface SpatialTrace {
  /** h after the input conv: t starts as a copy of it. */
  h0: tf.Tensor4D;
  layers: Map<string, SpatialOutputs>;
  /** h after the last up block: the h half of the fusion. */
  hOut: tf.Tensor4D;
}

type Plus = <T extends Tensor>(live: T, frozen: Tensor) => T;

/** Eq. 9, one layer of the time stream: t' = SA(SC(h)) + TA(SC(h) + TC(t)), or SC(h) + TC(t) without attention. */
export function parallelLayer(temporal: TemporalLayer, h: SpatialOutputs, t: tf.Tensor4D, inputs: UNetInputs, plus: Plus): tf.Tensor4D {
  const tcOut = temporal.tc.apply(t, inputs.frames, inputs.dropout ?? null);
  return temporal.ta && h.sa
    ? plus(temporal.ta.apply(plus(tcOut, h.sc), inputs.frames), h.sa)
    : plus(tcOut, h.sc);
}

export class ParallelUNet extends VideoUNet<SpatialTrace> {
  readonly kind = 'parallel' as const;
  readonly deltaGroups: readonly ParamGroup[] = ['temporal', 'extra'];
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
    for (const step of this.spatial.layout) {
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

  /** The h stream (Eq. 8: h' = SA(SC(h))): the 2D UNet, recording what the t stream reads. */
  frozenPass(inputs: UNetInputs): SpatialTrace {
    const temb = this.spatial.timeEmbedding.apply(inputs.timesteps);
    const h0 = this.spatial.convIn.apply(inputs.noisy);
    const layers: SpatialTrace['layers'] = new Map();
    const hOut = walkUNet(this.spatial.layout, h0, {
      layer: (step, h) => {
        const { sc, sa } = this.spatial.layer(step);
        const scOut = sc.apply(h, temb);
        const saOut = sa ? sa.apply(scOut, inputs.text) : null;
        layers.set(step.name, { sc: scOut, sa: saOut });
        return saOut ?? scOut;
      },
      resample: (step, h) => this.spatial.resample(step, h),
      join: concatChannels,
    });
    return { h0, layers, hOut };
  }

  frozenTensors(trace: SpatialTrace): Tensor[] {
    const out: Tensor[] = [trace.h0, trace.hOut];
    for (const { sc, sa } of trace.layers.values()) {
      out.push(sc);
      if (sa) out.push(sa);
    }
    return out;
  }

  /**
   * The t stream (Eq. 9), then the fusion (Eq. 6) and the output head. With
   * a checkpointing `segment` runner each time-stream layer is one segment;
   * the spatial trace it reads is kept anyway (computed outside the tape).
   */
  livePass(trace: SpatialTrace, inputs: UNetInputs, hoisted: boolean, segment: SegmentRunner = DIRECT): tf.Tensor4D {
    // A frozen operand computed outside the tape need not be kept for backward.
    const plus: Plus = hoisted ? addFrozen : <T extends Tensor>(live: T, frozen: Tensor) => tf.add(live, frozen) as T;
    const t0 = segment([trace.h0], (h0) => this.transformerIn.apply(h0 as tf.Tensor4D, inputs.frames));
    const t = walkUNet(this.spatial.layout, t0, {
      layer: (step, t) => segment([t], (x) => parallelLayer(this.temporal.get(step.name)!, trace.layers.get(step.name)!, x as tf.Tensor4D, inputs, plus)),
      resample: (step, t) => segment([t], (x) => this.spatial.resample(step, x as tf.Tensor4D)), // the same frozen resampler as h
      join: (t, skip) => segment([t, skip], (x, s) => tf.concat([x as tf.Tensor4D, s as tf.Tensor4D], 3)),
    });
    return segment([t], (x) => this.spatial.head(this.fusion.apply(tf.concat([trace.hOut, x as tf.Tensor4D], 3) as tf.Tensor4D)));
  }
}

/** A [1, 1, 2c, c] kernel that passes the first c channels through and ignores the rest. */
function takeFirstHalf(c: number): Tensor {
  return tf.reshape(tf.concat([tf.eye(c), tf.zeros([c, c])], 0), [1, 1, 2 * c, c]);
}

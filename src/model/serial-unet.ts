// The classic serial 3D-UNet (Eq. 7): per layer h' = TA(SA(TC(SC(h)))), with
// `transformer_in` after the input conv — diffusers' UNet3DConditionModel.
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor } from '../backend/tfjs/tf.ts';
import type { UNetConfig } from './config.ts';
import type { LayerStep } from './layout.ts';
import type { ParamGroup } from './params.ts';
import { DIRECT, type SegmentRunner } from './segments.ts';
import type { SpatialLayer, UNetInputs } from './spatial-unet.ts';
import { TemporalAttention } from './blocks/temporal-attention.ts';
import { TemporalConv } from './blocks/temporal-conv.ts';
import { VideoUNet } from './video-unet.ts';
import { walkUNet } from './walk-unet.ts';

export interface TemporalLayer {
  tc: TemporalConv;
  ta: TemporalAttention | null;
}

/** What precedes the first temporal layer: the time embedding and the input conv. */
export interface SerialPrefix {
  temb: tf.Tensor2D;
  h0: tf.Tensor4D;
}

/** Eq. 7, one layer: h' = TA(SA(TC(SC(h)))); without temporal layers, the 2D UNet's SA(SC(h)). */
export function serialLayer(
  spatial: SpatialLayer, temporal: TemporalLayer | null, h: tf.Tensor4D, temb: tf.Tensor2D, inputs: UNetInputs,
): tf.Tensor4D {
  const { frames, text, dropout } = inputs;
  h = spatial.sc.apply(h, temb);
  if (temporal) h = temporal.tc.apply(h, frames, dropout ?? null);
  if (spatial.sa) h = spatial.sa.apply(h, text);
  if (temporal?.ta) h = temporal.ta.apply(h, frames);
  return h;
}

export class SerialUNet extends VideoUNet<SerialPrefix> {
  readonly kind = 'serial' as const;
  readonly deltaGroups: readonly ParamGroup[] = ['temporal'];
  readonly transformerIn: TemporalAttention;
  readonly temporal = new Map<string, TemporalLayer>();

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
        tc: new TemporalConv(s.child('tc'), step.outCh, step.outCh, groups),
        ta: step.attention ? new TemporalAttention(s.child('ta'), step.outCh, step.outCh / headDim, headDim, groups) : null,
      });
    }
  }

  frozenPass(inputs: UNetInputs): SerialPrefix {
    return {
      temb: this.spatial.timeEmbedding.apply(inputs.timesteps),
      h0: this.spatial.convIn.apply(inputs.noisy),
    };
  }

  frozenTensors(prefix: SerialPrefix): Tensor[] {
    return [prefix.temb, prefix.h0];
  }

  /** From the input conv on; with a checkpointing `segment` runner each layer (SC → TC → SA → TA) is one segment. */
  livePass(prefix: SerialPrefix, inputs: UNetInputs, _hoisted: boolean, segment: SegmentRunner = DIRECT): tf.Tensor4D {
    return this.walk(prefix, inputs, true, segment);
  }

  /** The 2D UNet applied frame by frame: this network without its temporal layers. */
  forward2d(inputs: UNetInputs): tf.Tensor4D {
    return this.walk(this.frozenPass(inputs), inputs, false, DIRECT);
  }

  private walk(prefix: SerialPrefix, inputs: UNetInputs, temporalLayers: boolean, segment: SegmentRunner): tf.Tensor4D {
    const { temb } = prefix;
    const start = temporalLayers ? segment([prefix.h0], (h0) => this.transformerIn.apply(h0 as tf.Tensor4D, inputs.frames)) : prefix.h0;
    const h = walkUNet(this.spatial.layout, start, {
      layer: (step: LayerStep, x) => segment([x], (h) => serialLayer(this.spatial.layer(step), temporalLayers ? this.temporal.get(step.name)! : null, h as tf.Tensor4D, temb, inputs)),
      resample: (step, x) => segment([x], (h) => this.spatial.resample(step, h as tf.Tensor4D)),
      join: (x, skip) => segment([x, skip], (h, s) => tf.concat([h as tf.Tensor4D, s as tf.Tensor4D], 3)),
    });
    return segment([h], (x) => this.spatial.head(x as tf.Tensor4D));
  }
}

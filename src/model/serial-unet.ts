// The classic serial 3D-UNet (Eq. 7): per layer h' = TA(SA(TC(SC(h)))), with
// `transformer_in` after the input conv — diffusers' UNet3DConditionModel.
import { tf } from '../backend/tf.ts';
import type { Tensor } from '../backend/tf.ts';
import type { UNetConfig } from './config.ts';
import type { UNetInputs } from './spatial-unet.ts';
import { TemporalAttention } from './blocks/temporal-attention.ts';
import { TemporalConv } from './blocks/temporal-conv.ts';
import { VideoUNet } from './video-unet.ts';

interface TemporalLayer {
  tc: TemporalConv;
  ta: TemporalAttention | null;
}

/** What precedes the first temporal layer: the time embedding and the input conv. */
export interface SerialPrefix {
  temb: tf.Tensor2D;
  h0: tf.Tensor4D;
}

export class SerialUNet extends VideoUNet<SerialPrefix> {
  readonly kind = 'serial' as const;
  readonly transformerIn: TemporalAttention;
  readonly temporal = new Map<string, TemporalLayer>();

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

  livePass(prefix: SerialPrefix, inputs: UNetInputs, _hoisted: boolean, temporalLayers = true): tf.Tensor4D {
    const { frames, text } = inputs;
    const { temb } = prefix;
    let h = temporalLayers ? this.transformerIn.apply(prefix.h0, frames) : prefix.h0;
    const skips: tf.Tensor4D[] = [h];
    for (const step of this.spatial.plan) {
      if (step.kind !== 'layer') {
        h = this.spatial.resample(step.name, h);
        if (step.kind === 'down') skips.push(h);
        continue;
      }
      const { sc, sa } = this.spatial.layer(step);
      const { tc, ta } = this.temporal.get(step.name)!;
      if (step.skip === 'pop') h = tf.concat([h, skips.pop()!], 3) as tf.Tensor4D;
      h = sc.apply(h, temb);
      if (temporalLayers) h = tc.apply(h, frames);
      if (sa) h = sa.apply(h, text);
      if (ta && temporalLayers) h = ta.apply(h, frames);
      if (step.skip === 'push') skips.push(h);
    }
    return this.spatial.head(h);
  }

  /** The 2D UNet applied frame by frame: this network without its temporal layers. */
  forward2d(inputs: UNetInputs): tf.Tensor4D {
    return this.livePass(this.frozenPass(inputs), inputs, false, false);
  }
}

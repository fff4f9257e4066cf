// The frozen 2D UNet (Stable Diffusion's spatial layers) that both video
// networks contain: time embedding, input conv, every layer's SC and SA, the
// resamplers, and the output head. Declared under the same names in both
// networks, so the same seed gives both the same spatial weights.
import { tf } from '../backend/tfjs/tf.ts';
import type { UNetConfig } from './config.ts';
import { Conv2d, GroupNorm, silu } from './layers.ts';
import { unetLayout, type LayerStep, type ResampleStep, type UNetStep } from './layout.ts';
import type { DropoutMasks } from './dropout.ts';
import type { ParamScope } from './params.ts';
import { Downsample, Upsample } from './blocks/resample.ts';
import { SpatialAttention } from './blocks/spatial-attention.ts';
import { SpatialConv } from './blocks/spatial-conv.ts';
import { TimestepEmbedding } from './blocks/timestep-embedding.ts';

/** What a UNet is applied to: B clips of F frames, folded to B·F images. */
export interface UNetInputs {
  /** Noisy latents [B·F, h, w, latentChannels]. */
  noisy: tf.Tensor4D;
  /** Diffusion timestep of each image [B·F] (one per clip, repeated over its frames). */
  timesteps: tf.Tensor1D;
  /** Text embedding of each image [B·F, L, crossDim]. */
  text: tf.Tensor3D;
  frames: number;
  /** The temporal convs' dropout masks in training; absent or null: none (eval). */
  dropout?: DropoutMasks | null;
}

export interface SpatialLayer {
  sc: SpatialConv;
  sa: SpatialAttention | null;
}

export class SpatialUNet {
  readonly layout: UNetStep[];
  readonly timeEmbedding: TimestepEmbedding;
  readonly convIn: Conv2d;
  readonly layers = new Map<string, SpatialLayer>();
  readonly resamplers = new Map<string, Downsample | Upsample>();
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(scope: ParamScope, readonly config: UNetConfig) {
    const c0 = config.blockChannels[0]!;
    const timeEmbDim = 4 * c0;
    this.layout = unetLayout(config);
    this.timeEmbedding = new TimestepEmbedding(scope.child('time_embedding'), c0, timeEmbDim);
    this.convIn = new Conv2d(scope.child('conv_in'), config.latentChannels, c0, 3);
    for (const step of this.layout) {
      const s = scope.child(step.name);
      if (step.kind === 'layer') {
        this.layers.set(step.name, {
          sc: new SpatialConv(s.child('sc'), step.inCh + step.skipCh, step.outCh, timeEmbDim, config.groups),
          sa: step.attention ? new SpatialAttention(s.child('sa'), step.outCh, config.headDim, config.crossDim, config.groups) : null,
        });
      } else {
        this.resamplers.set(step.name, step.kind === 'down' ? new Downsample(s, step.channels) : new Upsample(s, step.channels));
      }
    }
    this.normOut = new GroupNorm(scope.child('conv_norm_out'), c0, config.groups);
    this.convOut = new Conv2d(scope.child('conv_out'), c0, config.latentChannels, 3);
  }

  layer(step: LayerStep): SpatialLayer {
    return this.layers.get(step.name)!;
  }

  resample(step: ResampleStep, x: tf.Tensor4D): tf.Tensor4D {
    return this.resamplers.get(step.name)!.apply(x);
  }

  /** norm → SiLU → conv_out. */
  head(h: tf.Tensor4D): tf.Tensor4D {
    return this.convOut.apply(silu(this.normOut.apply(h)));
  }
}

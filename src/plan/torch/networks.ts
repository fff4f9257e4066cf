// The worker's two networks (serial.py, parallel.py, unet.py) built on the
// UNet layout both frameworks share (src/model/layout.ts unetLayout), and one
// micro-batch of the training step (trainer.py accumulate): embed → the net
// (each layer one checkpoint segment in the -ckpt modes) → head → float32
// MSE against the noise, divided by accum.
import type { UNetConfig } from '../../model/config.ts';
import { unetLayout, type LayerStep, type UNetStep } from '../../model/layout.ts';
import { walkUNet } from '../../model/walk-unet.ts';
import type { DType } from './dtype.ts';
import { Downsample2D, ResnetBlock2D, TemporalConvLayer, TimestepEmbedding, Upsample2D } from './modules/blocks.ts';
import { Conv, GroupNorm, type ForwardContext } from './modules/layers.ts';
import { ParamRegistry, type ParamScope, type TrainableRule } from './modules/parameters.ts';
import { Transformer2DModel, TransformerTemporalModel } from './modules/transformer.ts';
import { cast, permute, reshape, unsqueeze0 } from './ops/layout.ts';
import { add, cat, mseLoss, repeatInterleave0, scalarOp, silu } from './ops/pointwise.ts';
import type { Tape, Tensor } from './tape.ts';

export type NetworkKind = 'serial' | 'parallel';

/** One micro-batch's shapes. */
export interface MicroBatchShape {
  batch: number;
  frames: number;
  /** Latent side (image size / 8). */
  latent: number;
  textLength: number;
}

interface Layer {
  sc: ResnetBlock2D;
  tc: TemporalConvLayer;
  sa: Transformer2DModel | null;
  ta: TransformerTemporalModel | null;
}

type Resampler = Downsample2D | Upsample2D;

/** diffusers' module path of a plan step's block: down_blocks.i, mid_block, up_blocks.i. */
function blockPath(step: LayerStep): string {
  return step.block === 'mid' ? 'mid_block' : `${step.block}_blocks.${step.level}`;
}

export class VideoUNet {
  readonly params: ParamRegistry;
  readonly steps: UNetStep[];
  readonly convIn: Conv;
  readonly timeEmbedding: TimestepEmbedding;
  readonly transformerIn: TransformerTemporalModel;
  /** By plan step name. */
  readonly layers = new Map<string, Layer>();
  readonly resamplers = new Map<string, Resampler>();
  readonly convNormOut: GroupNorm;
  readonly convOut: Conv;
  readonly convFusion: Conv | null;

  constructor(tape: Tape, readonly config: UNetConfig, readonly network: NetworkKind, trainable: TrainableRule, frozenDtype: DType, readonly checkpointing: boolean) {
    this.params = new ParamRegistry(tape, trainable, frozenDtype);
    const root = this.params.scope('');
    const c0 = config.blockChannels[0]!;
    const temb = 4 * c0;
    const { groups, headDim } = config;
    this.steps = unetLayout(config);
    // Declared in diffusers' order (conv_in, time_embedding, transformer_in, blocks, head).
    this.convIn = new Conv(root.child('conv_in'), config.latentChannels, c0, [3, 3]);
    this.timeEmbedding = new TimestepEmbedding(root.child('time_embedding'), c0, temb);
    this.transformerIn = new TransformerTemporalModel(root.child('transformer_in'), config.transformerInHeads, headDim, c0, groups);
    for (const step of this.steps) {
      if (step.kind !== 'layer') {
        const scope = root.child(step.kind === 'down' ? `down_blocks.${step.level}.downsamplers.0` : `up_blocks.${step.level}.upsamplers.0`);
        this.resamplers.set(step.name, step.kind === 'down' ? new Downsample2D(scope, step.channels) : new Upsample2D(scope, step.channels));
        continue;
      }
      const at = (list: string): ParamScope => root.child(`${blockPath(step)}.${list}.${step.index}`);
      const c = step.outCh;
      const tcIn = network === 'serial' ? c : step.inCh + step.skipCh;
      this.layers.set(step.name, {
        sc: new ResnetBlock2D(at('resnets'), step.inCh + step.skipCh, c, temb, groups),
        tc: new TemporalConvLayer(at('temp_convs'), tcIn, c, groups),
        sa: step.attention ? new Transformer2DModel(at('attentions'), c / headDim, headDim, c, config.crossDim, groups) : null,
        ta: step.attention ? new TransformerTemporalModel(at('temp_attentions'), c / headDim, headDim, c, groups) : null,
      });
    }
    this.convNormOut = new GroupNorm(root.child('conv_norm_out'), groups, c0);
    this.convOut = new Conv(root.child('conv_out'), c0, config.latentChannels, [3, 3]);
    this.convFusion = network === 'parallel' ? new Conv(root.child('conv_fusion'), 2 * c0, c0, [1, 1]) : null;
  }

  /** UNet3DConditionModel's preamble: time embedding and text per frame, clips folded to frames. */
  embed(ctx: ForwardContext, sample: Tensor, text: Tensor, frames: number): { emb: Tensor; text: Tensor; x: Tensor } {
    const { tape } = ctx;
    const [b, c, , h, w] = sample.shape as [number, number, number, number, number];
    const features = tape.alloc([b, this.config.blockChannels[0]!], 'float32', false, 'time_proj');
    const emb = repeatInterleave0(tape, this.timeEmbedding.forward(ctx, features, 'time_embedding'), frames, 'emb per frame');
    const textPerFrame = repeatInterleave0(tape, text, frames, 'text per frame');
    const x = reshape(tape, permute(tape, sample, [0, 2, 1, 3, 4]), [b * frames, c, h, w], 'frames');
    return { emb, text: textPerFrame, x };
  }

  /** norm → SiLU → conv_out, then the frames unfolded to [B, C, F, H, W]. */
  head(ctx: ForwardContext, h: Tensor, frames: number): Tensor {
    const { tape } = ctx;
    const out = this.convOut.forward(ctx, silu(tape, this.convNormOut.forward(ctx, h, 'conv_norm_out'), 'conv_act'), 'conv_out');
    const [bf, c, height, width] = out.shape as [number, number, number, number];
    return permute(tape, reshape(tape, unsqueeze0(tape, out), [bf / frames, frames, c, height, width]), [0, 2, 1, 3, 4]);
  }

  /** One layer's work, one checkpoint segment when checkpointing. */
  segment<T>(tape: Tape, inputs: ReadonlyArray<Tensor | null>, body: () => T): T {
    return this.checkpointing && tape.gradEnabled ? tape.checkpoint(inputs, body) : body();
  }

  /** The shared walk (model/walk-unet.ts) with this net's resamplers; `stream` names the stream in op labels. */
  private walk(ctx: ForwardContext, start: Tensor, stream: string, layer: (step: LayerStep, x: Tensor) => Tensor): Tensor {
    return walkUNet<Tensor>(this.steps, start, {
      layer,
      resample: (step, x) => this.resamplers.get(step.name)!.forward(ctx, x, `${step.name}${stream}`),
      join: (x, skip, step) => cat(ctx.tape, [x, skip], 1, `${step.name}:cat skip${stream}`),
    });
  }

  forward(ctx: ForwardContext, sample: Tensor, text: Tensor): Tensor {
    return this.network === 'serial' ? this.serialForward(ctx, sample, text) : this.parallelForward(ctx, sample, text);
  }

  /** Eq. 7: h' = TA(SA(TC(SC(h)))) per layer (serial.py). */
  private serialForward(ctx: ForwardContext, sample: Tensor, textIn: Tensor): Tensor {
    const { tape } = ctx;
    const frames = sample.shape[2]!;
    const { emb, text, x } = this.embed(ctx, sample, textIn, frames);
    const start = this.transformerIn.forward(ctx, this.convIn.forward(ctx, x, 'conv_in'), frames, 'transformer_in');
    const h = this.walk(ctx, start, '', (step, input) => {
      const { sc, tc, sa, ta } = this.layers.get(step.name)!;
      const out = this.segment(tape, [input, emb, text], () => {
        let y = tc.forward(ctx, sc.forward(ctx, input, emb, `${step.name}.sc`), frames, `${step.name}.tc`);
        if (sa && ta) y = ta.forward(ctx, sa.forward(ctx, y, text, `${step.name}.sa`), frames, `${step.name}.ta`);
        return y;
      });
      tape.use(input); // forward's local `h` holds the layer's input until the layer returns
      return out;
    });
    const out = this.head(ctx, h, frames);
    tape.use(x, emb, text); // forward's locals, alive until it returns
    return out;
  }

  /** Eqs. 8–9 (parallel.py): the frozen h stream without a graph, then t' = SA(SC(h)) + TA(SC(h) + TC(t)). */
  private parallelForward(ctx: ForwardContext, sample: Tensor, textIn: Tensor): Tensor {
    const { tape } = ctx;
    const frames = sample.shape[2]!;
    const spatialTrains = this.params.params.some((p) => p.group === 'spatial' && p.trainable);
    const gradBefore = tape.gradEnabled;
    if (!spatialTrains) tape.gradEnabled = false;
    const { emb, text, x } = this.embed(ctx, sample, textIn, frames);
    const h0 = this.convIn.forward(ctx, x, 'conv_in');
    const trace = new Map<string, { sc: Tensor; sa: Tensor | null }>();
    const hOut = this.walk(ctx, h0, '(h)', (step, h) => {
      const { sc, sa } = this.layers.get(step.name)!;
      const scOut = sc.forward(ctx, h, emb, `${step.name}.sc`);
      const saOut = sa ? sa.forward(ctx, scOut, text, `${step.name}.sa`) : null;
      trace.set(step.name, { sc: scOut, sa: saOut });
      return saOut ?? scOut;
    });
    tape.gradEnabled = gradBefore;

    const t0 = this.transformerIn.forward(ctx, h0, frames, 'transformer_in');
    const t = this.walk(ctx, t0, '(t)', (step, input) => {
      const { tc, ta } = this.layers.get(step.name)!;
      const { sc: scOut, sa: saOut } = trace.get(step.name)!;
      const out = this.segment(tape, [input, scOut, saOut], () => {
        const u = add(tape, scOut, tc.forward(ctx, input, frames, `${step.name}.tc`), `${step.name}:SC+TC`); // Eq. 9
        return ta && saOut ? add(tape, saOut, ta.forward(ctx, u, frames, `${step.name}.ta`), `${step.name}:SA+TA`) : u;
      });
      tape.use(input, scOut, saOut); // held by forward's locals until the layer returns
      return out;
    });
    const fused = this.convFusion!.forward(ctx, cat(tape, [hOut, t], 1, 'cat(h, t)'), 'conv_fusion'); // Eq. 6
    const out = this.head(ctx, fused, frames);
    tape.use(x); // a local of forward until it returns
    return out;
  }
}

/** The batch of one micro-batch (data.py make_batch), float32 like the worker's. */
export function microBatchInputs(tape: Tape, config: UNetConfig, shape: MicroBatchShape): { noisy: Tensor; text: Tensor; noise: Tensor } {
  const clip = [shape.batch, config.latentChannels, shape.frames, shape.latent, shape.latent];
  return {
    noisy: tape.alloc(clip, 'float32', false, 'batch.noisy', undefined, 'input'),
    text: tape.alloc([shape.batch, shape.textLength, config.crossDim], 'float32', false, 'batch.text', undefined, 'input'),
    noise: tape.alloc(clip, 'float32', false, 'batch.noise', undefined, 'input'),
  };
}

/** trainer.py: pred under autocast, then mse(pred.float(), noise) / accum outside it. */
export function microBatchLoss(tape: Tape, pred: Tensor, noise: Tensor): Tensor {
  const loss = mseLoss(tape, cast(tape, pred, 'float32', 'pred'), noise);
  return scalarOp(tape, loss, 'div', 'int64', 'loss / accum');
}


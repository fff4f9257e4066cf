// What the serial and the parallel network share: their declared parameters,
// materialisation from a seed, and the split of a forward pass into the part
// that depends on no trainable weight (run outside the gradient tape) and the
// rest (run inside it).
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor, Variable } from '../backend/tfjs/tf.ts';
import type { UNetConfig } from './config.ts';
import { countParams, Param, ParamScope, type InitialValue, type ParamCounts, type ParamGroup } from './params.ts';
import type { SegmentRunner } from './segments.ts';
import { SpatialUNet, type UNetInputs } from './spatial-unet.ts';

export type NetworkKind = 'serial' | 'parallel';

export abstract class VideoUNet<Frozen = unknown> {
  abstract readonly kind: NetworkKind;
  /** The groups that train in this network's delta-tuning mode. */
  abstract readonly deltaGroups: readonly ParamGroup[];
  readonly params: Param[];
  readonly spatial: SpatialUNet;
  protected readonly scope: ParamScope;

  constructor(readonly config: UNetConfig) {
    const { scope, params } = ParamScope.root('spatial');
    this.params = params;
    this.scope = scope;
    this.spatial = new SpatialUNet(scope, config);
  }

  counts(): ParamCounts {
    return countParams(this.params);
  }

  /** Creates every weight from `seed` (or `initial`); those of the `trainable` groups become trainable variables. */
  materialize(seed: number, trainable: readonly ParamGroup[], initial?: InitialValue): void {
    for (const p of this.params) p.materialize(seed, trainable.includes(p.group), initial);
  }

  variables(groups?: readonly ParamGroup[]): Variable[] {
    return this.params.filter((p) => groups == null || groups.includes(p.group)).map((p) => p.v);
  }

  dispose(): void {
    for (const p of this.params) p.dispose();
  }

  /**
   * The work that depends on no temporal (or parallel-only) weight: the whole
   * frozen stream when the spatial weights are frozen. Run outside the
   * gradient tape so that TensorFlow.js keeps none of it for the backward pass.
   */
  abstract frozenPass(inputs: UNetInputs): Frozen;

  /** Whether `frozenPass` depends on no trainable weight when `trainable` are trained. */
  canHoist(trainable: readonly ParamGroup[]): boolean {
    return !trainable.includes('spatial');
  }

  /**
   * The rest of the forward pass, from `frozenPass`'s result. `hoisted` says
   * the frozen part was computed outside the tape, so adding it to the live
   * stream need not keep it for the backward pass.
   */
  abstract livePass(frozen: Frozen, inputs: UNetInputs, hoisted: boolean, segment?: SegmentRunner): tf.Tensor4D;

  /** The whole forward pass, ε-prediction [B·F, h, w, latentChannels]. */
  forward(inputs: UNetInputs): tf.Tensor4D {
    return this.livePass(this.frozenPass(inputs), inputs, false);
  }

  /** Tensors held by a frozen-pass result, to dispose after the step. */
  abstract frozenTensors(frozen: Frozen): Tensor[];
}

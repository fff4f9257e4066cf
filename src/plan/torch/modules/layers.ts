// torch.nn's layers of the worker (python/mobius_bench_torch/layers.py and
// the torch.nn modules it uses) over the op models: their parameters by
// name and shape, their forward as the ops autograd records.
import { convolution, linear } from '../ops/matmul.ts';
import { groupNorm, layerNorm } from '../ops/normalization.ts';
import type { AttentionImpl } from '../ops/attention.ts';
import type { Tape, Tensor } from '../tape.ts';
import type { ParamScope } from './parameters.ts';

/** What every module's forward needs besides its inputs. */
export interface ForwardContext {
  tape: Tape;
  attention: AttentionImpl;
}

export class Linear {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(scope: ParamScope, readonly inDim: number, readonly outDim: number, bias = true) {
    this.weight = scope.param('weight', [outDim, inDim]);
    this.bias = bias ? scope.param('bias', [outDim]) : null;
  }

  forward(ctx: ForwardContext, x: Tensor, label: string): Tensor {
    return linear(ctx.tape, x, this.weight, this.bias, label);
  }
}

/** nn.Conv2d with PyTorch's padding k // 2 (or nn.Conv3d (3, 1, 1) over frames when `frames`). */
export class Conv {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(scope: ParamScope, readonly inCh: number, readonly outCh: number, readonly kernel: number[], readonly stride = 1) {
    this.weight = scope.param('weight', [outCh, inCh, ...kernel]);
    this.bias = scope.param('bias', [outCh]);
  }

  forward(ctx: ForwardContext, x: Tensor, label: string): Tensor {
    const spatial = x.shape.slice(2).map((size, i) => {
      const k = this.kernel[i]!;
      const pad = Math.floor(k / 2);
      return Math.floor((size + 2 * pad - k) / this.stride) + 1;
    });
    return convolution(ctx.tape, x, this.weight, this.bias, spatial, label);
  }
}

export class GroupNorm {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(scope: ParamScope, readonly groups: number, readonly channels: number) {
    this.weight = scope.param('weight', [channels]);
    this.bias = scope.param('bias', [channels]);
  }

  forward(ctx: ForwardContext, x: Tensor, label: string): Tensor {
    return groupNorm(ctx.tape, x, this.groups, this, label);
  }
}

export class LayerNorm {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(scope: ParamScope, readonly dim: number) {
    this.weight = scope.param('weight', [dim]);
    this.bias = scope.param('bias', [dim]);
  }

  forward(ctx: ForwardContext, x: Tensor, label: string): Tensor {
    return layerNorm(ctx.tape, x, this, label);
  }
}

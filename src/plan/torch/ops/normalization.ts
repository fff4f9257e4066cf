// GroupNorm and LayerNorm as the worker's layers.py calls them: the plain
// torch op where the input's dtype is the weight's, else in float32 on
// `x.float()` with float32 weights (what CUDA autocast does by itself).
// native_group_norm keeps its (contiguous) input, weight, mean and rstd
// ([N, groups]); native_layer_norm keeps its input, weight, bias, mean and
// rstd ([.., 1]); the statistics are in the input's dtype.
import type { DType } from '../dtype.ts';
import { contiguousStrides } from '../strided.ts';
import type { Tape, Tensor } from '../tape.ts';
import { autocastArg, cast, contiguous } from './layout.ts';

interface NormWeights {
  weight: Tensor;
  bias: Tensor;
}

/** layers.py: plain op when dtypes agree, else everything `.float()` (casts that are no-ops for float32). */
function operandsAsWorkerPasses(tape: Tape, x: Tensor, p: NormWeights, policy: 'group_norm' | 'layer_norm'): { x: Tensor; weight: Tensor; bias: Tensor } {
  let args = { x, weight: p.weight, bias: p.bias };
  if (x.dtype !== p.weight.dtype) {
    args = { x: cast(tape, x, 'float32', 'norm input'), weight: cast(tape, p.weight, 'float32'), bias: cast(tape, p.bias, 'float32') };
  }
  const autocast = tape.runtime.autocast(policy);
  return { x: autocastArg(tape, args.x, autocast), weight: autocastArg(tape, args.weight, autocast), bias: autocastArg(tape, args.bias, autocast) };
}

/** mean or rstd: in the normalised input's dtype, no gradient of its own. */
function statistics(tape: Tape, shape: readonly number[], dtype: DType, label: string): Tensor {
  return tape.alloc(shape, dtype, false, label);
}

/** F.group_norm on [N, C, ...]: at::group_norm makes the input contiguous first (a copy of a permuted view). */
export function groupNorm(tape: Tape, xIn: Tensor, groups: number, p: NormWeights, label: string): Tensor {
  const args = operandsAsWorkerPasses(tape, xIn, p, 'group_norm');
  const x = contiguous(tape, args.x, `${label}:input`);
  const needsGrad = tape.needsGrad(x, args.weight, args.bias);
  const out = tape.alloc(x.shape, x.dtype, needsGrad, label, contiguousStrides(x.shape));
  const mean = statistics(tape, [x.shape[0]!, groups], x.dtype, `${label}:mean`);
  const rstd = statistics(tape, [x.shape[0]!, groups], x.dtype, `${label}:rstd`);
  tape.record('native_group_norm', [x, args.weight, args.bias], [out], [x, args.weight, mean, rstd]);
  return out;
}

/** F.layer_norm over the last dim. */
export function layerNorm(tape: Tape, xIn: Tensor, p: NormWeights, label: string): Tensor {
  const args = operandsAsWorkerPasses(tape, xIn, p, 'layer_norm');
  const x = args.x;
  const needsGrad = tape.needsGrad(x, args.weight, args.bias);
  const out = tape.alloc(x.shape, x.dtype, needsGrad, label, contiguousStrides(x.shape));
  const statShape = [...x.shape.slice(0, -1), 1];
  const mean = statistics(tape, statShape, x.dtype, `${label}:mean`);
  const rstd = statistics(tape, statShape, x.dtype, `${label}:rstd`);
  tape.record('native_layer_norm', [x, args.weight, args.bias], [out], [x, args.weight, args.bias, mean, rstd]);
  return out;
}

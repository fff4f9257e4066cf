// Elementwise ops and the other small ones of a training step, with what
// their nodes keep: SiLU and GELU their input, softmax its result, mul each
// operand for the other's gradient (and `x * 0.125` the 0-dim tensor the
// Python number becomes), dropout its mask (CUDA) or noise (CPU), mse_loss
// both operands; add, cat, nearest upsampling and copies keep nothing.
import { DTYPE_BYTES, promote, type DType } from '../dtype.ts';
import { contiguousStrides, elementwiseOutputStrides, type Shape } from '../strided.ts';
import type { Tape, Tensor } from '../tape.ts';
import { autocastArg } from './layout.ts';

function broadcastShape(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    return da === 1 ? db : da;
  });
}

/** A new elementwise result of these inputs, laid out as TensorIterator lays it. */
function elementwise(tape: Tape, inputs: readonly Tensor[], dtype: DType, label: string): Tensor {
  const shape = inputs.map((t) => t.shape).reduce((s, t) => broadcastShape(s, t));
  return tape.alloc(shape, dtype, tape.needsGrad(...inputs), label, elementwiseOutputStrides(shape, inputs));
}

export function silu(tape: Tape, x: Tensor, label = 'silu'): Tensor {
  const out = elementwise(tape, [x], x.dtype, label);
  tape.record('silu', [x], [out], [x]);
  return out;
}

/** Exact GELU (diffusers' GEGLU). */
export function gelu(tape: Tape, x: Tensor, label = 'gelu'): Tensor {
  const out = elementwise(tape, [x], x.dtype, label);
  tape.record('gelu', [x], [out], [x]);
  return out;
}

export function add(tape: Tape, a: Tensor, b: Tensor, label = 'add'): Tensor {
  const out = elementwise(tape, [a, b], promote(a.dtype, b.dtype), label);
  tape.record('add', [a, b], [out], [], { passesGradThrough: true });
  return out;
}

export function mul(tape: Tape, a: Tensor, b: Tensor, label = 'mul'): Tensor {
  const out = elementwise(tape, [a, b], promote(a.dtype, b.dtype), label);
  const saved: Tensor[] = [];
  if (b.requiresGrad) saved.push(a);
  if (a.requiresGrad) saved.push(b);
  tape.record('mul', [a, b], [out], saved);
  return out;
}

/** `x * number` or `x / number`: the number becomes a 0-dim tensor (on the CPU) that the node keeps. */
export function scalarOp(tape: Tape, x: Tensor, op: 'mul' | 'div', scalarDtype: 'float64' | 'int64', label: string): Tensor {
  const out = elementwise(tape, [x], x.dtype, label);
  const scalar = tape.newStorage(tape.runtime.wrappedScalarBytes, 'scalar', `${label}:scalar ${scalarDtype}`);
  tape.record(op, [x], [out], [scalar]);
  return out;
}

/** softmax over the last dim (float32 under CUDA autocast); keeps its result. */
export function softmax(tape: Tape, xIn: Tensor, label = 'softmax'): Tensor {
  const x = autocastArg(tape, xIn, tape.runtime.autocast('softmax'));
  const out = tape.alloc(x.shape, x.dtype, tape.needsGrad(x), label, contiguousStrides(x.shape));
  tape.record('softmax', [x], [out], [out]);
  return out;
}

/** nn.Dropout(p) in training. p = 0 returns the input itself. */
export function dropout(tape: Tape, x: Tensor, p: number, label = 'dropout'): Tensor {
  if (p === 0) return x;
  if (tape.runtime.dropout === 'bool-mask') {
    const out = elementwise(tape, [x], x.dtype, label);
    const mask = tape.alloc(x.shape, 'bool', false, `${label}:mask`, out.strides);
    tape.record('native_dropout', [x], [out, mask], [mask]);
    return out;
  }
  // CPU: input * (bernoulli noise / (1 - p)), the noise in the input's dtype and layout.
  const noise = tape.alloc(x.shape, x.dtype, false, `${label}:noise`, elementwiseOutputStrides(x.shape, [x]));
  return mul(tape, x, noise, label);
}

/** torch.cat along `dim` (contiguous result in the promoted dtype). */
export function cat(tape: Tape, parts: readonly Tensor[], dim: number, label = 'cat'): Tensor {
  const shape = [...parts[0]!.shape];
  shape[dim] = parts.reduce((s, t) => s + t.shape[dim]!, 0);
  const dtype = parts.map((t) => t.dtype).reduce(promote);
  const out = tape.alloc(shape, dtype, tape.needsGrad(...parts), label);
  tape.record('cat', parts, [out], [], { passesGradThrough: true });
  return out;
}

/** F.interpolate(x, scale_factor=2, mode='nearest') on [N, C, H, W]. */
export function upsampleNearest2x(tape: Tape, x: Tensor, label = 'upsample'): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const out = tape.alloc([n, c, 2 * h, 2 * w], x.dtype, tape.needsGrad(x), label);
  tape.record('upsample_nearest2d', [x], [out], []);
  return out;
}

/** tensor.repeat_interleave(r, dim=0). */
export function repeatInterleave0(tape: Tape, x: Tensor, repeats: number, label = 'repeat_interleave'): Tensor {
  const shape = [x.shape[0]! * repeats, ...x.shape.slice(1)];
  const out = tape.alloc(shape, x.dtype, tape.needsGrad(x), label);
  const saved = [];
  if (tape.runtime.repeatInterleaveKeepsIndex) {
    // index_select keeps its int64 index of the output's rows.
    saved.push(tape.newStorage(shape[0]! * DTYPE_BYTES.int64, 'activation', `${label}:index`));
  }
  tape.record('repeat_interleave', [x], [out], saved);
  return out;
}

/** F.mse_loss(a, b), mean: keeps both operands; a 0-dim result. */
export function mseLoss(tape: Tape, a: Tensor, b: Tensor, label = 'mse_loss'): Tensor {
  const out = tape.alloc([], promote(a.dtype, b.dtype), tape.needsGrad(a, b), label);
  tape.record('mse_loss', [a, b], [out], [a, b]);
  return out;
}

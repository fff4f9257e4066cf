// Views and copies: reshape (a view where ATen can, else a contiguous copy),
// permute, transpose, unsqueeze, expand, chunk, contiguous, and dtype casts
// (.to(), autocast's casts with its weight cache). A view shares its storage,
// so whatever saves it keeps the same bytes; a copy is a new storage.
import type { DType } from '../dtype.ts';
import { isFloating } from '../dtype.ts';
import type { AutocastPolicy } from '../runtime.ts';
import { contiguousStrides, isContiguous, permuteDims, preservedStrides, viewStrides, type Shape } from '../strided.ts';
import type { Tape, Tensor } from '../tape.ts';

function resolveShape(shape: readonly number[], total: number): number[] {
  const known = shape.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
  return shape.map((s) => (s === -1 ? total / known : s));
}

export function view(tape: Tape, t: Tensor, shape: readonly number[]): Tensor {
  const target = resolveShape(shape, t.shape.reduce((a, b) => a * b, 1));
  const strides = viewStrides(t.shape, t.strides, target);
  if (strides == null) throw new Error(`view of [${t.shape}] (strides [${t.strides}]) as [${target}] needs a copy`);
  return tape.view(t, target, strides);
}

/** A copy in contiguous layout (clone); its backward hands the gradient on. */
export function contiguousCopy(tape: Tape, t: Tensor, label: string): Tensor {
  const out = tape.alloc(t.shape, t.dtype, tape.needsGrad(t), label);
  tape.record('clone', [t], [out], [], { passesGradThrough: true });
  return out;
}

export function contiguous(tape: Tape, t: Tensor, label = 'contiguous'): Tensor {
  return isContiguous(t.shape, t.strides) ? t : contiguousCopy(tape, t, label);
}

export function reshape(tape: Tape, t: Tensor, shape: readonly number[], label = 'reshape'): Tensor {
  const target = resolveShape(shape, t.shape.reduce((a, b) => a * b, 1));
  const strides = viewStrides(t.shape, t.strides, target);
  if (strides != null) return tape.view(t, target, strides);
  const copy = contiguousCopy(tape, t, label);
  return tape.view(copy, target, contiguousStrides(target));
}

export function permute(tape: Tape, t: Tensor, dims: readonly number[]): Tensor {
  return tape.view(t, permuteDims(t.shape, dims), permuteDims(t.strides, dims));
}

export function transpose(tape: Tape, t: Tensor, a: number, b: number): Tensor {
  const n = t.shape.length;
  const dims = Array.from({ length: n }, (_, i) => i);
  const da = a < 0 ? n + a : a;
  const db = b < 0 ? n + b : b;
  [dims[da], dims[db]] = [dims[db]!, dims[da]!];
  return permute(tape, t, dims);
}

/** x[None]: a leading dim of size 1. */
export function unsqueeze0(tape: Tape, t: Tensor): Tensor {
  return tape.view(t, [1, ...t.shape], [t.strides[0]! * t.shape[0]!, ...t.strides]);
}

/** expand to `shape` (stride 0 where a size-1 dim grows); a no-op view for the same shape. */
export function expand(tape: Tape, t: Tensor, shape: Shape): Tensor {
  const offset = shape.length - t.shape.length;
  const strides = shape.map((s, i) => (i < offset ? 0 : t.shape[i - offset] === 1 && s !== 1 ? 0 : t.strides[i - offset]!));
  return tape.view(t, shape, strides);
}

/** tensor.chunk(n, dim=-1): views into the same storage. */
export function chunkLast(tape: Tape, t: Tensor, n: number): Tensor[] {
  const shape = [...t.shape];
  shape[shape.length - 1] = shape[shape.length - 1]! / n;
  return Array.from({ length: n }, () => tape.view(t, shape, t.strides));
}

/** .to(dtype): the same tensor, or a copy keeping its layout where dense (_to_copy, preserve_format). */
export function cast(tape: Tape, t: Tensor, dtype: DType, label = 'cast'): Tensor {
  if (t.dtype === dtype) return t;
  const out = tape.alloc(t.shape, dtype, tape.needsGrad(t), `${label}:${dtype}`, preservedStrides(t.shape, t.strides));
  tape.record('to_copy', [t], [out], []);
  return out;
}

/**
 * What autocast hands an op for one argument (cached_cast): floating tensors
 * of another dtype are cast; a trained float32 weight's low-precision copy is
 * cached for the rest of the autocast region and reused.
 */
export function autocastArg(tape: Tape, t: Tensor, policy: AutocastPolicy): Tensor {
  if (tape.autocast == null || policy === 'none' || !isFloating(t.dtype)) return t;
  const target: DType = policy === 'lower' ? tape.autocast : 'float32';
  if (t.dtype === target) return t;
  const cacheable = policy === 'lower' && t.dtype === 'float32' && t.param?.trainable === true;
  if (cacheable) {
    const hit = tape.castCache.get(t.storage);
    if (hit) {
      tape.use(hit);
      return hit;
    }
  }
  const out = cast(tape, t, target, t.param ? `weight ${t.param.name}` : 'autocast');
  if (cacheable) tape.castCache.set(t.storage, out);
  return out;
}

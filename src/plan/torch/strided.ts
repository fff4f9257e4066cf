// Shape and stride algebra as ATen does it: whether a reshape can be a view
// (at::detail::computeStride) or copies, contiguity, "non-overlapping and
// dense" (what .to() and empty_like keep the layout of), and the layout
// TensorIterator gives an elementwise op's output. What autograd saves is
// often "the contiguous copy" of something, so the planner must know exactly
// when a copy — a new storage — happens.

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides (size-1 dims get the product of the sizes after them, as ATen). */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/** TensorImpl::is_contiguous: size-1 dims are ignored; empty tensors are contiguous. */
export function isContiguous(shape: Shape, strides: Shape): boolean {
  if (numel(shape) === 0) return true;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

/** c10's compute_non_overlapping_and_dense: some permutation of the dims is contiguous. */
export function isNonOverlappingAndDense(shape: Shape, strides: Shape): boolean {
  if (shape.length === 1) return shape[0]! < 2 || strides[0] === 1;
  const perm = shape.map((_, i) => i);
  perm.sort((a, b) => {
    if (shape[a]! < 2) return shape[b]! < 2 ? 0 : 1;
    if (shape[b]! < 2) return -1;
    return strides[a]! - strides[b]!;
  });
  let required = 1;
  for (const d of perm) {
    if (shape[d]! < 2) return true;
    if (strides[d] !== required) return false;
    required *= shape[d]!;
  }
  return true;
}

/** at::detail::computeStride: the strides of `newShape` as a view, or null where reshape must copy. */
export function viewStrides(oldShape: Shape, oldStrides: Shape, newShape: Shape): number[] | null {
  if (oldShape.length === 0) return newShape.map(() => 1);
  const n = numel(oldShape);
  if (n === 0) return null; // not needed by the planner
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD]!;
    if (tensorD === 0 || (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}

/**
 * TensorIterator's dimension order for operands of one broadcast shape
 * (reorder_dimensions: insertion sort on should_swap), fastest dim first.
 * Broadcast dims carry stride 0 and are skipped; ties keep the order.
 */
function iterationOrder(shape: Shape, operands: ReadonlyArray<Shape>): number[] {
  const ndim = shape.length;
  const perm = Array.from({ length: ndim }, (_, i) => ndim - 1 - i);
  const shouldSwap = (d0: number, d1: number): number => {
    for (const strides of operands) {
      const s0 = strides[d0]!;
      const s1 = strides[d1]!;
      if (s0 === 0 || s1 === 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (shape[d0]! > shape[d1]!) return 1;
    }
    return 0;
  };
  for (let i = 1; i < ndim; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const c = shouldSwap(perm[d0]!, perm[d1]!);
      if (c > 0) {
        [perm[d0], perm[d1]] = [perm[d1]!, perm[d0]!];
        d1 = d0;
      } else if (c < 0) {
        break;
      }
    }
  }
  return perm;
}

/** Dense strides that follow the order `perm` (fastest dim first). */
function stridesInOrder(shape: Shape, perm: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  let acc = 1;
  for (const d of perm) {
    strides[d] = acc;
    acc *= Math.max(shape[d]!, 1);
  }
  return strides;
}

/** Strides of one operand broadcast to `shape` (stride 0 where it was expanded). */
export function broadcastStrides(shape: Shape, operandShape: Shape, operandStrides: Shape): number[] {
  const offset = shape.length - operandShape.length;
  return shape.map((size, i) => {
    if (i < offset) return 0;
    const own = operandShape[i - offset]!;
    return own === 1 && size !== 1 ? 0 : operandStrides[i - offset]!;
  });
}

/**
 * The layout of a new elementwise output: TensorIterator's fast set-up (all
 * operands contiguous, or all non-overlapping and dense with the same strides:
 * the output takes them), else the dims ordered as the inputs' strides say.
 */
export function elementwiseOutputStrides(shape: Shape, inputs: ReadonlyArray<{ shape: Shape; strides: Shape }>): number[] {
  const sameShape = inputs.every((t) => t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i]));
  if (sameShape) {
    if (inputs.every((t) => isContiguous(t.shape, t.strides))) return contiguousStrides(shape);
    const first = inputs[0]!;
    if (inputs.every((t) => isNonOverlappingAndDense(t.shape, t.strides) && t.strides.every((s, i) => s === first.strides[i]))) {
      return [...first.strides];
    }
  }
  const operands = inputs.map((t) => broadcastStrides(shape, t.shape, t.strides));
  return stridesInOrder(shape, iterationOrder(shape, operands));
}

/** The layout .to(dtype) / empty_like(preserve_format) give a copy of this tensor. */
export function preservedStrides(shape: Shape, strides: Shape): number[] {
  if (isNonOverlappingAndDense(shape, strides)) return [...strides];
  return stridesInOrder(shape, iterationOrder(shape, [strides])); // infer_dense_strides
}

export function permuteDims<T>(values: readonly T[], dims: readonly number[]): T[] {
  return dims.map((d) => values[d]!);
}

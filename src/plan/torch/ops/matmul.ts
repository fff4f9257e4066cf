// Convolution, linear and matmul as ATen decomposes them, with what each
// autograd node keeps. convolution keeps its input and weight whenever it
// records (one backward formula for all of them); mm, addmm and bmm keep an
// operand only when the other one needs its gradient (codegen's
// should_compute_output guards), so a frozen linear keeps its weight (for the
// input's gradient) but not its input.
import { promote } from '../dtype.ts';
import { contiguousStrides, isContiguous, numel, viewStrides } from '../strided.ts';
import type { Tape, Tensor } from '../tape.ts';
import { autocastArg, contiguous, expand, reshape, transpose, view } from './layout.ts';

/** Gradients a product's backward computes: one product of the forward's size per operand that needs it. */
function gradOperands(a: Tensor, b: Tensor): number {
  return (a.requiresGrad ? 1 : 0) + (b.requiresGrad ? 1 : 0);
}

/** mm / bmm / addmm: [.., n, m] × [.., m, p]; keeps each operand only for the other's gradient. */
function matrixProduct(tape: Tape, op: 'mm' | 'bmm' | 'addmm', a: Tensor, b: Tensor, bias: Tensor | null, label: string): Tensor {
  const shape = [...a.shape.slice(0, -1), b.shape[b.shape.length - 1]!];
  const out = tape.alloc(shape, promote(a.dtype, b.dtype), tape.needsGrad(a, b, bias), label);
  const saved: Tensor[] = [];
  if (b.requiresGrad) saved.push(a);
  if (a.requiresGrad) saved.push(b);
  const forward = 2 * numel(shape) * a.shape[a.shape.length - 1]!;
  tape.record(op, [bias, a, b], [out], saved, { flops: { forward, backward: forward * gradOperands(a, b) } });
  return out;
}

export function mm(tape: Tape, a: Tensor, b: Tensor, label = 'mm'): Tensor {
  return matrixProduct(tape, 'mm', a, b, null, label);
}

export function bmm(tape: Tape, a: Tensor, b: Tensor, label = 'bmm'): Tensor {
  return matrixProduct(tape, 'bmm', a, b, null, label);
}

export function addmm(tape: Tape, bias: Tensor, a: Tensor, b: Tensor, label = 'addmm'): Tensor {
  return matrixProduct(tape, 'addmm', a, b, bias, label);
}

/** In-place `out.add_(bias)`: same storage, a node that keeps nothing. */
function addBiasInPlace(tape: Tape, out: Tensor, bias: Tensor): Tensor {
  const result: Tensor = { ...out, requiresGrad: out.requiresGrad || tape.needsGrad(bias) };
  tape.record('add_', [out, bias], [result], [], { passesGradThrough: true });
  return result;
}

/**
 * torch.matmul for an N-d left operand (N ≥ 3) and a matrix: folded into one
 * mm, or (torch 2.x, when folding would copy and the matrix needs no grad)
 * a bmm on the strided input against the broadcast matrix.
 */
function matmulNdByMatrix(tape: Tape, x: Tensor, w: Tensor, label: string): Tensor {
  const lead = x.shape.slice(0, -1);
  const inner = x.shape[x.shape.length - 1]!;
  const rows = lead.reduce((a, b) => a * b, 1);
  const p = w.shape[1]!;
  if (tape.runtime.matmulFold === 'always-copy') {
    const folded = view(tape, contiguous(tape, x, `${label}:input`), [rows, inner]);
    return view(tape, mm(tape, folded, w, label), [...lead, p]);
  }
  const foldIsView = viewStrides(x.shape, x.strides, [rows, inner]) != null;
  if (w.requiresGrad || foldIsView) {
    const folded = reshape(tape, x, [rows, inner], `${label}:input`);
    return view(tape, mm(tape, folded, w, label), [...lead, p]);
  }
  // bmm path: [b, n, m] × [m, p] expanded to [b, m, p] (views: no copy of either).
  const batch = lead.slice(0, -1).reduce((a, b) => a * b, 1);
  const x3 = reshape(tape, x, [batch, lead[lead.length - 1]!, inner], `${label}:input`);
  const w3 = expand(tape, w, [batch, inner, p]);
  return view(tape, bmm(tape, x3, w3, label), [...lead, p]);
}

/** F.linear (torch.nn.Linear), after autocast's casts. */
export function linear(tape: Tape, xIn: Tensor, weight: Tensor, biasIn: Tensor | null, label: string): Tensor {
  const policy = tape.runtime.autocast('linear');
  const x = autocastArg(tape, xIn, policy);
  const w = autocastArg(tape, weight, policy);
  const bias = biasIn ? autocastArg(tape, biasIn, policy) : null;
  const wt = transpose(tape, w, 0, 1);
  const outDim = weight.shape[0]!;
  if (x.shape.length === 2 && bias) return addmm(tape, bias, x, wt, label);
  if (bias && isContiguous(x.shape, x.strides) && (x.shape.length === 3 || tape.runtime.name === 'cuda')) {
    // The fused path for contiguous N-d input: addmm on a flattened view.
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const out = addmm(tape, bias, view(tape, x, [rows, x.shape[x.shape.length - 1]!]), wt, label);
    return view(tape, out, [...x.shape.slice(0, -1), outDim]);
  }
  const out = x.shape.length === 2 ? mm(tape, x, wt, label) : matmulNdByMatrix(tape, x, wt, label);
  return bias ? addBiasInPlace(tape, out, bias) : out;
}

/**
 * torch.matmul of two batched matrices ([.., n, m] × [.., m, p], same batch
 * dims): each side expanded and reshaped to 3-d — a copy unless that is a
 * view — then one bmm.
 */
export function batchedMatmul(tape: Tape, a: Tensor, b: Tensor, label: string): Tensor {
  const policy = tape.runtime.autocast('matmul');
  const x = autocastArg(tape, a, policy);
  const y = autocastArg(tape, b, policy);
  const batchDims = x.shape.slice(0, -2);
  const batch = batchDims.reduce((s, d) => s * d, 1);
  const [n, m] = x.shape.slice(-2) as [number, number];
  const p = y.shape[y.shape.length - 1]!;
  const x3 = reshape(tape, x, [batch, n, m], `${label}:lhs`);
  const y3 = reshape(tape, y, [batch, m, p], `${label}:rhs`);
  return view(tape, bmm(tape, x3, y3, label), [...batchDims, n, p]);
}

/**
 * nn.Conv2d / nn.Conv3d: `convolution` keeps its input (as passed, a view
 * keeps its base) and weight, whichever of them needs grad. Output contiguous.
 */
export function convolution(tape: Tape, xIn: Tensor, weight: Tensor, biasIn: Tensor | null, outSpatial: readonly number[], label: string): Tensor {
  const policy = tape.runtime.autocast('conv');
  const x = autocastArg(tape, xIn, policy);
  const w = autocastArg(tape, weight, policy);
  const bias = biasIn ? autocastArg(tape, biasIn, policy) : null;
  const shape = [x.shape[0]!, weight.shape[0]!, ...outSpatial];
  const out = tape.alloc(shape, x.dtype, tape.needsGrad(x, w, bias), label, contiguousStrides(shape));
  // Each output element: a multiply-add over in-channels × kernel (groups 1).
  const forward = 2 * numel(shape) * numel(weight.shape.slice(1));
  tape.record('convolution', [x, w, bias], [out], [x, w], { flops: { forward, backward: forward * gradOperands(x, w) } });
  return out;
}

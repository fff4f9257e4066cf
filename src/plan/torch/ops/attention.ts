// The attention product softmax(QKᵀ/√d)V in the two forms the worker runs
// (python/mobius_bench_torch/attention.py):
//   'sdpa'     F.scaled_dot_product_attention as torch 2.x runs it on CUDA
//              (flash attention for 16-bit inputs, memory-efficient for fp32):
//              its node keeps q, k, v, the output and the log-sum-exp
//              ([N, heads, Lq] fp32; memory-efficient pads Lq to 32), never
//              the score matrix. Flash's backward (mha_bwd) allocates besides
//              dq, dk, dv a float32 dq accumulator [N, Lq↑128, heads, d↑32]
//              and softmax_d [N, heads, Lq↑128] — for the temporal attention's
//              8-frame sequences 16× the size of q.
//   'explicit' matmul → × scale → softmax → .to(v.dtype) → matmul, as torch
//              1.13 runs it: bmm keeps its operands (3-d copies of the
//              transposed heads), softmax its probabilities.
import { DTYPE_BYTES } from '../dtype.ts';
import type { Tape, Tensor } from '../tape.ts';
import { autocastArg, cast, permute, transpose } from './layout.ts';
import { batchedMatmul } from './matmul.ts';
import { scalarOp, softmax } from './pointwise.ts';

export type AttentionImpl = 'sdpa' | 'explicit';

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** q, k, v: [N, heads, L, d] (transposed views of the projections). Returns [N, heads, Lq, d]. */
export function attentionProduct(tape: Tape, impl: AttentionImpl, q: Tensor, k: Tensor, v: Tensor, label: string): Tensor {
  return impl === 'sdpa' ? sdpa(tape, q, k, v, label) : explicitAttention(tape, q, k, v, label);
}

function sdpa(tape: Tape, qIn: Tensor, kIn: Tensor, vIn: Tensor, label: string): Tensor {
  const policy = tape.runtime.autocast('sdpa');
  const q = autocastArg(tape, qIn, policy);
  const k = autocastArg(tape, kIn, policy);
  const v = autocastArg(tape, vIn, policy);
  const [n, heads, lq, d] = q.shape as [number, number, number, number];
  const flash = q.dtype !== 'float32';
  // The kernels write the output as [N, Lq, heads, d] and return its transposed view.
  const written = tape.alloc([n, lq, heads, d], q.dtype, tape.needsGrad(q, k, v), label);
  const out = permute(tape, written, [0, 2, 1, 3]);
  const lse = tape.alloc([n, heads, flash ? lq : roundUp(lq, 32)], 'float32', false, `${label}:logsumexp`);
  const flashScratch = flash ? n * heads * roundUp(lq, 128) * (roundUp(d, 32) + 1) * DTYPE_BYTES.float32 : 0;
  // QKᵀ and PV, 2·Lq·Lk·d each per head. Backward: dP = dO·Vᵀ, then dV, dQ, dK for those of
  // v, q, k that need a gradient — each a product of that size.
  const product = 2 * n * heads * lq * k.shape[2]! * d;
  const backward = product * (1 + [q, k, v].filter((t) => t.requiresGrad).length);
  tape.record(flash ? 'flash_attention' : 'efficient_attention', [q, k, v], [out], [q, k, v, written, lse], { scratchBytes: flashScratch, flops: { forward: 2 * product, backward } });
  return out;
}

function explicitAttention(tape: Tape, q: Tensor, k: Tensor, v: Tensor, label: string): Tensor {
  const scores = batchedMatmul(tape, q, transpose(tape, k, -1, -2), `${label}:scores`);
  const scaled = scalarOp(tape, scores, 'mul', 'float64', `${label}:scaled`);
  const probs = softmax(tape, scaled, `${label}:probs`);
  return batchedMatmul(tape, cast(tape, probs, v.dtype), v, `${label}:out`);
}

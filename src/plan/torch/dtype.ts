// The element types a PyTorch training step holds, their sizes, and which one
// each precision setting (run-backends' PRECISIONS) computes or stores in.
import type { Precision } from '../../backend/run-backends.ts';

export type DType = 'float32' | 'bfloat16' | 'float16' | 'float64' | 'int64' | 'bool';

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4, bfloat16: 2, float16: 2, float64: 8, int64: 8, bool: 1,
};

/** The dtype of `--precision` (autocast's) and `--frozen-weights` (storage). */
export const PRECISION_DTYPE: Record<Precision, DType> = { fp32: 'float32', bf16: 'bfloat16', fp16: 'float16' };

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'bfloat16' || dtype === 'float16' || dtype === 'float64';
}

/** torch.promote_types for the floating types a step mixes. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  const rank: DType[] = ['bfloat16', 'float16', 'float32', 'float64'];
  if ((a === 'bfloat16' && b === 'float16') || (a === 'float16' && b === 'bfloat16')) return 'float32';
  return rank.indexOf(a) > rank.indexOf(b) ? a : b;
}

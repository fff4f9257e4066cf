// wasm's BatchMatMul is ~10× slower with transposeA/transposeB than without
// (measured: 4096×256ᵀ·4096×256 takes 220 ms transposed, 27 ms as an explicit
// transpose then a plain product). Every matmul gradient asks for a transposed
// operand, so without this patch training on wasm times tfjs's slow path, not
// the networks. The patch transposes explicitly and runs the backend's own
// kernel untransposed; the result is the same product.
import { tf } from '../tf.ts';
import type { Tensor } from '../tf.ts';
import { wrapKernel } from './wrap-kernel.ts';

function swapLastTwo(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(t, perm);
}

/** Wraps `backendName`'s BatchMatMul so transposed operands are transposed explicitly. */
export function patchTransposedMatMul(backendName: string): boolean {
  return wrapKernel('BatchMatMul', backendName, (original) => (args) => {
    const { a, b } = args.inputs as { a: Tensor; b: Tensor };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original(args);
    const a2 = transposeA ? swapLastTwo(a) : a;
    const b2 = transposeB ? swapLastTwo(b) : b;
    try {
      return original({ ...args, inputs: { a: a2, b: b2 }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      if (a2 !== a) a2.dispose();
      if (b2 !== b) b2.dispose();
    }
  });
}

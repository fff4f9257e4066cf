// Which PyTorch the plan is for. Where torch versions and devices decide
// differently what autograd keeps, the op models ask this, never a version
// string:
//   'cuda' — torch 2.x on a GPU, what `plan --backend torch` predicts;
//   'cpu'  — Debian's torch 1.13 on the CPU, where the tests count what
//            autograd really saves (test/torch-plan.e2e.test.ts).

export type RuntimeName = 'cuda' | 'cpu';

/** How an op treats autocast's dtype: cast floating inputs to the low precision, to float32, or leave them. */
export type AutocastPolicy = 'lower' | 'fp32' | 'none';

export interface TorchRuntime {
  name: RuntimeName;
  /** Autocast's cast policy of the ops this model uses. */
  autocast(op: 'conv' | 'linear' | 'matmul' | 'sdpa' | 'group_norm' | 'layer_norm' | 'softmax'): AutocastPolicy;
  /**
   * Dropout in training: CUDA's fused native_dropout keeps a bool mask; the
   * CPU multiplies by a scaled Bernoulli noise tensor of the input's dtype,
   * which the mul keeps.
   */
  dropout: 'bool-mask' | 'scaled-noise';
  /**
   * Bytes of the 0-dim tensor a Python number becomes in `tensor * 0.125`,
   * which the mul's node keeps: a CPU tensor, so 8 bytes of host memory on
   * the CPU and none of the GPU's.
   */
  wrappedScalarBytes: number;
  /**
   * matmul of an N-d input with a matrix: torch 1.13 always folds into mm
   * through a contiguous copy; torch 2.x folds only when the weight needs
   * grad or the fold is a view, else runs bmm on the strided input.
   */
  matmulFold: 'always-copy' | 'when-free';
  /** repeat_interleave with an int: index_select (keeps the int64 index) in 1.13, expand + copy in 2.x. */
  repeatInterleaveKeepsIndex: boolean;
}

const LOWER = new Set(['conv', 'linear', 'matmul', 'sdpa']);

export const RUNTIMES: Record<RuntimeName, TorchRuntime> = {
  cuda: {
    name: 'cuda',
    // CUDA autocast: group_norm, layer_norm and softmax run in float32.
    autocast: (op) => (LOWER.has(op) ? 'lower' : 'fp32'),
    dropout: 'bool-mask',
    wrappedScalarBytes: 0,
    matmulFold: 'when-free',
    repeatInterleaveKeepsIndex: false,
  },
  cpu: {
    name: 'cpu',
    // torch 1.13's CPU autocast leaves norms and softmax in the input's dtype
    // (the worker's layers.py then normalises in float32 where dtypes differ).
    autocast: (op) => (LOWER.has(op) ? 'lower' : 'none'),
    dropout: 'scaled-noise',
    wrappedScalarBytes: 8,
    matmulFold: 'always-copy',
    repeatInterleaveKeepsIndex: true,
  },
};

// What torch.cuda.max_memory_allocated counts beyond the tensors' own bytes:
// the caching allocator hands out blocks in multiples of 512 bytes (its
// kMinBlockSize; allocated_bytes counts the rounded block), and cuBLAS keeps
// a workspace per (handle, stream) allocated through it — on Hopper 32 MiB
// (getChosenWorkspaceSize), shared with cuBLASLt (the unified workspace,
// torch ≥ 2.6's default) — one for the forward's thread and one for the
// autograd engine's device thread, alive from the first step on.
import type { RuntimeName } from './runtime.ts';

const BLOCK = 512;
const CUBLAS_WORKSPACE_BYTES = 32 * 1024 * 1024;
const CUBLAS_THREADS = 2;

/** Bytes the allocator counts for a tensor of `bytes` (0 stays 0: nothing is allocated). */
export function allocatedBytes(runtime: RuntimeName, bytes: number): number {
  if (runtime !== 'cuda' || bytes === 0) return bytes;
  return Math.ceil(bytes / BLOCK) * BLOCK;
}

/** Library workspaces alive during every measured step. */
export function workspaceBytes(runtime: RuntimeName): number {
  return runtime === 'cuda' ? CUBLAS_WORKSPACE_BYTES * CUBLAS_THREADS : 0;
}

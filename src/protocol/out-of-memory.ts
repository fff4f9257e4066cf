// What a worker says when its cell runs out of memory: the cell does not fit.
// Both workers send it in their error message (`oom`), and a result keeps it
// with the failure reason 'oom' (results/cell-result.ts): "does not fit" is
// an answer — what `fit` searches for, and what the gate compares.
import { z } from 'zod';

const bytes = z.number().int().nonnegative();

export const outOfMemorySchema = z.object({
  /**
   * Held when the allocation failed: torch.cuda.memory_allocated on CUDA; on
   * the CPU the address space mapped since the cap was set (the resident set
   * without a cap); TensorFlow.js's live tensor bytes. Null where unknown.
   */
  allocatedBytes: bytes.nullable(),
  /** The allocation that failed, where the error says it. */
  requestedBytes: bytes.nullable(),
  /** --memory-cap, or null: the device's own size. */
  capBytes: bytes.nullable(),
  /** Where memory ran out: 'cuda', 'cpu', or a TensorFlow.js backend's name. */
  device: z.string(),
});
export type OutOfMemory = z.output<typeof outOfMemorySchema>;

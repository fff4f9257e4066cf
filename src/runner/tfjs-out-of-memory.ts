// When a TensorFlow.js cell ran out of memory, in the words its backend uses:
// the tracker's --memory-cap, the wasm heap (emscripten's "Aborted(OOM)" or
// "Cannot enlarge memory", and a kernel's "memory access out of bounds"
// after malloc returned nothing — which is also what a bug would say, so it
// counts only with over half the 4 GiB heap held in tensors), and the
// JavaScript heap of the cpu backend ("Array buffer allocation failed").
import { TensorMemoryCapExceeded } from '../measure/tensor-memory.ts';
import type { OutOfMemory } from '../protocol/out-of-memory.ts';
import { WASM_HEAP_MAX_BYTES } from '../backend/run-backends.ts';

const ALWAYS = /Aborted\(OOM\)|Cannot enlarge memory|out of memory|Array buffer allocation failed/i;
const WASM_TRAP = /memory access out of bounds/;

/** The `oom` part of the worker's error message, or null when `err` is not out of memory. */
export function tfjsOutOfMemory(err: unknown, backend: string, heldBytes: number | null, capBytes: number | null): OutOfMemory | null {
  if (err instanceof TensorMemoryCapExceeded) {
    return { allocatedBytes: err.heldBytes, requestedBytes: err.requestedBytes, capBytes: err.capBytes, device: backend };
  }
  const message = err instanceof Error ? err.message : String(err);
  const heapFull = backend === 'wasm' && heldBytes !== null && heldBytes > WASM_HEAP_MAX_BYTES / 2 && WASM_TRAP.test(message);
  if (!ALWAYS.test(message) && !heapFull) return null;
  return { allocatedBytes: heldBytes, requestedBytes: null, capBytes, device: backend };
}

// Replaces a backend's kernel by one built around the original, once per
// (kernel, backend). The wasm patches use it.
import { tf } from '../tf.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];
const wrapped = new Set<string>();

/** Returns false when the backend has no such kernel or it is already wrapped. */
export function wrapKernel(kernelName: string, backendName: string, wrap: (original: KernelFunc) => KernelFunc): boolean {
  const key = `${kernelName}@${backendName}`;
  if (wrapped.has(key)) return false;
  const original = tf.getKernel(kernelName, backendName);
  if (original == null) return false;
  tf.unregisterKernel(kernelName, backendName);
  // No setupFunc: the original's already ran when the backend initialised.
  tf.registerKernel({ kernelName, backendName, kernelFunc: wrap(original.kernelFunc) });
  wrapped.add(key);
  return true;
}

// wasm's Identity kernel copies its input. TensorFlow.js clones every tensor
// it saves for the backward pass through Identity, so on wasm each saved
// activation existed twice. The cpu backend's Identity shares the buffer
// (tensors are immutable; a variable's assign swaps buffers rather than
// writing into one), and so does this replacement: the backend's reference
// count keeps the buffer alive until its last holder is disposed.
import type { tf } from '../tf.ts';
import { wrapKernel } from './wrap-kernel.ts';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

export function shareIdentityBuffers(backendName: string): boolean {
  return wrapKernel('Identity', backendName, (original) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return original(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

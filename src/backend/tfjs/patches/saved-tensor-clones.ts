// TensorFlow.js keeps each tensor a gradient will need by cloning it, and a
// clone is an Identity kernel run through the engine like any op: scoped,
// recorded on the tape (where the backward pass skips it again) and profiled.
// On the tiny nets that is 3,110 of a training step's 19,283 kernels. This
// patch makes the clone by calling the backend's own Identity kernel directly:
// the same buffer (shared or copied, as that kernel does), the same tracked
// tensor, without the engine's bookkeeping around it.
import { tf } from '../tf.ts';
import type { Tensor } from '../tf.ts';

interface EngineInternals {
  saveTensorsForBackwardMode(tensors: Tensor[]): Tensor[];
  keep<T extends Tensor>(t: T): T;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): Tensor;
  backendName: string;
  backend: tf.KernelBackend;
  state: { tensorInfo: { get(dataId: object): { backend: tf.KernelBackend } | undefined } };
}

let patched = false;

/**
 * Replaces the engine's saving of tensors for the backward pass (once: the engine
 * is the process's). True when it is in place, now or from an earlier call (the
 * planner's meta backend makes it too); false where the engine lacks the method.
 */
export function cloneSavedTensorsDirectly(): boolean {
  if (patched) return true;
  const engine = tf.engine() as unknown as EngineInternals;
  const original = engine.saveTensorsForBackwardMode;
  if (typeof original !== 'function') return false;
  engine.saveTensorsForBackwardMode = function saveTensorsForBackwardMode(tensors: Tensor[]): Tensor[] {
    const backend = engine.backend;
    const identity = tf.getKernel('Identity', engine.backendName);
    // A tensor of another backend (moved between them) goes the engine's way.
    if (identity == null || tensors.some((t) => engine.state.tensorInfo.get(t.dataId)?.backend !== backend)) return original.call(engine, tensors);
    return tensors.map((t) => {
      const info = identity.kernelFunc({ inputs: { x: t }, attrs: {}, backend }) as tf.TensorInfo;
      return engine.keep(engine.makeTensorFromTensorInfo(info, backend));
    });
  };
  patched = true;
  return true;
}

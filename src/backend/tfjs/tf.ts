// The one TensorFlow.js import of the project. `@tensorflow/tfjs` re-exports
// the core engine and registers every gradient; backends (wasm, cpu,
// tfjs-node) register themselves into that same engine.
import * as tf from '@tensorflow/tfjs';

export { tf };
export type { Tensor, Variable, Rank } from '@tensorflow/tfjs';

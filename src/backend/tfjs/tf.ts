// The one TensorFlow.js import of the project: the core engine and every
// gradient, nothing else (`@tensorflow/tfjs` would load layers, converter,
// data and webgl with them; tools/tfjs/gradients-file.ts says why the
// gradients come from a generated file). Backends (wasm, cpu, tfjs-node)
// register themselves into this same engine when select.ts loads them.
import * as tf from '@tensorflow/tfjs-core';
import './gradients.generated.cjs';

export { tf };
export type { Tensor, Variable, Rank } from '@tensorflow/tfjs-core';

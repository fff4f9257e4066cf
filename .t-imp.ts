import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
console.log(typeof tf.add);

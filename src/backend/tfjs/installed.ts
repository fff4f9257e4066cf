// Which TensorFlow.js packages this program could load, asked without loading
// TensorFlow.js: the runner and `list` decide with it, and only the processes
// that train or plan a TensorFlow.js cell pay for loading it.
import { packageVersion } from '../runtime-files.ts';

/** Whether an npm package is installed beside this one or built into the bundle (not whether it loads). */
export function isInstalled(pkg: string): boolean {
  return packageVersion(pkg) !== null;
}

/** A tfjs-node package is installed: backend 'tensorflow' can load, and 'auto' picks it over wasm. */
export function tfjsNodeInstalled(): boolean {
  return isInstalled('@tensorflow/tfjs-node-gpu') || isInstalled('@tensorflow/tfjs-node');
}

export const TENSORFLOW_MISSING = "backend 'tensorflow' is not installed: npm install @tensorflow/tfjs-node-gpu (CUDA 11.2, cuDNN 8.1) or @tensorflow/tfjs-node (CPU)";

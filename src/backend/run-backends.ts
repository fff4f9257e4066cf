// What a cell can run on: a TensorFlow.js backend in a Node worker, or
// `torch`, a Python worker with PyTorch (where users train). The torch
// worker alone has mixed precision and a device choice; the TensorFlow.js
// trainer computes in float32 on whatever backend loads.
import { BACKEND_CHOICES, type BackendChoice } from './select.ts';

export const RUN_BACKENDS = [...BACKEND_CHOICES, 'torch'] as const;
export type RunBackend = (typeof RUN_BACKENDS)[number];

/** Autocast precision of the torch worker; fp32 uses TF32 matmuls where the GPU has them. */
export const PRECISIONS = ['fp32', 'bf16', 'fp16'] as const;
export type Precision = (typeof PRECISIONS)[number];

export const TORCH_DEVICES = ['auto', 'cuda', 'cpu'] as const;
export type TorchDevice = (typeof TORCH_DEVICES)[number];

export function isTfjsBackend(backend: RunBackend): backend is BackendChoice {
  return backend !== 'torch';
}

// What a cell can run on: a TensorFlow.js backend in a Node worker, or
// `torch`, a Python worker with PyTorch (where users train). The torch
// worker alone has mixed precision and a device choice; the TensorFlow.js
// trainer computes in float32 on whatever backend loads. Names only: this
// file loads no framework, so what reads or writes results need not load tfjs.

/** The TensorFlow.js backends (tfjs/select.ts initialises them); `auto` takes the first that loads. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** What the TensorFlow.js worker reports it ran on (tfjs/select.ts fills it in). */
export interface BackendInfo {
  /** What was asked for. */
  requested: BackendChoice;
  /** The tfjs backend name that runs: 'tensorflow' | 'wasm' | 'cpu'. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** The npm package that provides it, with its version. */
  package: string;
  version: string;
  /** tfjs-node-gpu loaded (a CUDA device may run the kernels). */
  gpu: boolean;
  /** Kernels this project supplied or wrapped on this backend. */
  patches: string[];
}

/** tfjs-backend-wasm's getHeapMax(): a wasm32 heap cannot grow past 4 GiB − 64 KiB. */
export const WASM_HEAP_MAX_BYTES = 4294901760;

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

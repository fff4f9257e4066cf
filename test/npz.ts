// Reads numpy .npz archives (fixtures made with PyTorch) into tensors: fflate
// unzips, npyjs parses each array. int64 arrays come back as numbers.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { parse } from 'npyjs';
import { tf } from '../src/backend/tfjs/tf.ts';

export interface NpzArray {
  shape: number[];
  /** The values as float64 (int64 converted). */
  values: Float64Array;
}

export function readNpz(file: string): Map<string, NpzArray> {
  const out = new Map<string, NpzArray>();
  for (const [entry, bytes] of Object.entries(unzipSync(readFileSync(file)))) {
    const array = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    if (array.fortranOrder) throw new Error(`${file}: ${entry} is in Fortran order`);
    const data = array.data as unknown as ArrayLike<number | bigint>;
    const values = Float64Array.from({ length: data.length }, (_, i) => Number(data[i]!));
    out.set(entry.replace(/\.npy$/, ''), { shape: array.shape, values });
  }
  return out;
}

/** The array as a float32 tensor of its own shape. */
export function npzTensor(a: NpzArray): tf.Tensor {
  return tf.tensor(Float32Array.from(a.values), a.shape, 'float32');
}

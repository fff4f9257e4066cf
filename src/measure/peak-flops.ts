// The dense peak a GPU can compute at a cell's precision, for MFU (model
// FLOPs utilisation = the planner's FLOPs per step / step time / peak). From
// NVIDIA's datasheets, dense (no 2:4 sparsity) tensor-core figures; fp32
// cells count TF32 where the worker switched it on. An unknown device gives
// null, never a guess.

export interface DevicePeaks {
  /** What the entry covers, for reports. */
  label: string;
  /** TFLOP/s: plain fp32 (CUDA cores), TF32, bf16, fp16 tensor cores; null where the device has none. */
  fp32: number;
  tf32: number | null;
  bf16: number | null;
  fp16: number;
}

// First match wins: the more specific names first. Names as torch.cuda.get_device_name gives them.
const TABLE: Array<[RegExp, DevicePeaks]> = [
  [/H100.*PCIe/i, { label: 'H100 PCIe', fp32: 51, tf32: 378, bf16: 756, fp16: 756 }],
  [/H100.*NVL/i, { label: 'H100 NVL', fp32: 60, tf32: 417.5, bf16: 835, fp16: 835 }],
  [/H200.*NVL/i, { label: 'H200 NVL', fp32: 60, tf32: 417.5, bf16: 835.5, fp16: 835.5 }],
  [/H800.*PCIe/i, { label: 'H800 PCIe', fp32: 51, tf32: 378, bf16: 756, fp16: 756 }],
  [/H100|H200|GH200|H800/i, { label: 'H100 / H200 / H800 SXM', fp32: 67, tf32: 494.7, bf16: 989.4, fp16: 989.4 }],
  [/A100/i, { label: 'A100', fp32: 19.5, tf32: 156, bf16: 312, fp16: 312 }],
  [/L40S/i, { label: 'L40S', fp32: 91.6, tf32: 183, bf16: 362.05, fp16: 362.05 }],
  [/V100.*PCI/i, { label: 'V100 PCIe', fp32: 14, tf32: null, bf16: null, fp16: 112 }],
  [/V100/i, { label: 'V100 SXM2', fp32: 15.7, tf32: null, bf16: null, fp16: 125 }],
];

export function devicePeaks(deviceName: string): DevicePeaks | null {
  return TABLE.find(([pattern]) => pattern.test(deviceName))?.[1] ?? null;
}

/** Dense peak FLOP/s for a precision on a device; null for an unknown device or a precision it lacks. */
export function peakFlopsPerSecond(deviceName: string, precision: 'fp32' | 'bf16' | 'fp16', tf32: boolean): number | null {
  const peaks = devicePeaks(deviceName);
  if (peaks == null) return null;
  const tflops = precision === 'fp32' ? (tf32 ? peaks.tf32 ?? peaks.fp32 : peaks.fp32) : peaks[precision];
  return tflops == null ? null : tflops * 1e12;
}

/** Model FLOPs utilisation of a step: null where the peak is unknown. */
export function mfu(flopsPerStep: number, medianStepMs: number, peak: number | null): number | null {
  if (peak == null || !(medianStepMs > 0)) return null;
  return flopsPerStep / (medianStepMs / 1000) / peak;
}

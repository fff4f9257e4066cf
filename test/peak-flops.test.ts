// MFU's denominator: the dense peak of the device at the cell's precision,
// found from the name torch reports; unknown devices and missing precisions
// give null.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { devicePeaks, mfu, peakFlopsPerSecond } from '../src/measure/peak-flops.ts';

test('devices by the names torch reports, at each precision', () => {
  assert.equal(peakFlopsPerSecond('NVIDIA H100 80GB HBM3', 'bf16', false), 989.4e12);
  assert.equal(peakFlopsPerSecond('NVIDIA H100 PCIe', 'bf16', false), 756e12);
  assert.equal(peakFlopsPerSecond('NVIDIA H200', 'fp16', false), 989.4e12);
  // The NVL part is slower than the SXM one it shares a name with; the H800 is an H100 by its rates.
  assert.equal(peakFlopsPerSecond('NVIDIA H200 NVL', 'bf16', false), 835.5e12);
  assert.equal(peakFlopsPerSecond('NVIDIA H800', 'bf16', false), 989.4e12);
  assert.equal(peakFlopsPerSecond('NVIDIA H800 PCIe', 'bf16', false), 756e12);
  assert.equal(peakFlopsPerSecond('NVIDIA A100-SXM4-40GB', 'fp32', true), 156e12);
  assert.equal(peakFlopsPerSecond('NVIDIA A100-SXM4-40GB', 'fp32', false), 19.5e12);
  assert.equal(peakFlopsPerSecond('NVIDIA L40S', 'bf16', false), 362.05e12);
  assert.equal(devicePeaks('Tesla V100-SXM2-32GB')?.label, 'V100 SXM2');
  assert.equal(peakFlopsPerSecond('Tesla V100-PCIE-16GB', 'bf16', false), null, 'a V100 has no bf16');
  assert.equal(peakFlopsPerSecond('Tesla V100-PCIE-16GB', 'fp32', true), 14e12, 'no TF32: plain fp32');
  assert.equal(peakFlopsPerSecond('AMD Instinct MI300X', 'bf16', false), null, 'unknown: null, not a guess');
  assert.equal(peakFlopsPerSecond('cpu', 'fp32', false), null);
});

test('MFU is FLOPs per second over the peak; null without a peak', () => {
  assert.equal(mfu(500e12, 1000, 1000e12), 0.5);
  assert.equal(mfu(500e12, 1000, null), null);
  assert.equal(mfu(500e12, 0, 1e12), null);
});

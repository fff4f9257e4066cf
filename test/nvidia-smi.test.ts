// nvidia-smi's csv,noheader,nounits output parsed from fixtures in its exact
// format: unavailable fields become null, a cut-off last line is dropped,
// several GPUs give several rows, and the argv asks for the fields parsed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  APP_QUERY_FIELDS,
  GPU_QUERY_FIELDS,
  appQueryArgs,
  gpuQueryArgs,
  parseAppRows,
  parseGpuRows,
} from '../src/measure/nvidia-smi.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/nvidia-smi/${name}`, import.meta.url), 'utf8');

test('a single idle A100: every field read', () => {
  assert.deepEqual(parseGpuRows(fixture('a100-idle.csv')), [
    {
      index: 0,
      uuid: 'GPU-5b9e1a7c-2f0d-4c3e-9a1b-7d6e5f4a3b21',
      name: 'NVIDIA A100-SXM4-40GB',
      memoryUsedMiB: 4,
      memoryTotalMiB: 40960,
      utilizationPct: 0,
      powerW: 54.32,
      smClockMHz: 210,
      temperatureC: 31,
    },
  ]);
});

test('two H100s: two rows in order, [N/A] and [Not Supported] are null, names keep their spaces', () => {
  const rows = parseGpuRows(fixture('h100x2-na.csv'));
  assert.deepEqual(
    rows.map((r) => [r.index, r.name, r.memoryUsedMiB, r.powerW, r.smClockMHz]),
    [
      [0, 'NVIDIA H100 80GB HBM3', 1, 69.88, 345],
      [1, 'NVIDIA H100 80GB HBM3', 60213, null, null],
    ],
  );
  assert.equal(rows[1]!.uuid, 'GPU-e2a94b17-6c3d-4f80-b1a5-3d9c8e7f2a05');
  assert.equal(rows[1]!.utilizationPct, 97);
  assert.equal(rows[1]!.temperatureC, 54);
});

test('blank lines are skipped and a cut-off last line is dropped, not thrown', () => {
  const rows = parseGpuRows(fixture('a100-cutoff.csv'));
  assert.deepEqual(
    rows.map((r) => r.memoryUsedMiB),
    [4, 1030],
  );
  assert.equal(rows[1]!.utilizationPct, null, '[Unknown Error] is null');
  assert.equal(rows[1]!.powerW, 88.1);
});

test('any bracketed value is null; a line with an unreadable index or the wrong width is dropped', () => {
  const text = [
    'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.',
    'x, GPU-1, NVIDIA A100-SXM4-40GB, 4, 40960, 0, 54.32, 210, 31',
    '0, GPU-1, NVIDIA A100-SXM4-40GB, [Insufficient Permissions], 40960, [Unknown Error], [N/A], 210, 31, extra',
    '3, GPU-1, NVIDIA A100-SXM4-40GB, [Insufficient Permissions], 40960, [Unknown Error], [N/A], [Not Supported], 31',
  ].join('\n');
  const rows = parseGpuRows(text);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.index, 3);
  assert.equal(rows[0]!.memoryUsedMiB, null);
  assert.equal(rows[0]!.utilizationPct, null);
  assert.equal(rows[0]!.powerW, null);
  assert.equal(rows[0]!.smClockMHz, null);
  assert.equal(rows[0]!.memoryTotalMiB, 40960);
});

test('compute apps: two pids in order; an empty interval gives no rows', () => {
  assert.deepEqual(parseAppRows(fixture('apps-two.csv')), [
    { pid: 12345, usedMemoryMiB: 30215, gpuUuid: null },
    { pid: 23456, usedMemoryMiB: 1214, gpuUuid: null },
  ]);
  assert.deepEqual(parseAppRows(fixture('apps-empty.csv')), []);
  assert.deepEqual(parseAppRows('\n\n'), []);
});

test('compute apps: [N/A] memory is null, a cut-off row and a non-numeric pid are dropped', () => {
  assert.deepEqual(parseAppRows('777, [N/A]\nabc, 12\n888, 5120\n99'), [
    { pid: 777, usedMemoryMiB: null, gpuUuid: null },
    { pid: 888, usedMemoryMiB: 5120, gpuUuid: null },
  ]);
  // With gpu_uuid: the GPU the process is on.
  assert.deepEqual(parseAppRows('4000, 8000, GPU-0c7f3d2e-8a41-4b6d-95e2-1f3a7c9b0d64\n4001, 4000, [N/A]'), [
    { pid: 4000, usedMemoryMiB: 8000, gpuUuid: 'GPU-0c7f3d2e-8a41-4b6d-95e2-1f3a7c9b0d64' },
    { pid: 4001, usedMemoryMiB: 4000, gpuUuid: null },
  ]);
});

test('argv: the query lists the parsed fields, csv without header or units, -lms only with an interval', () => {
  assert.deepEqual(gpuQueryArgs(), [
    '--query-gpu=index,uuid,name,memory.used,memory.total,utilization.gpu,power.draw,clocks.sm,temperature.gpu',
    '--format=csv,noheader,nounits',
  ]);
  assert.deepEqual(gpuQueryArgs(250), [`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits', '-lms', '250']);
  assert.deepEqual(appQueryArgs(), ['--query-compute-apps=pid,used_memory,gpu_uuid', '--format=csv,noheader,nounits']);
  assert.deepEqual(appQueryArgs(100), [`--query-compute-apps=${APP_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits', '-lms', '100']);
});

// Matched groups and claims on synthetic results: a claim passes, fails, or
// is not evaluated (never passed) when a cell is missing or failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS } from '../src/model/config.ts';
import { checkClaims, matchedGroups } from '../src/results/analysis.ts';
import { RESULT_SCHEMA, type CellResult } from '../src/results/cell-result.ts';
import { stepTimeStats } from '../src/results/stats.ts';
import type { Mode } from '../src/train/modes.ts';

function cell(mode: Mode, batch: number, medianMs: number, peakBytes: number, status: 'ok' | 'failed' = 'ok', gpuMiB?: number): CellResult {
  const base = {
    schema: RESULT_SCHEMA, id: `${mode}-${batch}`, label: `${mode} b${batch}`,
    config: { preset: 'tiny' as const, unet: PRESETS.tiny.config, mode, batch, accum: 1, frames: 2, size: 32, textLength: 77, seed: 0, backend: 'wasm' as const, warmup: 1, steps: 3 },
    env: 'run.json' as const, startedAt: '', endedAt: '',
    gpu: gpuMiB == null ? null : { devices: [], baselineMiB: 0, devicePeakMiB: gpuMiB, devicePeakAboveBaselineMiB: gpuMiB, processPeakMiB: gpuMiB, processMatched: true, note: null, energyJoulesPerStep: null, timeline: [] },
  };
  if (status === 'failed') return { ...base, status, error: { reason: 'error', message: 'failed', stderrTail: '' } };
  return {
    ...base, status,
    backend: { requested: 'wasm', name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: '4.22.0', gpu: false, patches: [] },
    params: { spatial: 1, temporal: 1, extra: 0, total: 2, trainable: 1, frozen: 1 },
    startup: null,
    stepMs: [medianMs], loss: [1], stepPeakBytes: [peakBytes],
    stats: stepTimeStats([medianMs], batch),
    memory: { source: 'tensors', startBytes: 0, peakBytes, weightsBytes: 0, optimizerBytes: 0, peakAboveStartBytes: peakBytes, rssPeakBytes: peakBytes },
    efficiency: null,
  };
}

test('cells of the same configuration form one group per (batch, accum, frames, size)', () => {
  const groups = matchedGroups([cell('delta-serial', 1, 100, 100), cell('delta-parallel', 1, 80, 60), cell('delta-serial', 2, 200, 200)]);
  assert.equal(groups.length, 2);
  assert.deepEqual(Object.keys(groups[0]!.cells).sort(), ['delta-parallel', 'delta-serial']);
});

test('a claim passes when every group meets it, fails when one does not', () => {
  const claim = { compare: ['delta-parallel', 'delta-serial'] as [Mode, Mode], memory: { atMost: 0.76 }, time: { atMost: 0.88 } };
  const pass = checkClaims([claim], [cell('delta-serial', 1, 100, 100), cell('delta-parallel', 1, 80, 60)]);
  assert.equal(pass[0]!.status, 'pass');
  assert.ok(Math.abs(pass[0]!.comparisons[0]!.memoryRatio - 0.6) < 1e-12);
  const fail = checkClaims([claim], [cell('delta-serial', 1, 100, 100), cell('delta-parallel', 1, 95, 60), cell('delta-serial', 2, 100, 100), cell('delta-parallel', 2, 80, 60)]);
  assert.equal(fail[0]!.status, 'fail');
  assert.equal(fail[0]!.comparisons.filter((c) => c.timeOk === false).length, 1);
});

test('a failed or missing cell leaves its group not evaluated; no group at all is not a pass', () => {
  const claim = { compare: ['delta-parallel', 'delta-serial'] as [Mode, Mode], memory: { atMost: 0.76 } };
  const r = checkClaims([claim], [cell('delta-serial', 1, 100, 100), cell('delta-parallel', 1, 0, 0, 'failed')]);
  assert.equal(r[0]!.status, 'not-evaluated');
  assert.deepEqual(r[0]!.skippedGroups.length, 1);
});

test('GPU process memory is compared where both cells have it', () => {
  const claim = { compare: ['delta-parallel', 'delta-serial'] as [Mode, Mode], memory: { atMost: 0.76 } };
  const r = checkClaims([claim], [cell('delta-serial', 1, 100, 100, 'ok', 1000), cell('delta-parallel', 1, 80, 10, 'ok', 900)]);
  assert.equal(r[0]!.comparisons[0]!.memoryMetric, 'gpuProcessPeakMiB');
  assert.equal(r[0]!.status, 'fail');
});

test('a cell whose memory was not tracked leaves its group not evaluated for a memory claim', () => {
  const claim = { compare: ['delta-parallel', 'delta-serial'] as [Mode, Mode], memory: { atMost: 0.76 } };
  const untracked = cell('delta-parallel', 1, 80, 60);
  if (untracked.status === 'ok') untracked.memory = { source: 'untracked', rssPeakBytes: 1e9 };
  const r = checkClaims([claim], [cell('delta-serial', 1, 100, 100), untracked]);
  assert.equal(r[0]!.status, 'not-evaluated');
});

test('a time ratio over the limit whose 95 % interval straddles it is inconclusive, not a failure', () => {
  const claim = { compare: ['delta-parallel', 'full'] as [Mode, Mode], time: { atMost: 0.88 } };
  const withSteps = (c: CellResult, stepMs: number[]): CellResult => (c.status === 'ok' ? { ...c, stepMs: stepMs as typeof c.stepMs, stats: { ...c.stats, medianMs: stepMs.slice().sort((a, b) => a - b)[1]! } } : c);
  // the cpu suite's case: ×1.023 from 3 steps each, an interval of roughly [0.84, 1.33]
  const noisy = checkClaims([claim], [withSteps(cell('full', 1, 0, 100), [1000, 1100, 1190]), withSteps(cell('delta-parallel', 1, 0, 60), [1000, 1125, 1500])]);
  assert.equal(noisy[0]!.status, 'inconclusive');
  assert.equal(noisy[0]!.comparisons[0]!.timeInconclusive, true);
  // decisively slower: every resample is over the limit
  const slow = checkClaims([claim], [withSteps(cell('full', 1, 0, 100), [1000, 1001, 1002]), withSteps(cell('delta-parallel', 1, 0, 60), [1100, 1101, 1102])]);
  assert.equal(slow[0]!.status, 'fail');
});

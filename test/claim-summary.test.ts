// A claim in words: one line with its verdict and the group that decides it
// (furthest over the limit when it fails, the inconclusive one with its
// reason, closest to the limit when it passes), each group's line for
// --verbose, and `run`'s claim lines built from them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimLines } from '../src/cli/run-command.ts';
import { PRESETS } from '../src/model/config.ts';
import { checkClaims, type ComparableCell } from '../src/results/analysis.ts';
import { claimVerdict, decisiveGroup, groupLines, INCONCLUSIVE_REASON } from '../src/results/claim-summary.ts';
import type { Claim } from '../src/suite/schema.ts';
import type { Mode } from '../src/train/modes.ts';

/** A measured cell of the tiny preset: `batch` tells the groups apart; the steps give its median (the middle one). */
function cell(mode: Mode, batch: number, stepMs: number[], peakBytes: number): ComparableCell {
  return {
    status: 'ok', id: `${mode}-${batch}`, label: `${mode} b${batch}`,
    config: { preset: 'tiny', unet: PRESETS.tiny.config, mode, batch, accum: 1, frames: 2, size: 32, textLength: 77, seed: 0, backend: 'wasm', warmup: 1, steps: stepMs.length },
    stats: { medianMs: [...stepMs].sort((a, b) => a - b)[Math.floor(stepMs.length / 2)]! },
    stepMs,
    memory: { source: 'tensors', startBytes: 0, peakBytes, weightsBytes: 0, optimizerBytes: 0, peakAboveStartBytes: peakBytes, rssPeakBytes: peakBytes },
    gpu: null,
  };
}

/** A serial/parallel pair in group `batch`: parallel at `memory` × serial's memory and `time` × its steps. */
function pair(batch: number, memory: number, time: number, steps = [1000, 1000, 1000]): ComparableCell[] {
  return [cell('delta-serial', batch, steps, 1000), cell('delta-parallel', batch, steps.map((s) => s * time), 1000 * memory)];
}

const CLAIM: Claim = { label: 'Mobius saves', compare: ['delta-parallel', 'delta-serial'], memory: { atMost: 0.76 }, time: { atMost: 0.88 } };

test('a failed claim names the group furthest over its limit, and how many of how many failed', () => {
  // b2 fails memory by 5 %, b3 by 20 %, b4 fails time by 10 %; b1 passes.
  const [check] = checkClaims([CLAIM], [...pair(1, 0.6, 0.8), ...pair(2, 0.8, 0.8), ...pair(3, 0.912, 0.8), ...pair(4, 0.6, 0.968)]);
  assert.equal(check!.status, 'fail');
  assert.equal(decisiveGroup(check!)?.group.label, 'tiny b3 a1 2f 32px');
  assert.equal(claimVerdict(check!), 'fail in 3 of 4 groups; worst: tiny b3 a1 2f 32px: memory ×0.912 > 0.76, time ×0.800 ≤ 0.88');
});

test("a failed group's inconclusive time does not make it the worst: only what fails for sure counts", () => {
  // b1 fails memory by 1.3 % and its time (×0.909, 3 % over) is inconclusive; b2 fails memory by 2.6 %.
  const noisy = [cell('delta-serial', 1, [1000, 1100, 1190], 1000), cell('delta-parallel', 1, [800, 1000, 1500], 770)];
  const [check] = checkClaims([CLAIM], [...noisy, ...pair(2, 0.78, 0.8)]);
  assert.equal(check!.status, 'fail');
  assert.equal(check!.comparisons[0]!.timeInconclusive, true);
  assert.equal(decisiveGroup(check!)?.group.label, 'tiny b2 a1 2f 32px');
});

test('a passed claim names the group closest to its limit', () => {
  const [check] = checkClaims([CLAIM], [...pair(1, 0.6, 0.8), ...pair(2, 0.7, 0.8), ...pair(3, 0.6, 0.87)]);
  assert.equal(check!.status, 'pass');
  // 0.87 / 0.88 is nearer 1 than 0.7 / 0.76.
  assert.equal(decisiveGroup(check!)?.group.label, 'tiny b3 a1 2f 32px');
  assert.match(claimVerdict(check!), /^pass in 3 of 3 groups; closest to its limit: tiny b3 a1 2f 32px: memory ×0\.600 ≤ 0\.76, time ×0\.870 ≤ 0\.88$/);
});

test('an inconclusive claim names its inconclusive group and says why', () => {
  // Three noisy steps each: the median ratio is over 0.88, its interval reaches below.
  const noisy = [cell('delta-serial', 2, [1000, 1100, 1190], 1000), cell('delta-parallel', 2, [800, 1000, 1500], 600)];
  const [check] = checkClaims([CLAIM], [...pair(1, 0.6, 0.8), ...noisy]);
  assert.equal(check!.status, 'inconclusive');
  assert.equal(decisiveGroup(check!)?.group.label, 'tiny b2 a1 2f 32px');
  const line = claimVerdict(check!);
  assert.ok(line.startsWith('inconclusive in 1 of 2 groups; worst: tiny b2 a1 2f 32px: '), line);
  assert.ok(line.endsWith(`(${INCONCLUSIVE_REASON})`), line);
});

test('one group: its figures without a count; no group: not evaluated, with the groups that lacked a cell', () => {
  const [one] = checkClaims([CLAIM], pair(1, 0.6, 0.8));
  assert.equal(claimVerdict(one!), 'pass — tiny b1 a1 2f 32px: memory ×0.600 ≤ 0.76, time ×0.800 ≤ 0.88');
  const [none] = checkClaims([CLAIM], [cell('delta-serial', 1, [1000], 1000)]);
  assert.equal(claimVerdict(none!), 'not evaluated — no group has both delta-parallel and delta-serial measured (1 group not evaluated)');
});

test("run's claim lines: one line a claim; --verbose adds each group's line under it, indented", () => {
  const checks = checkClaims([CLAIM, { compare: ['delta-parallel', 'delta-serial'], memory: { atMost: 0.5 } }],
    [...pair(1, 0.6, 0.8), ...pair(2, 0.7, 0.8), cell('delta-serial', 3, [1000], 1000)]);
  const short = claimLines(checks);
  assert.equal(short.length, 2);
  assert.equal(short[0], 'claim Mobius saves: pass in 2 of 2 groups (1 group not evaluated); closest to its limit: tiny b2 a1 2f 32px: memory ×0.700 ≤ 0.76, time ×0.800 ≤ 0.88 (--verbose: every group)');
  assert.match(short[1]!, /^claim delta-parallel vs delta-serial: fail in 2 of 2 groups .*; worst: tiny b2 a1 2f 32px: memory ×0\.700 > 0\.5, time ×0\.800 \(--verbose: every group\)$/);
  const verbose = claimLines(checks, true);
  assert.deepEqual(verbose.slice(0, 4), [
    'claim Mobius saves: pass in 2 of 2 groups (1 group not evaluated); closest to its limit: tiny b2 a1 2f 32px: memory ×0.700 ≤ 0.76, time ×0.800 ≤ 0.88',
    '  pass: tiny b1 a1 2f 32px: memory ×0.600 ≤ 0.76, time ×0.800 ≤ 0.88',
    '  pass: tiny b2 a1 2f 32px: memory ×0.700 ≤ 0.76, time ×0.800 ≤ 0.88',
    '  not evaluated: tiny b3 a1 2f 32px (a cell is missing or failed)',
  ]);
  assert.equal(verbose.length, 8);
  assert.deepEqual(groupLines(checks[1]!).slice(0, 1), ['fail: tiny b1 a1 2f 32px: memory ×0.600 > 0.5, time ×0.800']);
});

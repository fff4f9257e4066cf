// The harness's own run folders from a real GPU (reports/gpu/h200-2026-12-04:
// one H200, the torch worker, the real nvidia-smi sampler) read, reported and
// gated as any run folder: every reader accepts what the GPU produced, the
// report draws a memory timeline per cell, the paper's claim is computed from
// the per-process nvidia-smi peaks, and the gate finds a planted regression.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { snapshotFromRun } from '../src/gate/baseline.ts';
import { compareSnapshots } from '../src/gate/compare.ts';
import { defaultThresholds } from '../src/gate/thresholds.ts';
import { buildCharts } from '../src/report/charts.ts';
import { toHtml } from '../src/report/html.ts';
import { loadReportData } from '../src/report/report-data.ts';
import { checkClaims } from '../src/results/analysis.ts';
import { readResults } from '../src/results/jsonl.ts';
import { loadSuite } from '../src/suite/load.ts';
import { tempDir } from './temp-dir.ts';

const FIGURES = fileURLToPath(new URL('../reports/gpu/h200-2026-12-04/', import.meta.url));
const RUNS = ['run-256', 'run-512'].map((r) => join(FIGURES, r));
const H100_SUITE = fileURLToPath(new URL('../suites/h100.ts', import.meta.url));

test('the GPU runs read back: every cell ok, CUDA peaks, nvidia-smi matched to the worker pid', () => {
  for (const run of RUNS) {
    const { results, truncatedLine } = readResults(join(run, 'results.jsonl'));
    assert.equal(truncatedLine, null);
    assert.equal(results.length, 5);
    for (const r of results) {
      assert.equal(r.status, 'ok', r.label);
      if (r.status !== 'ok') continue;
      assert.equal(r.memory.source, 'cuda-allocated');
      assert.ok(r.backend.name === 'torch' && r.backend.device === 'cuda', r.label);
      assert.ok(r.gpu && r.gpu.processMatched && r.gpu.timeline.length >= 3, `${r.label}: sampled and matched`);
      // nvidia-smi's per-process figure holds the allocator's reserve and the CUDA context: above the allocated peak
      assert.ok(r.gpu.processPeakMiB! * 2 ** 20 > r.memory.peakBytes, r.label);
    }
  }
});

test('the report of a GPU run draws one memory timeline per cell', () => {
  for (const run of RUNS) {
    const data = loadReportData(run);
    assert.equal(buildCharts(data).filter((c) => c.section === 'timeline').length, 5);
    assert.doesNotMatch(toHtml(data), /No memory timeline/);
  }
});

test("the paper's claim on the GPU runs: ratios of the per-process nvidia-smi peaks and of the median steps", async () => {
  const { suite } = await loadSuite(H100_SUITE);
  const claim = suite.claims[0]!;
  assert.deepEqual(claim.compare, ['delta-parallel', 'delta-serial']);
  for (const run of RUNS) {
    const { results } = readResults(join(run, 'results.jsonl'));
    const [check] = checkClaims([claim], results);
    const byMode = new Map(results.map((r) => [r.config.mode, r]));
    const parallel = byMode.get('delta-parallel')!;
    const serial = byMode.get('delta-serial')!;
    assert.ok(parallel.status === 'ok' && serial.status === 'ok');
    const memory = parallel.gpu!.processPeakMiB! / serial.gpu!.processPeakMiB!;
    const time = median(parallel.stepMs) / median(serial.stepMs);
    const group = check!.comparisons[0]!;
    assert.ok(Math.abs(group.memoryRatio - memory) < 1e-12 && Math.abs(group.timeRatio - time) < 1e-12);
    assert.equal(group.memoryOk, memory <= claim.memory!.atMost);
    assert.equal(check!.status === 'fail', group.memoryOk === false || (group.timeOk === false && !group.timeInconclusive));
  }
});

test('a GPU run compared with itself passes; a delta-parallel CUDA peak 1 % higher is a regression naming that cell', () => {
  const run = join(FIGURES, 'run-512');
  const same = compareSnapshots(snapshotFromRun(run), snapshotFromRun(run), defaultThresholds());
  assert.equal(same.exitCode, 0);
  assert.ok(same.cells.every((c) => c.verdict === 'unchanged'));

  const grown = tempDir('mobius-gpu-run-');
  cpSync(run, grown, { recursive: true });
  const file = join(grown, 'results.jsonl');
  const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { config: { mode: string }; memory: { peakBytes: number } });
  const target = rows.find((r) => r.config.mode === 'delta-parallel')!;
  target.memory.peakBytes = Math.round(target.memory.peakBytes * 1.01);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const c = compareSnapshots(snapshotFromRun(run), snapshotFromRun(grown), defaultThresholds());
  assert.equal(c.exitCode, 1);
  assert.deepEqual(c.cells.filter((x) => x.verdict === 'regression').map((x) => x.label), ['sd21 delta-parallel b2 a2 8f 512px']);
});

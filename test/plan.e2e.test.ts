// The planner: its peak equals the wasm run's measured peak exactly, its
// FLOPs match hand counts and an analytic count of the whole tiny net, and
// a kernel it lacks fails with its name.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initMetaBackend } from '../src/backend/tfjs/meta/init.ts';
import { PRESETS } from '../src/model/config.ts';
import { SerialUNet } from '../src/model/serial-unet.ts';
import { makeBatch } from '../src/train/synthetic-data.ts';
import { parseDevice } from '../src/plan/devices.ts';
import { planInChild } from '../src/plan/plan-in-child.ts';
import { Planner } from '../src/plan/planner.ts';
import { selectCells } from '../src/suite/select.ts';
import { analyticForwardFlops } from './analytic-flops.ts';
import { tempDir } from './temp-dir.ts';

/** The fields of a results.jsonl line these tests read. */
interface MeasuredLine {
  id: string;
  label: string;
  status: string;
  memory: { peakBytes: number; weightsBytes: number; optimizerBytes: number };
}

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000 });

test('for every cell of suites/smoke.ts the planned peak equals the wasm run’s measured peak exactly', () => {
  const out = tempDir('mobius-plan-');
  // One measured step after the warm-up: the peak of every step is the same.
  // --plan: the run plans its cells first and keeps the plans in plan.json (the skip-unfit test below runs `plan SUITE --json`).
  const run = cli('run', 'suites/smoke.ts', '--out', out, '--steps', '1', '--plan', '--json');
  assert.equal(run.status, 0, run.stderr);
  const measured = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MeasuredLine);
  const planned = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as { cells: Array<{ id: string; memory: { peakBytes: number; weightsBytes: number; optimizerBytes: number }; flops: number }> };
  assert.equal(planned.cells.length, measured.length);
  for (const m of measured) {
    assert.equal(m.status, 'ok', m.label);
    const p = planned.cells.find((c) => c.id === m.id);
    assert.ok(p, `cell ${m.id} planned`);
    assert.equal(p.memory.peakBytes, m.memory.peakBytes, m.label);
    assert.equal(p.memory.weightsBytes, m.memory.weightsBytes, m.label);
    assert.equal(p.memory.optimizerBytes, m.memory.optimizerBytes, m.label);
    assert.ok(p.flops > 0);
  }
});

const meta = await initMetaBackend();
function flopsOf(fn: () => tf.Tensor): number {
  const before = meta.flops;
  tf.tidy(fn);
  return meta.flops - before;
}

test('FLOPs of a conv2d, a matmul and a softmax equal hand counts', () => {
  // 2 images 8×8, 3×3 kernel 4→5 channels, stride 1 'same': 2·(2·8·8)·5·(3·3·4).
  assert.equal(flopsOf(() => tf.conv2d(tf.zeros([2, 8, 8, 4]) as tf.Tensor4D, tf.zeros([3, 3, 4, 5]) as tf.Tensor4D, 1, 'same')), 2 * 2 * 8 * 8 * 5 * 36);
  // Stride 2 'valid' on 9×9: 4×4 outputs.
  assert.equal(flopsOf(() => tf.conv2d(tf.zeros([1, 9, 9, 4]) as tf.Tensor4D, tf.zeros([3, 3, 4, 5]) as tf.Tensor4D, 2, 'valid')), 2 * 16 * 5 * 36);
  // Batched [3, 4, 6] · [3, 6, 7]: 2·3·4·7·6.
  assert.equal(flopsOf(() => tf.matMul(tf.zeros([3, 4, 6]), tf.zeros([3, 6, 7]))), 2 * 3 * 4 * 7 * 6);
  // Softmax: 5 per element.
  assert.equal(flopsOf(() => tf.softmax(tf.zeros([10, 20]))), 5 * 200);
  // Shape changes cost nothing; an add costs one per element.
  assert.equal(flopsOf(() => tf.reshape(tf.zeros([4, 6]), [24])), 0);
  assert.equal(flopsOf(() => tf.add(tf.zeros([4, 6]), tf.zeros([6]))), 24);
});

/** Conv and matmul FLOPs of one forward pass of the serial net, counted from the layout by hand. */

test('conv and matmul FLOPs of a whole tiny forward pass equal the analytic count', () => {
  const cfg = PRESETS.tiny.config;
  const net = new SerialUNet(cfg);
  net.materialize(1, ['temporal']);
  const batch = makeBatch({ frames: 4, latent: 8, latentChannels: 4, textLength: 6, crossDim: cfg.crossDim }, 1, 0, 2);
  const before = new Map(meta.flopsByKernel);
  tf.tidy(() => net.forward(batch.inputs));
  const spent = (k: string) => (meta.flopsByKernel.get(k) ?? 0) - (before.get(k) ?? 0);
  assert.equal(spent('Conv2D') + spent('BatchMatMul'), analyticForwardFlops(cfg, 2, 4, 8, 6));
  net.dispose();
});

test('a kernel the meta backend lacks fails with its name', () => {
  assert.throws(() => tf.cumsum(tf.zeros([4])), /Cumsum.*meta/);
  assert.throws(() => tf.atan2(tf.zeros([4]), tf.ones([4])), /Atan2.*meta/);
});

test('--max-batch finds the largest batch that fits; a bad device is one line, exit 2', () => {
  const r = cli('plan', '--preset', 'tiny', '--mode', 'delta-parallel', '--backend', 'wasm', '--frames', '4', '--size', '64', '--device', '0.5gib', '--max-batch', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const [m] = report.maxBatch;
  assert.ok(m.maxBatch >= 1 && m.peakBytesAtMax <= 0.5 * 1024 ** 3);
  const over = cli('plan', '--preset', 'tiny', '--mode', 'delta-parallel', '--backend', 'wasm', '--frames', '4', '--size', '64', '--batch', String(m.maxBatch + 1), '--device', '0.5gib', '--json');
  assert.equal(JSON.parse(over.stdout).cells[0].fits, false);
  const bad = cli('plan', '--preset', 'tiny', '--mode', 'full', '--device', 'tpu');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--device 'tpu'/);
});

test('run --skip-unfit plans first, skips what cannot fit and lists it in run.json; plan.json is written', () => {
  const out = tempDir('mobius-skip-');
  // A device between the two planned peaks: the smaller fits, the larger does not.
  const plan = JSON.parse(cli('plan', 'test/fixtures/suites/two-cell.ts', '--json').stdout) as { cells: Array<{ id: string; memory: { peakBytes: number } }> };
  const peaks = plan.cells.map((c) => c.memory.peakBytes).sort((a, b) => a - b);
  const limitGib = (peaks[0]! + peaks[1]!) / 2 / 1024 ** 3;
  const r = cli('run', 'test/fixtures/suites/two-cell.ts', '--out', out, '--skip-unfit', '--device', `${limitGib}gib`, '--json');
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual([summary.ran, summary.skippedUnfit], [1, 1]);
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(run.skipped.length, 1);
  assert.match(run.skipped[0].reason, /planned peak .* exceeds/);
  const planned = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
  assert.equal(planned.cells.length, 2);
  const [ran] = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MeasuredLine);
  assert.equal(ran!.memory.peakBytes, planned.cells.find((c: { id: string }) => c.id === ran!.id).memory.peakBytes);
  // The reports show the prediction beside the measurement.
  const summaryMd = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.match(summaryMd, /### Planned vs measured tensor peak[\s\S]*\| exact \|/);
  const csvHeader = readFileSync(join(out, 'results.csv'), 'utf8').split('\n')[0]!;
  assert.ok(csvHeader.includes('tensor_peak_planned_mb'));
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /planned peak \(MB\)/);
});

test('a long accumulation is planned from two short ones: the same peak and FLOPs as planning every micro-batch', async () => {
  const { BufferTracker } = await import('../src/measure/tensor-memory.ts');
  const { planCell, planEveryMicroBatch } = await import('../src/plan/plan-cell.ts');
  const tracker = new BufferTracker().install();
  try {
    for (const mode of ['delta-serial', 'delta-parallel-ckpt'] as const) {
      const config = { preset: 'tiny', unet: PRESETS.tiny.config, mode, batch: 2, accum: 6, frames: 4, size: 32, textLength: 8, seed: 0, backend: 'wasm', warmup: 1, steps: 2 } as const;
      const shortcut = await planCell(config, meta, tracker);
      const full = await planEveryMicroBatch(config, meta, tracker);
      assert.deepEqual(shortcut.memory, full.memory, mode);
      assert.equal(shortcut.flops, full.flops, mode);
    }
  } finally {
    tracker.uninstall();
  }
});

test('a device of zero or negative size is refused', async () => {
  assert.throws(() => parseDevice('0gib'), /--device '0gib'.*N > 0/);
  assert.equal(parseDevice('0.5gib').bytes, 0.5 * 1024 ** 3);
});

test('planInChild keeps the plans it made: the same cells again give equal plans, which callers cannot change for each other', async () => {
  const { selected } = await selectCells({ suiteFile: 'test/fixtures/suites/two-cell.ts' });
  const first = await planInChild(selected, 'a100-40gb');
  first[0]!.memory.peakBytes = -1;
  const again = await planInChild([...selected].reverse(), 'a100-40gb');
  assert.deepEqual(again.map((p) => p.id), [selected[1]!.id, selected[0]!.id]);
  assert.ok(again[1]!.memory.peakBytes > 0);
  // Another device is another plan (its `fits`), not a kept one.
  const tiny = await planInChild(selected.slice(0, 1), '0.0001gib');
  assert.deepEqual([again[1]!.fits, tiny[0]!.fits], [true, false]);
});

test('planInChild plans torch cells in its own process, beside the TensorFlow.js cells it sends to the child, in the order asked', async () => {
  const { selected: wasm } = await selectCells({ suiteFile: 'test/fixtures/suites/two-cell.ts' });
  const { selected: torch } = await selectCells({ suiteFile: 'suites/torch-smoke.ts', filter: 'mode=delta-serial|delta-parallel' });
  const mixed = [torch[0]!, wasm[0]!, torch[1]!, wasm[1]!];
  const plans = await planInChild(mixed, '80gib');
  assert.deepEqual(plans.map((p) => [p.id, p.framework]), mixed.map((c) => [c.id, c.config.backend === 'torch' ? 'pytorch' : 'tensorflow.js']));
  const here = await (await Planner.create()).plan(torch[1]!, parseDevice('80gib'));
  assert.deepEqual({ ...plans[2], planMs: 0 }, { ...here, planMs: 0 });
  // A device torch cannot be planned for is the same one-line error as the child's.
  await assert.rejects(planInChild(torch.slice(0, 1), 'tpu'), /--device 'tpu'/);
});

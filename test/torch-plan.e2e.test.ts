// The PyTorch planner (src/plan/torch) against the torch worker itself: for
// the tiny and small presets, every mode, float32 and bf16 autocast (and
// bf16-stored frozen weights), the bytes autograd keeps for backward after a
// micro-batch's forward equal what saved_tensors_hooks counts on the real net
// (torch 1.13 on the CPU, explicit attention) — exactly — and the weights /
// gradients / optimizer-state split equals the worker's. All cells are counted
// by one Python process. Without a Python that has torch, those tests are
// reported as skipped, with the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { torchWorkerEnv } from '../src/backend/torch/python-locator.ts';
import { torchPython } from './torch-python.ts';
import type { Precision } from '../src/backend/run-backends.ts';
import { PRESETS, type PresetName } from '../src/model/config.ts';
import { paramsReport } from '../src/model/params-report.ts';
import { planTorchCell } from '../src/plan/torch/plan-torch-cell.ts';
import { cellOf, type CellConfig } from '../src/protocol/cell-config.ts';
import { torchRunMessage } from '../src/protocol/torch-run-message.ts';
import { MODES, MODE_SPECS, type Mode } from '../src/train/modes.ts';
import { torchSkip } from './torch-required.ts';

interface PythonCount {
  savedBytes: number;
  savedStorages: number;
  parameterSavedBytes: number;
  weightsBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
}

function cell(preset: PresetName, mode: Mode, shape: { batch: number; frames: number; size: number }, precision: Precision, frozenWeights: Precision = 'fp32'): CellConfig {
  return {
    preset, unet: PRESETS[preset].config, mode, ...shape, accum: 2, textLength: 7, seed: 1,
    backend: 'torch', precision, frozenWeights, device: 'cpu', warmup: 0, steps: 1,
  };
}

const CELLS: CellConfig[] = [];
for (const mode of MODES) {
  for (const precision of ['fp32', 'bf16'] as const) {
    CELLS.push(cell('tiny', mode, { batch: 1, frames: 2, size: 32 }, precision));
    CELLS.push(cell('tiny', mode, { batch: 2, frames: 3, size: 48 }, precision));
    CELLS.push(cell('small', mode, { batch: 2, frames: 2, size: 32 }, precision));
  }
  CELLS.push(cell('tiny', mode, { batch: 2, frames: 4, size: 32 }, 'bf16', 'bf16'));
}
const label = (c: CellConfig) => `${c.preset} ${c.mode} ${c.precision}${c.frozenWeights !== 'fp32' ? ` frozen ${c.frozenWeights}` : ''} b${c.batch} f${c.frames} ${c.size}px`;

/** Every cell counted by one process (torch's import dominates a count). */
async function countInPython(): Promise<PythonCount[] | string> {
  const python = await torchPython();
  if (python instanceof Error) return `no Python with torch: ${python.message}`;
  const r = spawnSync(python.executable, ['-m', 'mobius_bench_checks.saved_bytes', JSON.stringify(CELLS.map((c) => torchRunMessage(cellOf(c))))], {
    env: torchWorkerEnv(), encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`saved_bytes failed (exit ${r.status}):\n${r.stderr.trim().split('\n').slice(-20).join('\n')}`);
  return JSON.parse(r.stdout) as PythonCount[];
}

const counted = await countInPython();
const skip = torchSkip(typeof counted === 'string' ? counted : false, 'torch planner against autograd');

test('saved-for-backward bytes equal what autograd saves on the torch worker, exactly', { skip }, () => {
  const counts = counted as PythonCount[];
  const wrong: string[] = [];
  CELLS.forEach((c, i) => {
    const planned = planTorchCell(c, { attention: 'explicit', runtime: 'cpu' }).memory.savedBytes;
    if (planned !== counts[i]!.savedBytes) wrong.push(`${label(c)}: planned ${planned}, autograd ${counts[i]!.savedBytes}`);
  });
  assert.deepEqual(wrong, [], `${wrong.length} of ${CELLS.length} cells differ`);
  console.log(`${CELLS.length} cells: planned saved bytes = autograd's, from ${Math.min(...counts.map((c) => c.savedBytes))} to ${Math.max(...counts.map((c) => c.savedBytes))} B`);
});

test('the weights / gradients / optimizer-state split equals the worker’s, exactly', { skip }, () => {
  const counts = counted as PythonCount[];
  CELLS.forEach((c, i) => {
    const { memory } = planTorchCell(c, { attention: 'explicit', runtime: 'cpu' });
    const worker = counts[i]!;
    assert.deepEqual(
      { weights: memory.weightsBytes, gradients: memory.gradientBytes, optimizer: memory.optimizerBytes },
      { weights: worker.weightsBytes, gradients: worker.gradientBytes, optimizer: worker.optimizerBytes },
      label(c),
    );
  });
});

test('trained parameters are the TypeScript model’s counts for every preset and mode', () => {
  for (const preset of ['tiny', 'small', 'sd21'] as const) {
    const report = paramsReport(preset);
    for (const mode of MODES) {
      const spec = MODE_SPECS[mode];
      const counts = report[spec.network];
      const plan = planTorchCell(cell(preset, mode, { batch: 1, frames: 2, size: preset === 'sd21' ? 64 : 32 }, 'bf16'), { attention: 'sdpa' });
      const trainable = spec.trainable.reduce((s, g) => s + counts[g], 0);
      assert.equal(plan.trainableParams, trainable, `${preset} ${mode}`);
      assert.equal(plan.trainableParams + plan.frozenParams, counts.total, `${preset} ${mode}`);
    }
  }
});

test('an sd21 cell plans in under 2 s and says it is a PyTorch plan', () => {
  const sd21 = { ...cell('sd21', 'delta-serial', { batch: 2, frames: 8, size: 512 }, 'bf16'), accum: 2, textLength: 77 };
  const t0 = performance.now();
  const plan = planTorchCell(sd21, { attention: 'sdpa' });
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `planned in ${ms.toFixed(0)} ms`);
  assert.equal(plan.framework, 'pytorch');
  assert.match(plan.notes[0]!, /PyTorch/);
  const m = plan.memory;
  assert.equal(m.activationBytes, m.peakBytes - m.weightsBytes - m.optimizerBytes - m.gradientBytes);
  assert.ok(m.savedBytes > 0 && m.savedBytes < m.activationBytes, 'what backward needs is part of the working set');
  console.log(`sd21 512 px delta-serial bf16: ${(m.peakBytes / 1e9).toFixed(2)} GB in ${ms.toFixed(0)} ms`);
});

test('checkpointing and the parallel net keep less than the serial net, and the peak grows with the batch', () => {
  const at = (mode: Mode, batch = 2) => planTorchCell({ ...cell('sd21', mode, { batch, frames: 8, size: 256 }, 'bf16'), textLength: 77 }, { attention: 'sdpa' }).memory;
  assert.ok(at('delta-serial-ckpt').savedBytes < at('delta-serial').savedBytes);
  assert.ok(at('delta-parallel-ckpt').savedBytes < at('delta-parallel').savedBytes);
  assert.ok(at('delta-parallel').savedBytes < at('delta-serial').savedBytes);
  assert.ok(at('delta-serial', 4).peakBytes > at('delta-serial', 2).peakBytes);
});

test('frozen weights below float32 need mixed precision (protocol/torch-settings.ts)', () => {
  assert.throws(() => planTorchCell(cell('tiny', 'delta-serial', { batch: 1, frames: 2, size: 32 }, 'fp32', 'bf16'), { attention: 'sdpa' }), /frozen weights in bf16 need precision 'bf16' \(autocast\)/);
  assert.throws(() => planTorchCell(cell('tiny', 'delta-serial', { batch: 1, frames: 2, size: 32 }, 'fp32'), { attention: 'sdpa', runtime: 'cpu' }), /explicit/);
});

test('plan --backend torch: PyTorch figures, said in words; --max-batch bisects on them; torch-only flags refused elsewhere', () => {
  const bin = new URL('../bin/mobius-bench.js', import.meta.url).pathname;
  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, 'plan', ...args], { encoding: 'utf8', timeout: 120_000 });
  const flags = ['--preset', 'tiny', '--mode', 'delta-parallel-ckpt', '--frames', '4', '--size', '64', '--backend', 'torch', '--precision', 'bf16'];
  const json = cli(...flags, '--json');
  assert.equal(json.status, 0, json.stderr);
  const [cell] = JSON.parse(json.stdout).cells;
  assert.equal(cell.framework, 'pytorch');
  assert.equal(cell.config.precision, 'bf16');
  assert.equal(cell.memory.peakBytes, planTorchCell(cell.config, { attention: 'sdpa' }).memory.peakBytes);
  assert.ok(cell.flops > 0);
  const text = cli(...flags);
  assert.match(text.stdout, /PyTorch: torch\.cuda\.max_memory_allocated/);
  assert.match(text.stdout, /^PyTorch on CUDA, bf16 autocast/);
  assert.match(text.stdout, /\ntiny b1 a1 4f 64px, PyTorch bf16 autocast\n.*\n[0-9a-f]{12} delta-parallel-ckpt\s/);
  const device = `${(cell.memory.peakBytes * 3.5) / 1024 ** 3}gib`;
  const max = JSON.parse(cli(...flags, '--device', device, '--max-batch', '--json').stdout).maxBatch[0];
  assert.ok(max.maxBatch >= 2 && max.peakBytesAtMax <= cell.memory.peakBytes * 3.5);
  const refused = cli('--preset', 'tiny', '--mode', 'full', '--backend', 'wasm', '--frozen-weights', 'bf16');
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /--frozen-weights: frozenWeights 'bf16' needs backend 'torch'/);
});

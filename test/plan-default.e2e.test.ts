// `plan` from flags answers for PyTorch on CUDA by default: every mode side
// by side with its saving against delta-serial (--mode narrows it), savings
// in --json matched per configuration, and TensorFlow.js's figure with
// --backend wasm exactly as before. In-process but for one CLI run; the
// torch planner is analytic (no torch needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatPlan, planCommand, type PlanReport } from '../src/cli/plan-command.ts';
import { PRESETS } from '../src/model/config.ts';
import { parseDevice } from '../src/plan/devices.ts';
import { Planner } from '../src/plan/planner.ts';
import { savingsVsDeltaSerial } from '../src/plan/savings.ts';
import { planTorchCell } from '../src/plan/torch/plan-torch-cell.ts';
import { cellId, cellOf, type CellConfig } from '../src/protocol/cell-config.ts';
import { MODES, type Mode } from '../src/train/modes.ts';
import { UserError } from '../src/user-error.ts';

/** The issue's configuration: sd21, batch 2 × accum 2, 8 frames, 256 px. */
const ISSUE_FLAGS = { preset: 'sd21', batch: 2, accum: 2, frames: 8, size: 256, device: 'a100-40gb' } as const;

/** The cell `plan` builds from the issue's flags, written out independently of plan-command.ts. */
function issueCell(mode: Mode, backend: 'torch' | 'wasm'): CellConfig {
  const sd21 = PRESETS.sd21;
  return {
    preset: 'sd21', unet: sd21.config, mode, batch: 2, accum: 2, frames: 8, size: 256,
    textLength: sd21.defaults.textLength, seed: 0, backend, warmup: 1, steps: 1,
    ...(backend === 'torch' ? { precision: 'fp32', frozenWeights: 'fp32', device: 'cuda' } as const : {}),
  };
}

/** The rows of a text plan: `<12-hex id> <mode> …`, by mode. */
function rowModes(text: string): string[] {
  return text.split('\n').flatMap((l) => /^[0-9a-f]{12} (\S+)/.exec(l)?.[1] ?? []);
}

test('without --backend and --mode: every mode planned for PyTorch (fp32), each peak the torch planner’s, each saving against delta-serial', async () => {
  const report = await planCommand({ ...ISSUE_FLAGS });
  assert.deepEqual(report.cells.map((c) => c.config.mode), [...MODES]);
  for (const c of report.cells) {
    const expected = issueCell(c.config.mode, 'torch');
    assert.equal(c.id, cellId(expected), c.config.mode);
    assert.equal(c.framework, 'pytorch');
    assert.equal(c.config.backend, 'torch');
    assert.equal(c.memory.peakBytes, planTorchCell(expected, { attention: 'sdpa' }).memory.peakBytes, c.config.mode);
  }
  const peak = (mode: Mode) => report.cells.find((c) => c.config.mode === mode)!.memory.peakBytes;
  const saving = (mode: Mode) => report.savings.find((s) => s.mode === mode)!;
  assert.equal(saving('delta-serial').vsDeltaSerial, null);
  const parallel = saving('delta-parallel').vsDeltaSerial!;
  assert.equal(parallel.ratio, peak('delta-parallel') / peak('delta-serial'));
  assert.ok(parallel.ratio < 1, 'Mobius keeps less than the serial net');
  assert.equal(parallel.savedBytes, peak('delta-serial') - peak('delta-parallel'));
  for (const mode of MODES.filter((m) => m !== 'delta-serial')) assert.equal(saving(mode).vsDeltaSerial!.ratio, peak(mode) / peak('delta-serial'), mode);

  const text = formatPlan(report, { fromFlags: true });
  assert.match(text.split('\n')[0]!, /^PyTorch on CUDA, fp32 \(--precision bf16 for mixed precision; --backend wasm for TensorFlow\.js's figure\)$/);
  assert.deepEqual(rowModes(text), [...MODES]);
  assert.match(text, /vs delta-serial/);
  assert.match(text, /\n[0-9a-f]{12} delta-serial\s.*\s—$/m);
  const ratio = parallel.ratio.toFixed(3);
  assert.match(text, new RegExp(`\\n[0-9a-f]{12} delta-parallel\\s.*−${((1 - parallel.ratio) * 100).toFixed(1)} % ×${ratio}$`, 'm'));
});

test('--precision bf16 plans bf16 autocast and the header says so', async () => {
  const report = await planCommand({ ...ISSUE_FLAGS, precision: 'bf16', mode: 'delta-parallel' });
  assert.equal(report.cells[0]!.config.precision, 'bf16');
  assert.equal(report.cells[0]!.memory.peakBytes, planTorchCell({ ...issueCell('delta-parallel', 'torch'), precision: 'bf16' }, { attention: 'sdpa' }).memory.peakBytes);
  assert.match(formatPlan(report, { fromFlags: true }).split('\n')[0]!, /^PyTorch on CUDA, bf16 autocast \(--backend wasm for TensorFlow\.js's figure\)$/);
});

test('--backend wasm --mode delta-parallel gives TensorFlow.js’s figure, as the meta backend plans it', async () => {
  // The meta backend's own path first: planCommand's planner installs a buffer tracker for the rest of the process.
  const [{ BufferTracker }, { initMetaBackend }, { planCell }] = await Promise.all([import('../src/measure/tensor-memory.ts'), import('../src/backend/tfjs/meta/init.ts'), import('../src/plan/plan-cell.ts')]);
  const config = issueCell('delta-parallel', 'wasm');
  const tracker = new BufferTracker().install();
  let expected: number;
  try {
    expected = (await planCell(config, await initMetaBackend(), tracker)).memory.peakBytes;
  } finally {
    tracker.uninstall();
  }
  const report = await planCommand({ ...ISSUE_FLAGS, backend: 'wasm', mode: 'delta-parallel' });
  assert.equal(report.cells.length, 1);
  const [cell] = report.cells;
  assert.equal(cell!.id, cellId(config));
  assert.equal(cell!.framework, 'tensorflow.js');
  assert.equal(cell!.memory.peakBytes, expected);
  const text = formatPlan(report, { fromFlags: true });
  assert.match(text.split('\n')[0]!, /^TensorFlow\.js \(wasm backend\), fp32/);
  assert.match(text, /TensorFlow\.js: unique float32 tensor buffers/);
});

test('--mode narrows the plan to one row, without a saving column', async () => {
  const report = await planCommand({ ...ISSUE_FLAGS, mode: 'delta-serial-ckpt' });
  assert.deepEqual(report.cells.map((c) => c.config.mode), ['delta-serial-ckpt']);
  assert.deepEqual(report.savings.map((s) => s.vsDeltaSerial), [null]);
  const text = formatPlan(report, { fromFlags: true });
  assert.deepEqual(rowModes(text), ['delta-serial-ckpt']);
  assert.doesNotMatch(text, /vs delta-serial/);
});

test('--max-batch: the largest batch per mode, in the same table', async () => {
  const report = await planCommand({ preset: 'tiny', frames: 4, size: 64, device: '2gib', maxBatch: true });
  assert.equal(report.maxBatch!.length, MODES.length);
  const text = formatPlan(report, { fromFlags: true });
  assert.match(text, /max batch \(peak\)/);
  for (const m of report.maxBatch!) {
    const row = text.split('\n').find((l) => new RegExp(`^[0-9a-f]{12} ${m.mode}\\s`).test(l))!;
    assert.ok(row.endsWith(m.maxBatch === 0 ? 'none (batch 1 does not fit)' : `${m.maxBatch} (${(m.peakBytesAtMax! / 2 ** 30).toFixed(2)})`), row);
  }
});

test('savings are matched per configuration: each cell against the delta-serial cell of its own batch; none without one', async () => {
  const planner = await Planner.create();
  const device = parseDevice('a100-40gb');
  const tiny = (mode: Mode, batch: number) => cellOf({ ...issueCell(mode, 'torch'), preset: 'tiny', unet: PRESETS.tiny.config, textLength: PRESETS.tiny.defaults.textLength, batch, size: 64 });
  const cells = [tiny('delta-serial', 1), tiny('delta-parallel', 1), tiny('delta-parallel', 2), tiny('delta-serial', 2), tiny('full', 4)];
  const planned = await Promise.all(cells.map((c) => planner.plan(c, device)));
  const savings = savingsVsDeltaSerial(planned);
  const peak = (i: number) => planned[i]!.memory.peakBytes;
  assert.deepEqual(savings.map((s) => s.id), cells.map((c) => c.id));
  assert.equal(savings[0]!.vsDeltaSerial, null);
  assert.equal(savings[1]!.vsDeltaSerial!.ratio, peak(1) / peak(0));
  assert.equal(savings[2]!.vsDeltaSerial!.ratio, peak(2) / peak(3));
  assert.equal(savings[4]!.vsDeltaSerial, null, 'no delta-serial cell at batch 4');
});

test('plan with neither a suite nor --preset is one UserError naming both', async () => {
  await assert.rejects(planCommand({ device: 'a100-40gb' }), (err: Error) => err instanceof UserError && /give a suite file, or --preset/.test(err.message) && !err.message.includes('\n'));
});

test('the CLI: plan --preset sd21 … --json (no backend, no mode) has every mode’s PyTorch peak and its saving', () => {
  const bin = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'plan', '--preset', 'sd21', '--batch', '2', '--accum', '2', '--frames', '8', '--size', '256', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as PlanReport;
  assert.deepEqual(report.cells.map((c) => [c.config.mode, c.framework]), MODES.map((m) => [m, 'pytorch']));
  assert.deepEqual(report.savings.map((s) => s.mode), [...MODES]);
  for (const s of report.savings) {
    const cell = report.cells.find((c) => c.id === s.id)!;
    assert.equal(s.peakBytes, cell.memory.peakBytes);
    assert.equal(s.vsDeltaSerial === null, s.mode === 'delta-serial', s.mode);
  }
});

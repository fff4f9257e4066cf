// The torch worker through the harness: `mobius-bench run` of a torch suite
// on this machine's torch (CPU here) writes results.jsonl, the reports and a
// baseline that compares clean against itself; a torch worker that raises,
// is killed or hangs becomes a failed cell with its reason, like a tfjs one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { torchPython } from './torch-python.ts';
import { runCell } from '../src/runner/run-cell.ts';
import { torchWorkerExecutor } from '../src/runner/torch-executor.ts';
import { expandSuite } from '../src/suite/expand.ts';
import { validateSuite } from '../src/suite/load.ts';
import { tempDir } from './temp-dir.ts';
import { torchSkip } from './torch-required.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const FIXTURE_MODULES = fileURLToPath(new URL('./fixtures/python', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000 });

const python = await torchPython();
const skip = torchSkip(python instanceof Error ? `no Python with torch: ${python.message}` : false, 'torch runs');
const dir = tempDir('mobius-torch-run-');

test('run suites/torch-smoke.ts: every mode on the torch worker, reports, a clean compare against itself', { skip, timeout: 600_000 }, () => {
  const out = join(dir, 'smoke');
  const run = cli('run', 'suites/torch-smoke.ts', '--out', out, '--json');
  assert.equal(run.status, 0, run.stderr);
  const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 5);
  const byMode = new Map(lines.map((l) => [l.config.mode, l]));
  for (const l of lines) {
    assert.equal(l.status, 'ok', JSON.stringify(l.error));
    assert.equal(l.backend.name, 'torch');
    assert.equal(l.stepMs.length, 3);
    assert.ok(l.loss.every((x: number | null) => x != null && Number.isFinite(x)));
    assert.ok(l.efficiency.flopsPerStep > 0, 'the planner counted the step');
    assert.ok(l.startup.importMs >= 0 && l.startup.buildMs > 0);
  }
  // Trained weights: the same counts as the TypeScript nets report.
  assert.equal(byMode.get('delta-serial').params.trainable, byMode.get('delta-serial-ckpt').params.trainable);
  assert.ok(byMode.get('full').params.trainable > byMode.get('delta-serial').params.trainable);
  for (const file of ['report.html', 'summary.md', 'results.csv']) assert.ok(existsSync(join(out, file)), file);
  const again = cli('compare', out, out);
  assert.equal(again.status, 0, again.stdout + again.stderr);
});

test('a torch worker that raises, is killed or hangs becomes a failed cell with its reason; past its memory cap it does not fit', { skip, timeout: 120_000 }, async () => {
  const [cell] = expandSuite(validateSuite({ name: 'x', backend: 'torch', device: 'cpu', presets: ['tiny'], modes: ['delta-serial'], sweep: { frames: [2], size: [32] } }, 'x.ts'));
  const exe = (python as Exclude<typeof python, Error>).executable;
  const faulty = (fault: string) => torchWorkerExecutor(exe, {
    module: 'faulty_torch_worker', name: 'faulty torch worker',
    env: { ...process.env, PYTHONPATH: FIXTURE_MODULES, MOBIUS_TEST_FAULT: fault },
  });
  // Side by side: the hang's timeout is waited out while the others end.
  const [raised, killed, hung] = await Promise.all([
    runCell(cell!, faulty('raise'), { timeoutMs: 60_000, sampler: null }),
    runCell(cell!, faulty('kill'), { timeoutMs: 60_000, sampler: null }),
    runCell(cell!, faulty('hang'), { timeoutMs: 4_000, sampler: null }),
  ]);
  assert.equal(raised.status, 'failed');
  if (raised.status === 'failed') {
    assert.equal(raised.error.reason, 'crashed');
    assert.match(raised.error.stderrTail, /RuntimeError: injected fault/);
  }
  assert.equal(killed.status === 'failed' && killed.error.reason, 'killed');
  assert.equal(hung.status === 'failed' && hung.error.reason, 'timeout');
  // The real worker refuses a bad cell with a message, not a crash.
  const bad = await runCell({ ...cell!, config: { ...cell!.config, precision: 'fp16' } }, torchWorkerExecutor(exe), { timeoutMs: 60_000, sampler: null });
  assert.equal(bad.status, 'failed');
  if (bad.status === 'failed') assert.equal(bad.error.reason, 'error', bad.error.message);
  // Past --memory-cap (an address-space limit on the CPU) the real worker runs out of memory: an answer, with the bytes.
  // At 256 px the weights and the batch fit 12 MiB and the first 2 MiB activations do not (see python/tests/worker_cells.py).
  const cap = 12 * 2 ** 20;
  const large = { ...cell!, config: { ...cell!.config, size: 256 } };
  const capped = await runCell(large, torchWorkerExecutor(exe, { memoryCapBytes: cap }), { timeoutMs: 60_000, sampler: null });
  assert.equal(capped.status === 'failed' && capped.error.reason, 'oom', capped.status === 'failed' ? capped.error.message : 'ran');
  if (capped.status === 'failed') {
    assert.equal(capped.error.oom?.capBytes, cap);
    assert.ok(capped.error.oom.allocatedBytes! <= cap);
  }
});

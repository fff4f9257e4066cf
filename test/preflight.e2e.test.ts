// Pre-flight: what `run` and `step` refuse before any minutes are spent — a
// cell the planner says cannot fit the memory its backend can use here
// (skipped and recorded, unless --force), a missing tfjs-node, and the
// memory each backend is checked against.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isInstalled } from '../src/backend/tfjs/installed.ts';
import { compareCommand } from '../src/cli/compare-command.ts';
import { readRunRecord } from '../src/results/run-record.ts';
import { WASM_HEAP_MAX_BYTES } from '../src/backend/run-backends.ts';
import { budgetFor, hostAvailableBytes, type MachineMemory } from '../src/runner/memory-budget.ts';
import { runSuite } from '../src/runner/run-suite.ts';
import { selectCells } from '../src/suite/select.ts';
import { fakeExecutor } from './fake-executor.ts';
import { tempDir } from './temp-dir.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const UNFIT = fileURLToPath(new URL('./fixtures/suites/unfit-cell.ts', import.meta.url));
const TWO = 'test/fixtures/suites/two-cell.ts';
const GiB = 2 ** 30;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const machine = (over: Partial<MachineMemory> = {}): MachineMemory => ({ hostAvailableBytes: 20 * GiB, torchGpu: null, tfjsGpu: null, tfjsNodeInstalled: false, ...over });

test('each backend is checked against the memory it can use: the wasm heap, the host, GPU 0', () => {
  const h100 = { name: 'NVIDIA H100 80GB HBM3', bytes: 80 * GiB };
  assert.deepEqual(budgetFor({ backend: 'wasm' }, machine()), { bytes: WASM_HEAP_MAX_BYTES, what: "the wasm backend's 4 GiB heap" });
  // A host with less than 4 GiB free is the tighter limit.
  assert.equal(budgetFor({ backend: 'wasm' }, machine({ hostAvailableBytes: 3 * GiB })).bytes, 3 * GiB);
  assert.equal(budgetFor({ backend: 'cpu' }, machine()).bytes, 20 * GiB);
  assert.equal(budgetFor({ backend: 'auto' }, machine()).bytes, WASM_HEAP_MAX_BYTES);
  assert.equal(budgetFor({ backend: 'auto' }, machine({ tfjsNodeInstalled: true })).bytes, 20 * GiB);
  assert.deepEqual(budgetFor({ backend: 'tensorflow' }, machine({ tfjsNodeInstalled: true, tfjsGpu: h100 })), { bytes: 80 * GiB, what: 'GPU 0 (NVIDIA H100 80GB HBM3)' });
  assert.equal(budgetFor({ backend: 'torch', device: 'cuda' }, machine({ torchGpu: h100 })).bytes, 80 * GiB);
  assert.equal(budgetFor({ backend: 'torch', device: 'auto' }, machine({ torchGpu: h100 })).bytes, 80 * GiB);
  assert.equal(budgetFor({ backend: 'torch', device: 'cpu' }, machine({ torchGpu: h100 })).bytes, 20 * GiB);
  assert.equal(budgetFor({ backend: 'torch', device: 'auto' }, machine()).bytes, 20 * GiB);
});

test("the host's available memory is MemAvailable, not the smaller free figure", () => {
  const bytes = hostAvailableBytes(fileURLToPath(new URL('./fixtures/meminfo.txt', import.meta.url)));
  assert.equal(bytes, 17_512_345 * 1024);
});

test('run: a cell that cannot fit the wasm heap is skipped with its reason in run.json, and compare says so; the others run', async () => {
  const out = join(tempDir('mobius-preflight-'), 'run');
  const executor = fakeExecutor();
  const notices: string[] = [];
  const summary = await runSuite({ suiteFile: UNFIT, out, json: true, executor, onNotice: (l) => notices.push(l) });
  const { selected } = await selectCells({ suiteFile: UNFIT });
  const [tiny, sd21] = selected;
  assert.equal(sd21!.config.preset, 'sd21');
  assert.deepEqual(executor.started, [tiny!.id]);
  assert.deepEqual([summary.ran, summary.ok, summary.failed, summary.skippedUnfit], [1, 1, 0, 1]);
  const record = readRunRecord(out);
  assert.deepEqual(record.skipped?.map((s) => s.id), [sd21!.id]);
  assert.match(record.skipped![0]!.reason, /^planned peak \d+\.\d\d GiB \(TensorFlow\.js's\) exceeds the wasm backend's 4 GiB heap, 4\.00 GiB; --force runs it anyway$/);
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, new RegExp(`^skipped sd21 delta-serial .* ${sd21!.id}: planned peak`));

  // compare against a run that has it: the missing cell fails the gate, and says why it is missing.
  const full = join(out, '..', 'forced');
  await runSuite({ suiteFile: UNFIT, out: full, json: true, executor: fakeExecutor(), force: true });
  let table = '';
  const code = await compareCommand(full, out, {}, { stdout: (t) => (table += t), stderr: () => {}, env: {} });
  assert.equal(code, 1, table);
  assert.match(table, new RegExp(`only in the baseline \\(1\\), a regression .*\\n  sd21 delta-serial .*\\(${sd21!.id}\\) — skipped by the planner: planned peak .* exceeds the wasm backend's 4 GiB heap`));

  // --force on a resume runs it, and run.json no longer lists it as skipped.
  const forced = fakeExecutor();
  const again = await runSuite({ suiteFile: UNFIT, resume: out, json: true, executor: forced, force: true });
  assert.deepEqual(forced.started, [sd21!.id]);
  assert.deepEqual([again.alreadyDone, again.ran, again.skippedUnfit], [1, 1, 0]);
  assert.deepEqual(readRunRecord(out).skipped, []);
});

test("step: a configuration that cannot fit the backend's memory is refused in one line, exit 2, before any tensor", () => {
  const r = cli('step', '--preset', 'sd21', '--mode', 'delta-serial', '--frames', '2', '--size', '64', '--steps', '1', '--warmup', '0');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^mobius-bench: step sd21 delta-serial b1 a1 2f 64px on wasm: planned peak \d+\.\d\d GiB .* exceeds the wasm backend's 4 GiB heap, 4\.00 GiB; --force runs it anyway\n$/);
});

test("run --backend tensorflow without tfjs-node: one line naming the package, exit 2, and no run folder made", (t) => {
  if (isInstalled('@tensorflow/tfjs-node') || isInstalled('@tensorflow/tfjs-node-gpu')) return t.skip('tfjs-node is installed here');
  const out = join(tempDir('mobius-preflight-'), 'never');
  const r = cli('run', TWO, '--backend', 'tensorflow', '--out', out);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^mobius-bench: backend 'tensorflow' is not installed: npm install @tensorflow\/tfjs-node-gpu .* or @tensorflow\/tfjs-node \(CPU\), or run with --backend wasm\n$/);
  assert.equal(existsSync(out), false);
});

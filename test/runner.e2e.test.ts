// The runner. End to end through the CLI and the real tfjs worker: results
// on disk as cells end, MOBIUS_BENCH_TRACKER=0, SIGINT, bad flags, GPU
// figures from a fake nvidia-smi; a torch cell through the torch worker. Through real processes of a test-only
// worker: one that throws, one killed, one past its timeout. In-process with
// the fake executor, in milliseconds: resume, interrupts, shards, every kind
// of failure, skip-unfit.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { torchPython as sharedTorchPython } from './torch-python.ts';
import type { CellResult, OkCell } from '../src/results/cell-result.ts';
import { readResults } from '../src/results/jsonl.ts';
import { readRunRecord } from '../src/results/run-record.ts';
import { runCell } from '../src/runner/run-cell.ts';
import { runSuite } from '../src/runner/run-suite.ts';
import { nodeWorkerExecutor } from '../src/runner/tfjs-executor.ts';
import { selectCells } from '../src/suite/select.ts';
import { fakeExecutor, type FakeBehaviour } from './fake-executor.ts';
import { tempDir } from './temp-dir.ts';
import { torchSkip } from './torch-required.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const TWO = 'test/fixtures/suites/two-cell.ts';
const FOUR = fileURLToPath(new URL('./fixtures/suites/four-cell.ts', import.meta.url));
const FAULTY_WORKER = fileURLToPath(new URL('./fixtures/faulty-worker.ts', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every line through the result schema: the file stays valid whatever happened. */
function results(out: string): CellResult[] {
  const read = readResults(join(out, 'results.jsonl'));
  assert.equal(read.truncatedLine, null);
  return read.results;
}

function ok(r: CellResult | undefined): OkCell {
  assert.equal(r?.status, 'ok', JSON.stringify(r));
  return r as OkCell;
}

const tmp = () => tempDir('mobius-run-');

const torchPython = await sharedTorchPython();
const torchMissing = torchSkip(torchPython instanceof Error ? `no Python with torch: ${torchPython.message}` : false, 'the torch cell through the runner');

// ── end to end: the CLI and the tfjs worker ─────────────────────────────

test('a two-cell suite runs end to end on wasm', () => {
  const out = tmp();
  const r = cli(['run', TWO, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual([summary.selected, summary.ok, summary.failed, summary.interrupted], [2, 2, 0, false]);
  const lines = results(out);
  const dry = JSON.parse(cli(['run', TWO, '--dry-run', '--json']).stdout) as Array<{ id: string }>;
  assert.deepEqual(lines.map((l) => l.id), dry.map((c) => c.id));
  for (const l of lines.map(ok)) {
    assert.equal(l.stepMs.length, 2);
    assert.equal(l.loss.length, 2);
    assert.ok(l.stats.medianMs > 0 && l.stats.samplesPerSecond > 0);
    assert.equal(l.memory.source, 'tensors');
    if (l.memory.source !== 'tensors') continue;
    assert.ok(l.memory.peakBytes > l.memory.startBytes && l.memory.rssPeakBytes > l.memory.peakBytes / 10);
    assert.equal(l.memory.peakAboveStartBytes, l.memory.peakBytes - l.memory.startBytes);
    assert.ok(l.startup && l.startup.importMs > 0 && l.startup.buildMs > 0);
    assert.equal(l.gpu, null);
    assert.equal(l.backend.name, 'wasm');
    assert.equal(l.params.trainable + l.params.frozen, l.params.total);
  }
  // As written: the statistics a reader derives are the ones on the line.
  const raw = JSON.parse(readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n')[0]!);
  assert.deepEqual(raw.stats, ok(lines[0]).stats);
  const parallel = ok(lines.find((l) => l.config.mode === 'delta-parallel'));
  const serial = ok(lines.find((l) => l.config.mode === 'delta-serial'));
  assert.equal(parallel.params.spatial, serial.params.spatial);
  const run = readRunRecord(out);
  assert.equal(run.suite.name, 'two-cell');
  assert.match(run.suite.sha256, /^[0-9a-f]{64}$/);
  assert.ok(run.endedAt && !run.interrupted);
  assert.ok(run.notes.some((n) => n.includes('nvidia-smi not found')));
  assert.equal(run.environment.node, process.version);
  // A second run into the same folder would mix runs: refused.
  const again = cli(['run', TWO, '--out', out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds results\.jsonl: use --resume/);
});

test('MOBIUS_BENCH_TRACKER=0: the run finishes, its cell says memory was not tracked, the reports are written', () => {
  const out = tmp();
  const r = cli(['run', TWO, '--out', out, '--filter', 'mode=delta-parallel'], { MOBIUS_BENCH_TRACKER: '0' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /ok .*memory not tracked/);
  const [cell] = results(out).map(ok);
  assert.equal(cell!.memory.source, 'untracked');
  assert.ok(cell!.memory.rssPeakBytes > 0);
  assert.deepEqual(cell!.stepPeakBytes, []);
  assert.match(readFileSync(join(out, 'results.csv'), 'utf8'), /delta-parallel/);
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /1 ok, 0 failed of 1 cell/);
});

test('SIGINT stops the run: exit 130, the current cell unrecorded, run.json says interrupted; the printed resume command keeps the filter', async () => {
  const out = tmp();
  const child = spawn(process.execPath, [BIN, 'run', TWO, '--out', out, '--filter', 'mode=delta-parallel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/\[1\/1\] .* …/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.on('exit', (c) => resolve(c));
  });
  assert.equal(code, 130, stderr);
  assert.equal(readRunRecord(out).interrupted, true);
  const printed = /resume with: (.* run .* --resume \S+)\n/.exec(stderr);
  assert.ok(printed, stderr);
  // The command as printed, typed into a shell where the user stands, listing what it
  // would run: the filtered cell only, not the suite's two.
  const dry = spawnSync('sh', ['-c', `${printed[1]} --dry-run --json`], { encoding: 'utf8' });
  assert.equal(dry.status, 0, dry.stderr);
  const cells = JSON.parse(dry.stdout) as Array<{ config: { mode: string } }>;
  assert.deepEqual(cells.map((c) => c.config.mode), ['delta-parallel']);
});

test('run flags: a bad filter, shard or suite is one line and exit 2', () => {
  for (const [args, message] of [
    [['run', TWO, '--filter', 'color=red'], /--filter 'color=red'/],
    [['run', TWO, '--shard', '3/2'], /--shard '3\/2'/],
    [['run', 'suites/none.ts'], /no such suite file/],
    [['run', TWO, '--resume', tmp()], /no run\.json/],
  ] as Array<[string[], RegExp]>) {
    const r = cli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('with nvidia-smi on PATH (a fake), every cell carries GPU figures; unmatched pids fall back to the device', () => {
  const bin = tmp();
  symlinkSync(fileURLToPath(new URL('./fixtures/fake-nvidia-smi.mjs', import.meta.url)), join(bin, 'nvidia-smi'));
  const out = tmp();
  const r = cli(['run', TWO, '--out', out, '--filter', 'mode=delta-parallel'], { PATH: `${bin}:${process.env['PATH']}`, FAKE_SMI_GPUS: '1' });
  assert.equal(r.code, 0, r.stderr);
  const [cell] = results(out);
  const gpu = cell!.gpu!;
  assert.ok(gpu, 'gpu figures recorded');
  assert.equal(gpu.devices[0]!.name, 'NVIDIA H100 80GB HBM3');
  assert.equal(gpu.baselineMiB, 1024);
  assert.ok(gpu.devicePeakMiB > gpu.baselineMiB);
  assert.equal(gpu.devicePeakAboveBaselineMiB, gpu.devicePeakMiB - gpu.baselineMiB);
  // The fake reports another pid than the worker's: the container case.
  assert.equal(gpu.processMatched, false);
  assert.equal(gpu.processPeakMiB, gpu.devicePeakAboveBaselineMiB);
  assert.match(gpu.note!, /not matched to worker pid/);
  assert.ok(gpu.timeline.length > 0);
  assert.ok(!readRunRecord(out).notes.some((n) => n.includes('nvidia-smi not found')));
});

test('a torch cell runs through the same runner: the torch worker process, its JSON lines, the result schema; a CUDA suite runs on the CPU with --device cpu', { skip: torchMissing }, async () => {
  const out = tmp();
  const notices: string[] = [];
  const summary = await runSuite({ suiteFile: 'test/fixtures/suites/torch-one-cell.ts', out, json: true, torchDevice: 'cpu', onNotice: (line) => notices.push(line) });
  const [cell] = results(out).map(ok);
  assert.equal(summary.ok, 1, JSON.stringify(cell));
  assert.equal(cell!.config.device, 'cpu');
  assert.equal(cell!.backend.name, 'torch');
  assert.equal(cell!.backend.device, 'cpu');
  const record = readRunRecord(out);
  assert.equal(record.options?.torchDevice, 'cpu');
  assert.match(notices.join('\n'), /--device cpu: the torch cells run on the CPU instead of the suite's device \(cuda\): step times are the CPU's/);
  assert.ok(record.notes.some((n) => n.startsWith('--device cpu:')), record.notes.join('\n'));
  assert.equal(cell!.memory.source, 'rss');
  assert.equal(cell!.stepMs.length, 2);
  assert.ok(cell!.startup && cell!.startup.importMs > 0);
});

// ── real processes: a test-only worker ─────────────────────────────────

test('a worker process that throws, one killed and one past its timeout are failed cells; the other completes', async () => {
  const out = tmp();
  const executor = nodeWorkerExecutor(FAULTY_WORKER, 'faulty worker', {
    ...process.env,
    MOBIUS_TEST_FAULT: 'delta-serial b1 :throw;delta-parallel b1 :kill;delta-serial b2 :hang',
  });
  const summary = await runSuite({ suiteFile: FOUR, out, json: true, executor });
  assert.deepEqual([summary.ok, summary.failed], [1, 3]);
  const byLabel = new Map(results(out).map((l) => [l.label, l]));
  const failure = (label: string) => {
    const r = byLabel.get(label);
    assert.equal(r?.status, 'failed', label);
    return r?.status === 'failed' ? r.error : null;
  };
  assert.equal(failure('tiny delta-serial b1 a1 2f 32px')?.reason, 'error');
  assert.match(failure('tiny delta-serial b1 a1 2f 32px')!.message, /injected fault/);
  assert.equal(failure('tiny delta-parallel b1 a1 2f 32px')?.reason, 'killed');
  assert.match(failure('tiny delta-parallel b1 a1 2f 32px')!.stderrTail, /faulty worker: cell .*: kill/);
  assert.equal(failure('tiny delta-serial b2 a1 2f 32px')?.reason, 'timeout');
  assert.match(failure('tiny delta-serial b2 a1 2f 32px')!.message, /timeout of 4 s: the faulty worker was killed/);
  ok(byLabel.get('tiny delta-parallel b2 a1 2f 32px'));
});

// ── in-process: the fake executor ──────────────────────────────────────

test('every way a worker can end becomes the cell\'s result, with its reason', async () => {
  const { selected } = await selectCells({ suiteFile: FOUR });
  const cell = selected[0]!;
  const run = (what: FakeBehaviour, timeoutMs = 5000) => runCell(cell, fakeExecutor(() => what), { timeoutMs, sampler: null });
  const done = ok(await run('ok'));
  assert.deepEqual(done.stats.medianMs, done.stepMs[1]);
  assert.equal(done.label, 'tiny delta-serial b1 a1 2f 32px');
  const failed = async (what: FakeBehaviour, timeoutMs?: number) => {
    const r = await run(what, timeoutMs);
    assert.equal(r.status, 'failed', what);
    return r.status === 'failed' ? r.error : null;
  };
  assert.deepEqual(await failed('throw'), { reason: 'error', message: `fault in cell ${cell.id}`, stderrTail: '' });
  assert.deepEqual(await failed('crash'), { reason: 'crashed', message: 'the fake worker exited with code 1 before reporting a result', stderrTail: 'Traceback: the fake worker crashed\n' });
  assert.equal((await failed('killed'))?.reason, 'killed');
  const t0 = performance.now();
  const hung = await failed('hang', 50);
  assert.ok(performance.now() - t0 < 2000);
  assert.deepEqual([hung?.reason, hung?.message], ['timeout', 'no result within the cell timeout of 0.05 s: the fake worker was killed']);
  const malformed = await failed('malformed');
  assert.equal(malformed?.reason, 'error');
  assert.match(malformed!.message, /the fake worker sent a message that does not fit the protocol: outcome\.stepMs: /);
});

test('an interrupt stops the run with its finished cells on disk; --resume runs each missing cell once', async () => {
  const out = tmp();
  const interrupt = new AbortController();
  let starts = 0;
  const first = fakeExecutor(() => 'ok', {
    onStart: () => {
      // During the third cell, after two have finished.
      if (++starts === 3) interrupt.abort();
    },
  });
  const one = await runSuite({ suiteFile: FOUR, out, json: true, executor: first, signal: interrupt.signal });
  assert.deepEqual([one.ran, one.interrupted], [2, true]);
  assert.equal(results(out).length, 2);
  assert.equal(readRunRecord(out).interrupted, true);

  // A crash mid-write left half a line: resume drops it and runs that cell again.
  appendFileSync(join(out, 'results.jsonl'), '{"schema":1,"id":"abc","lab');
  const second = fakeExecutor();
  const two = await runSuite({ suiteFile: FOUR, resume: out, json: true, executor: second });
  assert.deepEqual([two.alreadyDone, two.ran, two.interrupted], [2, 2, false]);
  const { selected } = await selectCells({ suiteFile: FOUR });
  assert.deepEqual(second.started, selected.slice(2).map((c) => c.id));
  assert.deepEqual(results(out).map((r) => r.id), selected.map((c) => c.id));
  const record = readRunRecord(out);
  assert.equal(record.resumes.length, 1);
  assert.equal(record.interrupted, false);
});

test('shards split the cells round-robin: each cell in exactly one, in suite order', async () => {
  const root = tmp();
  const { selected } = await selectCells({ suiteFile: FOUR });
  const ran: string[][] = [];
  for (const shard of ['1/3', '2/3', '3/3']) {
    const executor = fakeExecutor();
    await runSuite({ suiteFile: FOUR, shard, out: join(root, shard.replace('/', 'of')), json: true, executor });
    ran.push(executor.started);
  }
  assert.deepEqual(ran, [[selected[0]!.id, selected[3]!.id], [selected[1]!.id], [selected[2]!.id]]);
});

test('--skip-unfit: cells planned not to fit the device are listed in run.json and never started', async () => {
  const out = tmp();
  const executor = fakeExecutor();
  const summary = await runSuite({ suiteFile: TWO, out, json: true, executor, skipUnfit: true, device: '0.0001gib' });
  assert.deepEqual([summary.skippedUnfit, summary.ran], [2, 0]);
  assert.deepEqual(executor.started, []);
  const record = readRunRecord(out);
  assert.equal(record.skipped?.length, 2);
  assert.match(record.skipped![0]!.reason, /planned peak .* GiB exceeds 0\.0001gib/);
});

test("the torch worker's messages (python/mobius_bench_torch/worker.py) fit the protocol and the result schema", async () => {
  const { selected } = await selectCells({ suiteFile: FOUR });
  const cell = selected[1]!;
  const torchOutcome = {
    backend: {
      requested: 'torch', name: 'torch', package: 'torch', version: '2.5.1+cu124', gpu: true, patches: [], device: 'cuda',
      deviceName: 'NVIDIA H100 80GB HBM3', cuda: '12.4', cudnn: 90100, attention: 'sdpa', tf32: true, precision: 'bf16', frozenWeights: 'bf16',
      python: '3.11.9', interpreter: '/usr/bin/python3',
    },
    params: { spatial: 792964, temporal: 471872, extra: 4384, total: 1269220, trainable: 476256, frozen: 792964 },
    stepMs: [31.5, 30.9, 31.1],
    loss: [1.02, null, 0.98],
    stepPeakBytes: [2_000_000, 2_000_000, 2_000_000],
    memory: {
      source: 'cuda-allocated', startBytes: 1_000_000, peakBytes: 2_000_000, weightsBytes: 600_000, gradientBytes: 100_000, optimizerBytes: 300_000,
      workingBytes: 1_000_000, reservedPeakBytes: 4_194_304, rssPeakBytes: 900_000_000,
    },
    startup: { importMs: 1200.5, buildMs: 80.2 },
  };
  const messages = [
    { type: 'progress', phase: 'build', step: 1, of: 1 },
    { type: 'measure-start', t: Date.now() },
    { type: 'progress', phase: 'measure', step: 1, of: 3 },
    { type: 'measure-end', t: Date.now(), steps: 3 },
    { type: 'done', outcome: torchOutcome },
  ];
  const executor = {
    name: 'torch worker',
    start(_cell: unknown, onMessage: (m: unknown) => void) {
      setTimeout(() => messages.forEach(onMessage), 1);
      return { pid: undefined, exited: new Promise<{ code: number; signal: null }>((r) => setTimeout(() => r({ code: 0, signal: null }), 5)), kill() {}, outputTail: () => '' };
    },
  };
  const r = ok(await runCell(cell, executor, { timeoutMs: 5000, sampler: null }));
  assert.equal(r.backend.name, 'torch');
  if (r.backend.name === 'torch') assert.equal(r.backend.deviceName, 'NVIDIA H100 80GB HBM3');
  const { workingBytes, ...memory } = torchOutcome.memory;
  assert.deepEqual(r.memory, { ...memory, peakAboveStartBytes: workingBytes }, 'workingBytes is read as peakAboveStartBytes');
  assert.deepEqual(r.loss, [1.02, null, 0.98]);
  assert.equal(r.stats.medianMs, 31.1);
});

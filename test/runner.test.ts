// The runner end to end, through the CLI: results on disk as cells end,
// failing workers recorded as failed cells, SIGINT then --resume.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CellResult } from '../src/results/schema.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const TWO = 'test/fixtures/suites/two-cell.ts';
const SIX = 'test/fixtures/suites/six-cell.ts';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function results(out: string): CellResult[] {
  // Every line must parse: the file stays valid JSONL whatever happened.
  return readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CellResult);
}

const tmp = () => mkdtempSync(join(tmpdir(), 'mobius-run-'));

test('a two-cell suite runs end to end on wasm', () => {
  const out = tmp();
  const r = cli(['run', TWO, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual([summary.selected, summary.ok, summary.failed, summary.interrupted], [2, 2, 0, false]);
  const lines = results(out);
  const dry = JSON.parse(cli(['run', TWO, '--dry-run', '--json']).stdout) as Array<{ id: string }>;
  assert.deepEqual(lines.map((l) => l.id), dry.map((c) => c.id));
  for (const l of lines) {
    assert.equal(l.status, 'ok');
    assert.equal(l.stepMs.length, 2);
    assert.equal(l.loss.length, 2);
    assert.ok(l.stats!.medianMs > 0 && l.stats!.samplesPerSecond > 0);
    assert.ok(l.memory!.peakBytes > l.memory!.startBytes && l.memory!.rssPeakBytes > l.memory!.peakBytes / 10);
    assert.equal(l.gpu, null);
    assert.equal(l.backend!.name, 'wasm');
  }
  const parallel = lines.find((l) => l.config.mode === 'delta-parallel')!;
  const serial = lines.find((l) => l.config.mode === 'delta-serial')!;
  assert.equal(parallel.params!.spatial, serial.params!.spatial);
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(run.suite.name, 'two-cell');
  assert.match(run.suite.sha256, /^[0-9a-f]{64}$/);
  assert.ok(run.endedAt && !run.interrupted);
  assert.ok(run.notes.some((n: string) => n.includes('nvidia-smi not found')));
  assert.equal(run.environment.node, process.version);
  // A second run into the same folder would mix runs: refused.
  const again = cli(['run', TWO, '--out', out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds results\.jsonl: use --resume/);
});

test('a worker that throws, one killed mid-cell and one past its timeout are failed cells; the others complete', () => {
  const out = tmp();
  const fault = 'delta-serial b1 :throw@start;delta-parallel b2 :crash@step;delta-serial b3 :hang@step';
  const r = cli(['run', SIX, '--out', out], { MOBIUS_BENCH_FAULT: fault });
  assert.equal(r.code, 1, r.stderr);
  const lines = results(out);
  assert.equal(lines.length, 6);
  const byLabel = new Map(lines.map((l) => [l.label, l]));
  const reason = (label: string) => byLabel.get(label)!.error?.reason;
  assert.equal(reason('tiny delta-serial b1 a1 2f 32px'), 'error');
  assert.match(byLabel.get('tiny delta-serial b1 a1 2f 32px')!.error!.message, /injected fault/);
  assert.equal(reason('tiny delta-parallel b2 a1 2f 32px'), 'killed');
  assert.equal(reason('tiny delta-serial b3 a1 2f 32px'), 'timeout');
  assert.equal(lines.filter((l) => l.status === 'ok').length, 3);
  for (const l of lines.filter((x) => x.status === 'failed')) assert.equal(typeof l.error!.stderrTail, 'string');
});

test('SIGINT stops the run with its finished cells on disk; --resume runs each missing cell once', async () => {
  const out = tmp();
  const child = spawn(process.execPath, [BIN, 'run', SIX, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Interrupt during the third cell, after two have finished.
      if (/\[3\/6\] .* …/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.on('exit', (c) => resolve(c));
  });
  assert.equal(code, 130, stderr);
  const partial = results(out);
  assert.ok(partial.length >= 2 && partial.length < 6, `${partial.length} cells before the interrupt`);
  assert.equal(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).interrupted, true);
  assert.match(stderr, /resume with: mobius-bench run .* --resume /);

  const r = cli(['run', SIX, '--resume', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).alreadyDone, partial.length);
  const all = results(out);
  const dry = JSON.parse(cli(['run', SIX, '--dry-run', '--json']).stdout) as Array<{ id: string }>;
  assert.deepEqual([...all.map((l) => l.id)].sort(), dry.map((c) => c.id).sort());
  assert.equal(new Set(all.map((l) => l.id)).size, 6);
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(run.resumes.length, 1);
  assert.equal(run.interrupted, false);
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

test('with nvidia-smi on PATH (a fake), every cell carries GPU figures; unmatched pids fall back to the device', async () => {
  const { symlinkSync } = await import('node:fs');
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
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.ok(!run.notes.some((n: string) => n.includes('nvidia-smi not found')));
});

// The command line as a user runs it: JSON outputs, and one clear line with
// exit code 2 for every mistake a user can make.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('params --json gives per-group counts for both networks', () => {
  const r = cli('params', '--preset', 'sd21', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.preset, 'sd21');
  assert.equal(report.serial.spatial, 865_910_724);
  assert.equal(report.serial.trainable.delta, report.serial.temporal);
  assert.equal(report.parallel.trainable.delta, report.parallel.temporal + report.parallel.extra);
  assert.equal(report.parallel.total, report.parallel.spatial + report.parallel.temporal + report.parallel.extra);
});

test('step --json trains on wasm and reports times, losses and unique-buffer memory', () => {
  const r = cli('step', '--preset', 'tiny', '--mode', 'delta-parallel', '--frames', '2', '--size', '32', '--steps', '2', '--warmup', '1', '--accum', '2', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.backend.name, 'wasm');
  assert.ok(report.backend.patches.some((p: string) => p.startsWith('Conv2DBackpropFilter')));
  assert.deepEqual([report.config.batch, report.config.accum, report.config.frames, report.config.size], [1, 2, 2, 32]);
  assert.equal(report.stepMs.length, 2);
  assert.equal(report.loss.length, 2);
  assert.ok(report.loss.every((l: number) => Number.isFinite(l) && l > 0));
  const m = report.memory;
  assert.equal(m.weightsBytes, 4 * report.params.total);
  assert.ok(m.peakBytes > m.startBytes && m.startBytes >= m.weightsBytes + m.optimizerBytes);
});

const MISTAKES: Array<[string[], RegExp]> = [
  [['step', '--preset', 'huge', '--mode', 'full'], /--preset must be one of tiny, small, sd21/],
  [['step', '--preset', 'tiny', '--mode', 'lora'], /--mode must be one of full, delta-serial, delta-parallel/],
  [['step', '--preset', 'tiny', '--mode', 'full', '--batch', '0'], /--batch must be a positive integer/],
  [['step', '--preset', 'tiny', '--mode', 'full', '--size', '40'], /size 40 px does not fit.*multiple of 16/],
  [['step', '--preset', 'tiny', '--mode', 'full', '--backend', 'tensorflow'], /npm install @tensorflow\/tfjs-node-gpu/],
  [['params', '--preset', 'nope'], /--preset/],
  [['params'], /--preset/],
];

for (const [args, message] of MISTAKES) {
  test(`mobius-bench ${args.join(' ')} → one line, exit 2`, () => {
    const r = cli(...args);
    assert.equal(r.code, 2, `stdout: ${r.stdout} stderr: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
}

test('--version prints the package version; a --filter that matches no cell is exit 2', () => {
  const v = cli('--version');
  assert.equal(v.code, 0);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
  for (const args of [['run', 'suites/smoke.ts', '--filter', 'mode=nope'], ['run', 'suites/smoke.ts', '--dry-run', '--filter', 'batch=7']]) {
    const r = cli(...args);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mobius-bench: --filter '.*': no cell of suite 'smoke' matches/);
  }
});

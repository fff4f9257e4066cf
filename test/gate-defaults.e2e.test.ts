// The gate's defaults on real runs: two runs of one unchanged build pass,
// and a planted regression (an extra buffer, a slowdown) still fails.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareCommand, type CompareIo } from '../src/cli/compare-command.ts';
import { runSuite } from '../src/runner/run-suite.ts';
import { tempDir } from './temp-dir.ts';

const root = tempDir('mobius-gate-defaults-');

function quiet(): CompareIo & { out: () => string } {
  let out = '';
  return { stdout: (t) => void (out += t), stderr: () => {}, env: {}, out: () => out };
}

/** Rewrites every result line of a run folder's results.jsonl. */
function editResults(runDir: string, edit: (line: Record<string, any>, i: number) => void): void {
  const file = join(runDir, 'results.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  lines.forEach(edit);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

test('two smoke runs of one build at --steps 10 compare with exit 0; a planted extra buffer or slowdown exits 1', async () => {
  // Two modes of the smoke suite keep the test short; `full` is the one whose RSS moved most.
  const opts = { suiteFile: 'suites/smoke.ts', steps: 10, filter: 'mode=full|delta-parallel', json: true };
  const first = await runSuite({ ...opts, out: join(root, 'first') });
  const second = await runSuite({ ...opts, out: join(root, 'second') });
  assert.equal(first.ok + second.ok, 4);

  const unchanged = quiet();
  assert.equal(await compareCommand(first.out, second.out, {}, unchanged), 0, unchanged.out());

  const extraBuffer = join(root, 'extra-buffer');
  cpSync(second.out, extraBuffer, { recursive: true });
  editResults(extraBuffer, (l, i) => {
    if (i === 0) l['memory'].peakBytes += 4;
  });
  const buffer = quiet();
  assert.equal(await compareCommand(first.out, extraBuffer, {}, buffer), 1);
  assert.match(buffer.out(), /FAIL: 1 regression/);

  // Three times the baseline's own steps: a slowdown of this build, not of whatever else the machine ran meanwhile.
  const baselineSteps = readFileSync(join(first.out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { stepMs: number[] }).stepMs);
  const slowdown = join(root, 'slowdown');
  cpSync(second.out, slowdown, { recursive: true });
  editResults(slowdown, (l, i) => {
    if (i === 1) l['stepMs'] = baselineSteps[1]!.map((ms) => ms * 3);
  });
  const slow = quiet();
  assert.equal(await compareCommand(first.out, slowdown, {}, slow), 1);
  assert.match(slow.out(), /FAIL: 1 regression/);
});

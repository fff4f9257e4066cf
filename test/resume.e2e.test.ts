// --resume repeats how the run was started: run.json records the filter,
// shard, backend, step counts and planning; resuming runs exactly the cells
// left, measured as the finished ones were; a contradicting flag is refused;
// --dry-run --resume lists only what is left.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readRunRecord } from '../src/results/run-record.ts';
import { resumeOptions } from '../src/runner/resume.ts';
import { runSuite, type RunOptions } from '../src/runner/run-suite.ts';
import { selectCells } from '../src/suite/select.ts';
import { UserError } from '../src/user-error.ts';
import { fakeExecutor } from './fake-executor.ts';
import { tempDir } from './temp-dir.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const FOUR = fileURLToPath(new URL('./fixtures/suites/four-cell.ts', import.meta.url));

/** A run of FOUR's batch-1 cells with 2 steps, interrupted after its first cell. */
async function interruptedRun(): Promise<{ out: string; left: string[]; first: string }> {
  const out = join(tempDir('mobius-resume-'), 'run');
  const interrupt = new AbortController();
  let starts = 0;
  const executor = fakeExecutor(() => 'ok', { onStart: () => (++starts === 2 ? interrupt.abort() : undefined) });
  const summary = await runSuite({ suiteFile: FOUR, out, filter: 'batch=1', steps: 2, json: true, executor, signal: interrupt.signal });
  assert.deepEqual([summary.selected, summary.ran, summary.interrupted], [2, 1, true]);
  const { selected } = await selectCells({ suiteFile: FOUR, filter: 'batch=1' });
  return { out, first: selected[0]!.id, left: selected.slice(1).map((c) => c.id) };
}

test('run.json records the options; --resume alone runs only the filtered cells left, with the same step counts', async () => {
  const { out, left } = await interruptedRun();
  assert.deepEqual(readRunRecord(out).options, { backend: null, steps: 2, warmup: null, plan: false, skipUnfit: false, device: null, torchDevice: null, memoryCapBytes: null, nodes: null });
  const stepsSeen: number[] = [];
  const executor = fakeExecutor(() => 'ok', { onStart: (cell) => stepsSeen.push(cell.config.steps) });
  const summary = await runSuite({ suiteFile: FOUR, resume: out, json: true, executor });
  assert.deepEqual(executor.started, left);
  assert.deepEqual(stepsSeen, [2]);
  assert.deepEqual([summary.selected, summary.alreadyDone, summary.ran], [2, 1, 1]);
});

test('--resume refuses a flag that contradicts the run, and --out; the same value is accepted', async () => {
  const { out } = await interruptedRun();
  const refused: Array<[Record<string, unknown>, RegExp]> = [
    [{ steps: 5 }, /the run was started with --steps 2, and --steps 5 would change which cells run or how they are measured; drop it/],
    [{ filter: 'batch=2' }, /started with --filter batch=1, and --filter batch=2/],
    [{ shard: '1/2' }, /started without --shard, and --shard 1\/2/],
    [{ backend: 'cpu' }, /started without --backend, and --backend cpu/],
    [{ torchDevice: 'cpu' }, /started without --device, and --device cpu/],
    [{ out: join(out, 'elsewhere') }, /writes into that run folder: drop --out/],
  ];
  for (const [flags, message] of refused) {
    assert.throws(() => resumeOptions({ suiteFile: FOUR, resume: out, ...flags }), (err: Error) => err instanceof UserError && message.test(err.message), JSON.stringify(flags));
  }
  assert.deepEqual(resumeOptions<RunOptions>({ suiteFile: FOUR, resume: out, steps: 2, out }).filter, 'batch=1');
});

test('run --dry-run --resume lists only the cells left, through the CLI', async () => {
  const { out, left, first } = await interruptedRun();
  const r = spawnSync(process.execPath, [BIN, 'run', FOUR, '--dry-run', '--json', '--resume', out], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const listed = (JSON.parse(r.stdout) as Array<{ id: string }>).map((c) => c.id);
  assert.deepEqual(listed, left);
  assert.ok(!listed.includes(first));
  const conflict = spawnSync(process.execPath, [BIN, 'run', FOUR, '--resume', out, '--warmup', '3'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(conflict.status, 2);
  assert.match(conflict.stderr, /^mobius-bench: --resume .*: the run was started without --warmup, and --warmup 3 would change/);
});

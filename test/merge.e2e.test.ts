// Merging shard run folders: the unsharded set and order of cells, a run.json
// that says where each part came from, and errors for duplicate cells,
// repeated shards, other suites and other splits.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareCommand, type CompareIo } from '../src/cli/compare-command.ts';
import { mergeCommand } from '../src/cli/merge-command.ts';
import type { CellResult } from '../src/results/cell-result.ts';
import { readResults } from '../src/results/jsonl.ts';
import { readRunRecord, type RunRecord } from '../src/results/run-record.ts';
import { mergeRuns } from '../src/results/merge-runs.ts';
import { runSuite } from '../src/runner/run-suite.ts';
import { selectCells } from '../src/suite/select.ts';
import { UserError } from '../src/user-error.ts';
import { fakeExecutor } from './fake-executor.ts';
import { tempDir } from './temp-dir.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/runs/cpu-wasm', import.meta.url));
const SIX = fileURLToPath(new URL('./fixtures/suites/six-cell.ts', import.meta.url));

function tmp(): string {
  return tempDir('mobius-merge-');
}

/** The lines as written (merge copies them unchanged). */
function lines(dir: string): Array<CellResult & Record<string, unknown>> {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as CellResult & Record<string, unknown>);
}

function results(dir: string): CellResult[] {
  return readResults(join(dir, 'results.jsonl')).results;
}

const quiet: CompareIo = { stdout: () => {}, stderr: () => {}, env: {} };

/** Splits the fixture run as `run --shard k/n` would have: round-robin over its cells. */
function fakeShards(n: number, edit: (k: number, record: RunRecord, cells: CellResult[]) => void = () => {}): string[] {
  const record = readRunRecord(FIXTURE);
  const all = lines(FIXTURE);
  const root = tmp();
  return Array.from({ length: n }, (_, i) => {
    const k = i + 1;
    const dir = join(root, `shard-${k}`);
    mkdirSync(dir);
    const ids = record.cells.filter((_, j) => j % n === k - 1);
    const cells = all.filter((r) => ids.includes(r.id));
    const rec: RunRecord = structuredClone({ ...record, cells: ids, shard: `${k}/${n}`, startedAt: `2026-11-25T18:0${k}:00.000Z`, endedAt: `2026-11-25T19:0${k}:00.000Z` });
    edit(k, rec, cells);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(rec));
    writeFileSync(join(dir, 'results.jsonl'), cells.map((c) => `${JSON.stringify(c)}\n`).join(''));
    return dir;
  });
}

test('merging shards gives the unsharded cells, in the unsharded order, whatever the argument order', async () => {
  for (const n of [2, 3]) {
    const shards = fakeShards(n);
    const out = join(tmp(), 'merged');
    const message = await mergeCommand([...shards].reverse(), { out });
    assert.match(message, new RegExp(`merged 24 cells from ${n} run folders into `));
    assert.deepEqual(lines(out), lines(FIXTURE), 'the lines as the shards wrote them');
    const rec = readRunRecord(out);
    const orig = readRunRecord(FIXTURE);
    assert.deepEqual(rec.cells, orig.cells);
    assert.equal(rec.shard, null);
    assert.deepEqual(rec.suite, orig.suite);
    assert.equal(rec.startedAt, '2026-11-25T18:01:00.000Z');
    assert.equal(rec.endedAt, `2026-11-25T19:0${n}:00.000Z`);
    assert.ok(rec.notes.some((note) => note.startsWith(`merged from ${n} run folders`) && note.includes(`(shard 1/${n})`)));
    assert.equal(await compareCommand(FIXTURE, out, {}, quiet), 0, 'the merged run compares clean with the unsharded one');
  }
});

test('a cell in two shards is an error naming it', () => {
  const shards = fakeShards(2, (k, rec, cells) => {
    if (k === 2) {
      const dup = results(FIXTURE)[0]!;
      cells.push(dup);
      rec.cells.push(dup.id);
    }
  });
  assert.throws(() => mergeRuns(shards, join(tmp(), 'm')), (err: Error) => err instanceof UserError && /cell cf1c15a271ea \(small full b1 a1 8f 96px\) is in .*shard-1 and in .*shard-2/.test(err.message));
});

test('a shard whose last line was cut off is refused, with the command that finishes it', () => {
  const shards = fakeShards(2);
  writeFileSync(join(shards[1]!, 'results.jsonl'), `${readFileSync(join(shards[1]!, 'results.jsonl'), 'utf8')}{"id": "cut`);
  assert.throws(() => mergeRuns(shards, join(tmp(), 'm')), (err: Error) => err instanceof UserError
    && err.message.includes(`a cut-off last line; finish that shard first (mobius-bench run ${readRunRecord(FIXTURE).suite.path} --resume ${shards[1]})`));
});

test('conflicting parts are errors: the same shard twice, another split, another suite, other settings, an existing output', () => {
  const out = () => join(tmp(), 'm');
  const twice = fakeShards(2, (k, rec, cells) => {
    if (k === 2) {
      rec.shard = '1/2';
      cells.length = 0;
    }
  });
  assert.throws(() => mergeRuns(twice, out()), /are both shard 1\/2/);
  const a = fakeShards(2);
  const b = fakeShards(3);
  assert.throws(() => mergeRuns([a[0]!, b[1]!], out()), /shards of different splits/);
  const other = fakeShards(2, (k, rec) => {
    if (k === 2) rec.suite = { ...rec.suite, name: 'smoke' };
  });
  assert.throws(() => mergeRuns(other, out()), /suite 'smoke'/);
  const redefined = fakeShards(2, (k, rec) => {
    if (k === 2) rec.suite = { ...rec.suite, definition: { ...rec.suite.definition, seed: 1 } };
  });
  assert.throws(() => mergeRuns(redefined, out()), /different definitions of suite 'cpu'/);
  const steps = fakeShards(2, (k, _rec, cells) => {
    if (k === 2) for (const c of cells) c.config = { ...c.config, steps: 10 };
  });
  assert.throws(() => mergeRuns(steps, out()), /was measured with .*"steps":10/);
  const filtered = fakeShards(2, (k, rec) => {
    if (k === 2) rec.filter = 'mode=full';
  });
  assert.throws(() => mergeRuns(filtered, out()), /filtered by/);
  assert.throws(() => mergeRuns([a[0]!, a[0]!], out()), /given twice/);
  assert.throws(() => mergeRuns([a[0]!, a[1]!], a[0]!), /is one of the inputs/);
  assert.throws(() => mergeRuns([a[0]!, a[1]!], FIXTURE), /already holds a run/);
  assert.throws(() => mergeRuns([], out()), UserError);
  assert.throws(() => mergeRuns([tmp()], out()), /no run\.json/);
});

test('a missing shard merges, and run.json and compare say which cells are missing', async () => {
  const shards = fakeShards(3);
  const out = join(tmp(), 'partial');
  const message = await mergeCommand([shards[0]!, shards[2]!], { out });
  assert.match(message, /merged 16 cells .*\(shards missing: 2\/3\)/);
  assert.ok(readRunRecord(out).notes.some((n) => /shards missing from the merge: 2\/3/.test(n)));
  let text = '';
  const io: CompareIo = { stdout: (t) => void (text += t), stderr: () => {}, env: {} };
  // the missing shard's cells fail the gate, unless --allow-missing says a partial run is meant
  assert.equal(await compareCommand(FIXTURE, out, {}, io), 1);
  assert.match(text, /only in the baseline \(8\), a regression/);
  assert.equal(await compareCommand(FIXTURE, out, { allowMissing: true }, io), 0);
  assert.match(text, /only in the baseline \(8\):/);
});

test('shards run by the runner merge into the unsharded run, timestamps aside', async () => {
  const root = tmp();
  const common = { suiteFile: SIX, json: true, executor: fakeExecutor() } as const;
  const { selected } = await selectCells(common);
  const one = await runSuite({ ...common, shard: '1/2', out: join(root, 's1') });
  const two = await runSuite({ ...common, shard: '2/2', out: join(root, 's2') });
  const whole = await runSuite({ ...common, out: join(root, 'all') });
  assert.deepEqual([one.failed, two.failed, whole.failed], [0, 0, 0]);
  const out = join(root, 'merged');
  await mergeCommand([join(root, 's2'), join(root, 's1')], { out });
  const merged = results(out);
  const unsharded = results(join(root, 'all'));
  assert.deepEqual(merged.map((r) => r.id), selected.map((c) => c.id));
  assert.deepEqual(merged.map((r) => r.id), unsharded.map((r) => r.id));
  assert.deepEqual(readRunRecord(out).cells, readRunRecord(join(root, 'all')).cells);
  const timeless = ({ startedAt: _s, endedAt: _e, ...r }: CellResult) => r;
  assert.deepEqual(merged.map(timeless), unsharded.map(timeless));
  assert.equal(await compareCommand(join(root, 'all'), out, {}, quiet), 0);
});

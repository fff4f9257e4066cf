// Out of memory is an answer: the tracker's --memory-cap, which errors mean it
// on TensorFlow.js, the largest-batch search, the size flag, and how reports,
// CSV and the gate show a cell that does not fit.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WASM_HEAP_MAX_BYTES } from '../src/backend/run-backends.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { tf } from '../src/backend/tfjs/tf.ts';
import { memorySize } from '../src/cli/options.ts';
import { loadSnapshot, type Snapshot } from '../src/gate/baseline.ts';
import { compareSnapshots } from '../src/gate/compare.ts';
import { formatMarkdown } from '../src/gate/format-markdown.ts';
import { defaultThresholds } from '../src/gate/thresholds.ts';
import { BufferTracker, TensorMemoryCapExceeded } from '../src/measure/tensor-memory.ts';
import { DEVICES } from '../src/plan/devices.ts';
import { toCsv } from '../src/report/csv.ts';
import { toMarkdown } from '../src/report/markdown.ts';
import { loadReportData } from '../src/report/report-data.ts';
import type { BaselineCell } from '../src/results/baseline-file.ts';
import { searchLargestBatch, type ProbeOutcome } from '../src/runner/batch-search.ts';
import { tfjsOutOfMemory } from '../src/runner/tfjs-out-of-memory.ts';
import { tempDir } from './temp-dir.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/runs/cpu-wasm', import.meta.url));
const OOM = { allocatedBytes: 3_000_000_000, requestedBytes: 2_147_483_648, capBytes: 4_294_967_296, device: 'cuda' };

test('the tracker under a cap: the buffer that crosses it throws, saying what was held and asked', async () => {
  await initBackend('cpu');
  const tracker = new BufferTracker(4096).install();
  try {
    const a = tf.zeros([512]); // 2048 B
    assert.equal(tracker.current, 2048);
    assert.throws(() => tf.zeros([1024]), (err: unknown) => {
      assert.ok(err instanceof TensorMemoryCapExceeded);
      assert.deepEqual([err.heldBytes, err.requestedBytes, err.capBytes], [2048, 4096, 4096]);
      return true;
    });
    assert.equal(tracker.current, 2048, 'a refused buffer holds nothing');
    const b = tf.zeros([512]); // exactly at the cap: allowed
    assert.equal(tracker.peak, 4096);
    a.dispose();
    b.dispose();
  } finally {
    tracker.uninstall();
  }
});

test('TensorFlow.js out of memory: the cap, emscripten and V8 words; a wasm trap only with over half the heap in tensors', () => {
  const cap = tfjsOutOfMemory(new TensorMemoryCapExceeded(10, 20, 25), 'wasm', 30, 25);
  assert.deepEqual(cap, { allocatedBytes: 10, requestedBytes: 20, capBytes: 25, device: 'wasm' });
  assert.ok(tfjsOutOfMemory(new Error('Aborted(OOM). Build with -sASSERTIONS for more info.'), 'wasm', 5, null));
  assert.ok(tfjsOutOfMemory(new RangeError('Array buffer allocation failed'), 'cpu', 5, null));
  const trap = new Error('memory access out of bounds');
  assert.equal(tfjsOutOfMemory(trap, 'wasm', 1_000_000, null), null, 'a trap with little held is a bug, not memory');
  assert.deepEqual(tfjsOutOfMemory(trap, 'wasm', WASM_HEAP_MAX_BYTES * 0.75, null)?.allocatedBytes, WASM_HEAP_MAX_BYTES * 0.75);
  assert.equal(tfjsOutOfMemory(new Error('shapes do not match'), 'cpu', 5, null), null);
});

test('the largest batch: doubling then bisecting, bounded, stopped by another error', async () => {
  const upTo = (limit: number, broken?: number) => async (batch: number): Promise<ProbeOutcome> => (batch === broken ? { error: 'crashed' } : { fits: batch <= limit });
  for (const limit of [0, 1, 2, 5, 6, 7, 8, 40]) {
    const s = await searchLargestBatch(upTo(limit), 64);
    assert.equal(s.largestFit, limit, `limit ${limit}`);
    assert.equal(s.firstUnfit, limit + 1);
    assert.ok(s.probes.length <= 2 * Math.ceil(Math.log2(limit + 1)) + 2, `${s.probes.length} probes for ${limit}`);
    assert.equal(new Set(s.probes.map((p) => p.batch)).size, s.probes.length, 'no batch probed twice');
  }
  const bounded = await searchLargestBatch(upTo(100), 24);
  assert.deepEqual([bounded.largestFit, bounded.firstUnfit, bounded.probes.map((p) => p.batch)], [24, null, [1, 2, 4, 8, 16, 24]]);
  const stopped = await searchLargestBatch(upTo(10, 8), 64);
  assert.deepEqual([stopped.largestFit, stopped.error, stopped.probes.at(-1)?.batch], [4, 'crashed', 8]);
});

test('--memory-cap sizes: binary and decimal units, bytes, device names; anything else names the flag', () => {
  const parse = memorySize('--memory-cap', DEVICES);
  assert.equal(parse('40GiB'), 40 * 2 ** 30);
  assert.equal(parse('512 mib'), 512 * 2 ** 20);
  assert.equal(parse('80GB'), 80e9);
  assert.equal(parse('123456'), 123456);
  assert.equal(parse('a100-40gb'), DEVICES['a100-40gb']);
  for (const bad of ['', '0', '-1GiB', '40 parsecs', 'GiB']) assert.throws(() => parse(bad), /--memory-cap must be a size such as 40GiB/);
});

function oomCell(cell: BaselineCell): BaselineCell {
  return { id: cell.id, label: cell.label, config: cell.config, status: 'failed', error: { reason: 'oom', message: 'CUDA out of memory', oom: OOM } };
}

test('the gate: a cell that stopped fitting is a regression, one that fits now an improvement, neither fitting unchanged', () => {
  const base: Snapshot = loadSnapshot(FIXTURE);
  const cur = structuredClone(base);
  cur.measurements.cells[0] = oomCell(cur.measurements.cells[0]!);
  base.measurements.cells[1] = oomCell(base.measurements.cells[1]!);
  base.measurements.cells[2] = oomCell(base.measurements.cells[2]!);
  cur.measurements.cells[2] = oomCell(cur.measurements.cells[2]!);
  const c = compareSnapshots(base, cur, defaultThresholds());
  assert.equal(c.cells[0]!.verdict, 'regression');
  assert.match(c.cells[0]!.note!, /^does not fit: 3\.00 GB held, 2\.15 GB more asked for, under a 4\.29 GB cap now; it fit on the baseline/);
  assert.equal(c.cells[1]!.verdict, 'improvement');
  assert.match(c.cells[1]!.note!, /fits now; it did not fit on the baseline/);
  assert.equal(c.cells[2]!.verdict, 'unchanged');
  assert.equal(c.exitCode, 1);
  assert.match(formatMarkdown(c), /does not fit/);
});

test('reports and CSV say "does not fit", with what was held', () => {
  const dir = tempDir('mobius-oom-');
  cpSync(FIXTURE, dir, { recursive: true });
  const file = join(dir, 'results.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  const failed = {
    schema: first['schema'], id: first['id'], label: first['label'], config: first['config'], env: 'run.json',
    startedAt: first['startedAt'], endedAt: first['endedAt'], gpu: null, status: 'failed',
    error: { reason: 'oom', message: 'out of memory: CUDA out of memory. Tried to allocate 2.00 GiB', stderrTail: '', oom: OOM },
  };
  writeFileSync(file, [JSON.stringify(failed), ...lines.slice(1)].join('\n') + '\n');
  const data = loadReportData(dir);
  const csvRow = toCsv(data).split('\n').find((l) => l.startsWith(`${String(first['id'])},`))!;
  assert.match(csvRow, /,does-not-fit,0,/);
  assert.match(csvRow, /,oom,"does not fit: 3\.00 GB held/);
  assert.match(toMarkdown(data), new RegExp(`\`${String(first['id'])}\` \\| does not fit \\| does not fit: 3\\.00 GB held, 2\\.15 GB more asked for, under a 4\\.29 GB cap`));
});

// The performance gate: the Mann-Whitney test, thresholds, baselines, the
// comparison's verdicts and exit codes, and its four presentations.
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { median } from 'simple-statistics';
import { seededRandom, stepTimeStats } from '../src/results/stats.ts';
import { fileURLToPath } from 'node:url';
import { compareCommand, type CompareIo } from '../src/cli/compare-command.ts';
import { baselineSaveCommand } from '../src/cli/baseline-command.ts';
import { loadSnapshot, saveBaseline, snapshotFromRun, type Snapshot } from '../src/gate/baseline.ts';
import { readBaselineFile, type BaselineCell, type CompactRun, type OkBaselineCell } from '../src/results/baseline-file.ts';
import { samplesPerStep } from '../src/results/cell-result.ts';
import { type TrackedMemory } from '../src/protocol/worker-outcome.ts';
import { compareSnapshots, stepsNeeded } from '../src/gate/compare.ts';
import { escapeData, escapeProperty, formatAnnotations } from '../src/gate/format-annotations.ts';
import { formatJson } from '../src/gate/format-json.ts';
import { COMMENT_MARKER, formatMarkdown } from '../src/gate/format-markdown.ts';
import { formatTable } from '../src/gate/format-table.ts';
import { mannWhitney, minimumP, uDistribution } from '../src/gate/mann-whitney.ts';
import { defaultThresholds, parseThresholds } from '../src/gate/thresholds.ts';
import { selectCells } from '../src/suite/select.ts';
import { UserError } from '../src/user-error.ts';
import { malformedTables, readTables, shownText } from './markdown-tables.ts';
import { tempDir } from './temp-dir.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/runs/cpu-wasm', import.meta.url));

function tmp(): string {
  return tempDir('mobius-gate-');
}

const rng = seededRandom;

/** n step times around `center` ms: log-normal, 3 % spread, like a quiet machine. */
function stepSamples(seed: number, n: number, center: number, spread = 0.03): number[] {
  const u = rng(seed);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    return center * Math.exp(spread * z);
  });
}

function capture(env: NodeJS.ProcessEnv = {}): CompareIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env, out: () => out, err: () => err };
}

function clone(s: Snapshot): Snapshot {
  return structuredClone(s);
}

/** A cell that ran, to edit (every fixture cell did). */
function ok(cell: BaselineCell | undefined): OkBaselineCell {
  assert.equal(cell?.status, 'ok');
  return cell as OkBaselineCell;
}

/** Its allocator figures, to edit. */
function tensors(cell: BaselineCell | undefined): TrackedMemory {
  const memory = ok(cell).memory;
  assert.notEqual(memory.source, 'untracked');
  return memory as TrackedMemory;
}

/** New step samples, with the statistics a reader derives from them. */
function setSteps(cell: BaselineCell, stepMs: number[]): void {
  const c = ok(cell);
  c.stepMs = stepMs as OkBaselineCell['stepMs'];
  c.stats = stepTimeStats(stepMs, samplesPerStep(c.config));
}

/** The fixture as a baseline file that `edit` may change first. */
function baselineFile(edit: (b: CompactRun) => void = () => {}): string {
  const file = join(tmp(), 'baseline.json');
  saveBaseline(FIXTURE, file);
  const b = JSON.parse(readFileSync(file, 'utf8')) as CompactRun;
  edit(b);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

// ── Mann-Whitney ──────────────────────────────────────────────────────────

test('exact Mann-Whitney p-values: complete separation of 3 vs 3 gives 0.1, 5 vs 5 gives 2/252', () => {
  assert.equal(mannWhitney([1, 2, 3], [4, 5, 6]).p, 0.1);
  assert.equal(mannWhitney([1, 2, 3], [4, 5, 6]).method, 'exact');
  assert.equal(mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 2 / 252);
  assert.equal(mannWhitney([1, 2, 3, 4], [5, 6, 7, 8, 9]).p, 2 / 126);
  assert.equal(mannWhitney([4, 5, 6], [1, 2, 3]).p, 0.1, 'two-sided');
  assert.equal(mannWhitney([1, 3, 5], [2, 4, 6]).p, 0.7);
  assert.equal(minimumP(3, 3), 0.1);
  assert.equal(stepsNeeded(0.01), 5);
  assert.equal(stepsNeeded(0.002), 7); // 6 vs 6 gives 2/924 = 0.00216
});

test('the exact U distribution counts every ordering once and is symmetric', () => {
  for (const [m, n] of [[3, 3], [4, 7], [10, 10], [1, 5]] as const) {
    const d = uDistribution(m, n);
    let total = 1;
    for (let i = 1; i <= m; i++) total = (total * (n + i)) / i;
    assert.equal(d.reduce((a, b) => a + b, 0), total);
    assert.deepEqual(d, [...d].reverse());
    assert.ok(d.every((c) => c >= 1));
  }
});

test('with ties the normal approximation (tie and continuity corrected) is used', () => {
  const r = mannWhitney([1, 2, 2, 3, 4, 5], [3, 4, 5, 6, 6, 7]);
  assert.equal(r.method, 'normal');
  assert.equal(r.u, 31.5);
  // z = (31.5 − 18 − 0.5) / sqrt(3 · (13 − 30/132)) = 2.1001
  assert.ok(Math.abs(r.p - 0.0357) < 5e-4, String(r.p));
  assert.equal(mannWhitney([5, 5, 5], [5, 5, 5]).p, 1);
});

test('the normal approximation agrees with the exact test on larger samples', () => {
  const x = stepSamples(1, 30, 100);
  const y = stepSamples(2, 30, 103);
  const approx = mannWhitney(x, y); // C(60, 30) is past 2^53: normal
  assert.equal(approx.method, 'normal');
  const xs = x.slice(0, 20);
  const ys = y.slice(0, 20);
  const exact = mannWhitney(xs, ys);
  assert.equal(exact.method, 'exact');
  const normal = mannWhitney([...xs, xs[0]!], [...ys, xs[0]!]); // one tie forces the approximation
  assert.equal(normal.method, 'normal');
  assert.ok(Math.abs(exact.p - mannWhitney(xs, ys).p) < 1e-12);
  assert.ok(Math.abs(normal.p - exact.p) < 0.05, `${normal.p} vs ${exact.p}`);
});

// ── thresholds ────────────────────────────────────────────────────────────

test('thresholds: defaults, percent and byte limits, off, p and claims; mistakes are UserErrors', () => {
  const d = defaultThresholds();
  assert.deepEqual(d.metrics.tensor, { limit: { kind: 'bytes', value: 0 }, gated: true });
  assert.deepEqual(d.metrics.rss.limit, { kind: 'percent', value: 2 });
  assert.deepEqual(d.metrics.gpu.limit, { kind: 'percent', value: 2 });
  assert.deepEqual(d.metrics.time.limit, { kind: 'percent', value: 5 });
  assert.equal(d.alpha, 0.01);
  const t = parseThresholds(['time=10%', 'tensor=1MiB,rss=off', 'gpu=3', 'p=0.002', 'claims=off']);
  assert.deepEqual(t.metrics.time.limit, { kind: 'percent', value: 10 });
  assert.deepEqual(t.metrics.tensor.limit, { kind: 'bytes', value: 1024 ** 2 });
  assert.equal(t.metrics.rss.gated, false);
  assert.deepEqual(t.metrics.gpu.limit, { kind: 'percent', value: 3 });
  assert.equal(t.alpha, 0.002);
  assert.equal(t.claimsGated, false);
  for (const bad of ['speed=5', 'time', 'time=fast', 'time=5MiB', 'p=2', 'claims=maybe', 'tensor=5parsecs']) {
    assert.throws(() => parseThresholds([bad]), UserError, bad);
  }
});

// ── baselines ─────────────────────────────────────────────────────────────

test('baseline save: per cell id, config, summary figures and step samples; compact; loads back', async () => {
  const file = join(tmp(), 'nested', 'cpu.json');
  const message = await baselineSaveCommand(FIXTURE, { to: file });
  assert.match(message, /suite cpu: 24 cells/);
  assert.ok(message.includes(file));
  const b = readBaselineFile(file);
  assert.equal(b.suite.name, 'cpu');
  assert.equal(b.cells.length, 24);
  const run = readFileSync(join(FIXTURE, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const [i, c] of b.cells.entries()) {
    assert.equal(c.id, run[i].id);
    assert.deepEqual(c.config, run[i].config);
    const { workingBytes, ...memory } = run[i].memory;
    assert.deepEqual(ok(c).memory, { source: 'tensors', ...memory, peakAboveStartBytes: workingBytes }, 'the old field name is read as the new one');
    // Statistics come from the samples (rounded to µs), whatever the line's own `stats` said.
    assert.ok(Math.abs(ok(c).stats.medianMs - median(run[i].stepMs)) < 1e-3);
    assert.equal(ok(c).stepMs.length, 3);
    ok(c).stepMs.forEach((ms, k) => assert.ok(Math.abs(ms - run[i].stepMs[k]) < 1e-3));
  }
  assert.ok(readFileSync(file).length < 24 * 1200 + 3000, 'small enough to commit: about 1 KB a cell');
  assert.ok(readFileSync(file).length < readFileSync(join(FIXTURE, 'results.jsonl')).length);
  assert.equal(readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().startsWith('{"id"')).length, 24, 'one line per cell');
  const loaded = loadSnapshot(file);
  assert.equal(loaded.kind, 'baseline');
  assert.deepEqual(loaded.measurements.cells, snapshotFromRun(FIXTURE).measurements.cells);
});

test('the committed CPU baseline is of the smoke suite as it is now, with enough steps for the time test', async () => {
  const b = readBaselineFile(fileURLToPath(new URL('../reports/baselines/smoke.json', import.meta.url)));
  assert.equal(b.suite.name, 'smoke');
  // ci.yml runs `run suites/smoke.ts --backend wasm --steps 10`: the same cells, or the gate compares nothing
  const { selected } = await selectCells({ suiteFile: fileURLToPath(new URL('../suites/smoke.ts', import.meta.url)), backend: 'wasm', steps: 10 });
  assert.deepEqual(b.cells.map((c) => c.id), selected.map((c) => c.id), 'suites/smoke.ts changed: save a new baseline (see docs/gates.md)');
  for (const c of b.cells) {
    assert.equal(c.status, 'ok');
    assert.equal(c.backend?.name, 'wasm');
    assert.ok(ok(c).stepMs.length >= 10 && ok(c).stepMs.length >= stepsNeeded(0.01));
    assert.ok(tensors(c).peakBytes > 0);
  }
});

// ── compare: exit codes ───────────────────────────────────────────────────

test('a run compared with itself → exit 0, every cell unchanged', async () => {
  const io = capture();
  assert.equal(await compareCommand(FIXTURE, FIXTURE, {}, io), 0);
  assert.match(io.out(), /OK: no regression/);
  const c = compareSnapshots(loadSnapshot(FIXTURE), loadSnapshot(FIXTURE), defaultThresholds());
  assert.equal(c.cells.length, 24);
  assert.ok(c.cells.every((cell) => cell.verdict === 'unchanged'));
  assert.deepEqual([c.onlyInBaseline, c.onlyInCurrent], [[], []]);
  assert.ok(c.claims.length === 2 && c.claims.every((cl) => cl.verdict === 'ok'));
  // and a saved baseline of it, compared with the run
  assert.equal(await compareCommand(baselineFile(), FIXTURE, {}, capture()), 0);
});

test('a baseline whose tensor peak is 1 % lower → exit 1, naming the cell (table, Markdown, JSON, ::error)', async () => {
  const target = 'a49ec73a9881'; // small delta-parallel b1 a1 8f 96px
  const file = baselineFile((b) => {
    const cell = b.cells.find((c) => c.id === target)!;
    tensors(cell).peakBytes = Math.round(tensors(cell).peakBytes * 0.99);
  });
  const md = join(tmp(), 'out', 'compare.md');
  const io = capture({ GITHUB_ACTIONS: 'true' });
  assert.equal(await compareCommand(file, FIXTURE, { markdown: md }, io), 1);
  assert.match(io.out(), /✗\s+small delta-parallel b1 a1 8f 96px\s+a49ec73a9881\s+\+1\.0 % ✗/);
  assert.match(io.out(), /FAIL: 1 regression/);
  assert.match(io.out(), /^::error title=mobius-bench cpu%3A small delta-parallel b1 a1 8f 96px::small delta-parallel b1 a1 8f 96px \(a49ec73a9881\): tensor peak .*\(\+1\.0 %/m);
  const markdown = readFileSync(md, 'utf8');
  assert.equal(markdown.split('\n')[0], COMMENT_MARKER);
  assert.match(markdown, /### Regressions[\s\S]*\| small delta-parallel b1 a1 8f 96px \| `a49ec73a9881` \| tensor peak \|/);
  const jsonIo = capture({ GITHUB_ACTIONS: 'true' });
  assert.equal(await compareCommand(file, FIXTURE, { json: true }, jsonIo), 1);
  const json = JSON.parse(jsonIo.out());
  assert.equal(json.format, 'mobius-bench-comparison');
  assert.equal(json.exitCode, 1);
  assert.deepEqual(json.cells.filter((c: { verdict: string }) => c.verdict === 'regression').map((c: { id: string }) => c.id), [target]);
  assert.match(jsonIo.err(), /^::error /m, 'annotations on stderr when stdout is JSON');
  // no annotations outside GitHub Actions
  const plain = capture({});
  await compareCommand(file, FIXTURE, {}, plain);
  assert.doesNotMatch(plain.out(), /::error/);
  // a threshold above the change, or report-only, passes
  assert.equal(await compareCommand(file, FIXTURE, { threshold: ['tensor=2%'] }, capture()), 0);
  assert.equal(await compareCommand(file, FIXTURE, { threshold: ['tensor=16MiB'] }, capture()), 0);
  const off = capture({ GITHUB_ACTIONS: 'true' });
  assert.equal(await compareCommand(file, FIXTURE, { threshold: ['tensor=off'] }, off), 0);
  assert.match(off.out(), /\+1\.0 % !/);
  assert.doesNotMatch(off.out(), /::error/);
});

test('a lower tensor peak now is an improvement, not a regression', () => {
  const base = loadSnapshot(FIXTURE);
  const cur = clone(base);
  tensors(cur.measurements.cells[0]).peakBytes -= 1;
  const c = compareSnapshots(base, cur, defaultThresholds());
  assert.equal(c.exitCode, 0);
  assert.equal(c.cells[0]!.verdict, 'improvement');
  assert.equal(c.cells[0]!.metrics.find((m) => m.metric === 'tensor')!.delta, -1);
  assert.ok(c.warnings.some((w) => /tensor memory fell in 1 cell: save a new baseline/.test(w)));
});

test('tensor memory is compared on the same backend only', () => {
  const base = loadSnapshot(FIXTURE);
  const cur = clone(base);
  tensors(cur.measurements.cells[0]).peakBytes *= 2;
  ok(cur.measurements.cells[0]).backend = { name: 'tensorflow', version: '4.22.0', gpu: true };
  const c = compareSnapshots(base, cur, defaultThresholds());
  const m = c.cells[0]!.metrics.find((x) => x.metric === 'tensor')!;
  assert.equal(m.verdict, 'not-compared');
  assert.match(m.note!, /backend wasm → tensorflow/);
});

test('step samples shifted by +20 % → a regression; −20 % → an improvement', () => {
  const base = loadSnapshot(FIXTURE);
  const cur = clone(base);
  base.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(100 + i, 10, 1000)));
  cur.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(200 + i, 10, 1000)));
  setSteps(cur.measurements.cells[3]!, stepSamples(7, 10, 1200));
  setSteps(cur.measurements.cells[5]!, stepSamples(8, 10, 800));
  // by default a CPU cell's 20 % is within a loaded machine's noise: no regression
  assert.equal(compareSnapshots(base, cur, defaultThresholds()).exitCode, 0);
  const c = compareSnapshots(base, cur, parseThresholds(['time=5']));
  const time = (i: number) => c.cells[i]!.metrics.find((m) => m.metric === 'time')!;
  assert.equal(time(3).verdict, 'regression');
  assert.ok(time(3).change! > 0.1 && time(3).p! < 1e-4);
  assert.equal(c.cells[3]!.verdict, 'regression');
  assert.equal(time(5).verdict, 'improvement');
  assert.equal(c.exitCode, 1);
  assert.deepEqual(c.cells.filter((x) => x.verdict === 'regression').map((x) => x.id), [c.cells[3]!.id]);
  // report-only time: the same shift warns and passes
  const off = compareSnapshots(base, cur, parseThresholds(['time=off']));
  assert.equal(off.exitCode, 0);
  assert.equal(off.cells[3]!.verdict, 'warning');
  // a threshold above the shift: unchanged
  assert.equal(compareSnapshots(base, cur, parseThresholds(['time=25'])).cells[3]!.verdict, 'unchanged');
});

test('two sample sets drawn from one distribution (fixed seeds) → no regression', () => {
  const base = loadSnapshot(FIXTURE);
  // The time metric's false alarms, not the claims (their bootstrap would be most of the work).
  base.measurements.suite.definition.claims = [];
  let flagged = 0;
  let significant = 0;
  for (let seed = 0; seed < 50; seed++) {
    const a = clone(base);
    const b = clone(base);
    // wider noise than the threshold, so that medians do move by > 5 % sometimes
    a.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(seed * 1000 + i, 10, 500, 0.08)));
    b.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(seed * 1000 + 500 + i, 10, 500, 0.08)));
    const c = compareSnapshots(a, b, parseThresholds(['time=5']));
    flagged += c.cells.filter((x) => x.verdict === 'regression').length;
    significant += c.cells.filter((x) => x.metrics.some((m) => m.metric === 'time' && m.p! < 0.01)).length;
    if (seed === 0) {
      assert.equal(c.exitCode, 0);
      assert.ok(c.cells.some((x) => x.metrics.some((m) => m.verdict === 'not-significant')), 'some medians moved > 5 % by chance, and the test kept them');
    }
  }
  // 1200 cell comparisons; α = 0.01 allows ~12 significant ones, of which the 5 % rule keeps few
  assert.ok(significant <= 24, `significant: ${significant}`);
  assert.ok(flagged <= 6, `flagged: ${flagged}`);
});

test('3 vs 3 steps: the time test cannot fire, and the comparison says so', () => {
  const base = loadSnapshot(FIXTURE);
  const cur = clone(base);
  cur.measurements.cells.forEach((cell) => setSteps(cell, ok(cell).stepMs.map((x) => x * 1.5)));
  const c = compareSnapshots(base, cur, parseThresholds(['time=5']));
  const m = c.cells[0]!.metrics.find((x) => x.metric === 'time')!;
  assert.equal(m.verdict, 'not-significant');
  assert.equal(m.p, 0.1);
  assert.match(m.note!, /3 vs 3 steps cannot give p < 0.01 .*≥ 5 steps/);
  assert.ok(c.warnings.some((w) => /step-time gate cannot fire/.test(w)));
  assert.equal(c.exitCode, 0);
});

test('a baseline from another machine: step time is not gated, with a visible notice; --threshold time=… gates it anyway', () => {
  const base = loadSnapshot(FIXTURE);
  base.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(100 + i, 10, 1000)));
  const cur = clone(base);
  cur.measurements.environment.cpu = { model: 'Another CPU', cores: 64 };
  cur.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(200 + i, 10, 3000)));
  const c = compareSnapshots(base, cur, defaultThresholds());
  assert.equal(c.exitCode, 0);
  assert.equal(c.cells[0]!.metrics.find((m) => m.metric === 'time')!.verdict, 'not-compared');
  assert.ok(c.warnings.some((w) => /measured on .*Another CPU ×64: step time is not gated/.test(w)), c.warnings.join('\n'));
  assert.match(formatTable(c), /warning: the baseline was measured on/);
  assert.match(formatTable(c), /\+\d+(\.\d)? % \(not gated\)/);
  assert.equal(compareSnapshots(base, cur, parseThresholds(['time=5'])).exitCode, 1);
});

test('step time: a GPU cell is gated at 5 % by default, a CPU cell only when it doubles', () => {
  const base = loadSnapshot(FIXTURE);
  base.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(100 + i, 10, 1000)));
  const cur = clone(base);
  cur.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(200 + i, 10, 1000)));
  setSteps(cur.measurements.cells[1]!, stepSamples(9, 10, 1300));
  setSteps(cur.measurements.cells[2]!, stepSamples(10, 10, 2500));
  for (const s of [base, cur]) ok(s.measurements.cells[0]).backend.gpu = true;
  setSteps(cur.measurements.cells[0]!, stepSamples(11, 10, 1200));
  const c = compareSnapshots(base, cur, defaultThresholds());
  assert.deepEqual(c.cells.filter((x) => x.verdict === 'regression').map((x) => x.id), [c.cells[0]!.id, c.cells[2]!.id]);
  assert.equal(c.cells[1]!.verdict, 'unchanged', 'CPU: +30 % is within the noise of a loaded machine');
  assert.match(formatTable(c), /step time median > 5 % \(CPU cells: > 100 %\) and p < 0.01/);
});

test('GPU and RSS memory: reported only by default (sampled, noisy); 2 % when --threshold asks', () => {
  const base = loadSnapshot(FIXTURE);
  ok(base.measurements.cells[0]).gpu = { processPeakMiB: 1000, processMatched: true, devicePeakAboveBaselineMiB: 1000, energyJoulesPerStep: null };
  ok(base.measurements.cells[1]).gpu = { processPeakMiB: 1000, processMatched: true, devicePeakAboveBaselineMiB: 1000, energyJoulesPerStep: null };
  const cur = clone(base);
  ok(cur.measurements.cells[0]).gpu!.processPeakMiB = 1030;
  ok(cur.measurements.cells[1]).gpu!.processPeakMiB = 1010;
  tensors(cur.measurements.cells[2]).rssPeakBytes = Math.round(tensors(base.measurements.cells[2]).rssPeakBytes * 1.05);
  tensors(cur.measurements.cells[3]).rssPeakBytes = Math.round(tensors(base.measurements.cells[3]).rssPeakBytes * 1.01);
  const byDefault = compareSnapshots(base, cur, defaultThresholds());
  assert.equal(byDefault.exitCode, 0);
  assert.equal(byDefault.cells[0]!.verdict, 'warning');
  const c = compareSnapshots(base, cur, parseThresholds(['gpu=2', 'rss=2']));
  const v = (i: number, k: string) => c.cells[i]!.metrics.find((m) => m.metric === k)?.verdict;
  assert.equal(v(0, 'gpu'), 'regression');
  assert.equal(v(1, 'gpu'), 'unchanged');
  assert.equal(v(2, 'gpu'), undefined, 'no GPU figures on either side: no GPU row');
  assert.equal(v(2, 'rss'), 'regression');
  assert.equal(v(3, 'rss'), 'unchanged');
  assert.equal(c.counts.regressions, 2);
  assert.match(formatTable(c), /GPU memory/);
});

test('a cell that fails now is a regression; one that failed before and runs now an improvement', () => {
  const base = loadSnapshot(FIXTURE);
  const cur = clone(base);
  const fail = (cell: BaselineCell, error: { reason: 'killed' | 'timeout'; message: string }): BaselineCell => ({ id: cell.id, label: cell.label, config: cell.config, status: 'failed', error });
  cur.measurements.cells[0] = fail(cur.measurements.cells[0]!, { reason: 'killed', message: 'out of memory' });
  base.measurements.cells[1] = fail(base.measurements.cells[1]!, { reason: 'timeout', message: 'past 300 s' });
  const c = compareSnapshots(base, cur, defaultThresholds());
  assert.equal(c.cells[0]!.verdict, 'regression');
  assert.match(c.cells[0]!.note!, /fails now \(killed: out of memory\)/);
  assert.equal(c.cells[1]!.verdict, 'improvement');
  assert.equal(c.exitCode, 1);
  assert.match(formatMarkdown(c), /small full b1 a1 8f 96px\*\* `cf1c15a271ea`: fails now/);
  assert.ok(formatAnnotations(c).some((a) => a.startsWith('::error') && a.includes('cf1c15a271ea')));
});

test('cells on one side only are listed, never skipped silently', async () => {
  const file = baselineFile((b) => {
    b.cells.splice(2, 1); // not in the baseline: a new cell
    b.cells[0]!.id = 'feedfacecafe'; // only in the baseline
  });
  // a cell of the baseline missing now fails the gate (a lost line, a crashed run) …
  const strict = capture({ GITHUB_ACTIONS: 'true' });
  assert.equal(await compareCommand(file, FIXTURE, {}, strict), 1);
  assert.match(strict.out(), /only in the baseline \(1\), a regression \(--allow-missing for a partial run\):/);
  assert.match(strict.out(), /::error title=mobius-bench cpu%3A cell missing::/);
  // … unless --allow-missing says a partial run is meant
  const io = capture({ GITHUB_ACTIONS: 'true' });
  assert.equal(await compareCommand(file, FIXTURE, { allowMissing: true }, io), 0);
  assert.match(io.out(), /only in the baseline \(1\):\n {2}small full b1 a1 8f 96px \(feedfacecafe\)/);
  assert.match(io.out(), /only in the current run \(2\):\n {2}small full b1 a1 8f 96px \(cf1c15a271ea\)\n {2}small delta-parallel b1 a1 8f 96px \(a49ec73a9881\)/);
  assert.match(io.out(), /::warning title=mobius-bench cpu%3A cell missing::small full b1 a1 8f 96px \(feedfacecafe\)/);
  const c = compareSnapshots(loadSnapshot(file), loadSnapshot(FIXTURE), { ...defaultThresholds(), missingGated: false });
  assert.match(formatMarkdown(c), /### Cells on one side only\n\n- only in the baseline: small full b1 a1 8f 96px `feedfacecafe`/);
  assert.equal(c.counts.warnings, 3);
});

test('the suite\'s claims are re-checked: one that held and fails now is a regression', () => {
  const base = loadSnapshot(FIXTURE);
  const cur = clone(base);
  // the small b1 a1 group's parallel cell now needs as much as the serial one
  const serial = cur.measurements.cells.find((c) => c.id === 'fff50526a6f0')!;
  const parallel = cur.measurements.cells.find((c) => c.id === 'a49ec73a9881')!;
  tensors(parallel).peakBytes = tensors(serial).peakBytes;
  const c = compareSnapshots(base, cur, parseThresholds(['tensor=off']));
  const claim = c.claims[0]!;
  assert.equal(claim.current, 'fail');
  assert.equal(claim.baseline, 'pass');
  assert.equal(claim.verdict, 'regression');
  assert.equal(c.exitCode, 1, 'the claim alone fails the gate');
  assert.equal(c.claims[1]!.verdict, 'ok');
  assert.match(formatTable(c), /✗ Mobius vs serial delta-tuning .*: fail \(baseline: pass\)\n\s+small b1 a1 8f 96px: memory ×1\.000 ✗/);
  assert.equal(compareSnapshots(base, cur, parseThresholds(['tensor=off', 'claims=off'])).exitCode, 0);
});

// ── compare: unusable input → UserError (exit 2) ──────────────────────────

test('another suite → UserError (exit 2)', async () => {
  const file = baselineFile((b) => (b.suite.name = 'smoke'));
  await assert.rejects(compareCommand(file, FIXTURE, {}, capture()), (err: Error) => err instanceof UserError && /suite 'smoke'.*suite 'cpu'/.test(err.message));
});

test('another baseline or result schema, a missing or malformed file → UserError (exit 2)', async () => {
  const reject = (a: string, b: string, re: RegExp) => assert.rejects(compareCommand(a, b, {}, capture()), (err: Error) => err instanceof UserError && re.test(err.message));
  await reject(baselineFile((b) => ((b as { schema: number }).schema = 2)), FIXTURE, /baseline schema 2, this version reads schema 1/);
  await reject(baselineFile((b) => ((b as { resultSchema: number }).resultSchema = 2)), FIXTURE, /result schema 2/);
  const dir = tmp();
  cpSync(FIXTURE, dir, { recursive: true });
  const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').replace(/"schema":1/g, '"schema":2');
  writeFileSync(join(dir, 'results.jsonl'), lines);
  await reject(FIXTURE, dir, /result schema 2, this version reads schema 1/);
  const run = JSON.parse(readFileSync(join(FIXTURE, 'run.json'), 'utf8'));
  const dir2 = tmp();
  cpSync(FIXTURE, dir2, { recursive: true });
  writeFileSync(join(dir2, 'run.json'), JSON.stringify({ ...run, schema: 3 }));
  await reject(FIXTURE, dir2, /run schema 3/);
  await reject(join(tmp(), 'nope.json'), FIXTURE, /no such file or folder/);
  await reject(FIXTURE, tmp(), /no run\.json/);
  const bad = join(tmp(), 'bad.json');
  writeFileSync(bad, '{"format": "mobius-bench-baseline", ');
  await reject(bad, FIXTURE, /not valid JSON/);
  writeFileSync(bad, '{"cells": []}');
  await reject(bad, FIXTURE, /not a mobius-bench baseline/);
  // A wrong field: one line with the file, the line the cell is on, and the field.
  const saved = saveBaseline(FIXTURE, join(tmp(), 'one-cell-a-line.json'));
  const text = readFileSync(saved, 'utf8').split('\n');
  const at = text.findIndex((l) => l.includes('"id":"a49ec73a9881"'));
  text[at] = text[at]!.replace(/"peakBytes":\d+/, '"peakBytes":"big"');
  writeFileSync(bad, text.join('\n'));
  await reject(bad, FIXTURE, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${at + 1}: cells\\[\\d+\\]\\.memory\\.peakBytes: .*expected number`));
  await assert.rejects(compareCommand(FIXTURE, FIXTURE, { threshold: ['speed=1'] }, capture()), UserError);
});

// ── presentations ─────────────────────────────────────────────────────────

test('Markdown starts with the marker; JSON round-trips; annotations are escaped', () => {
  const c = compareSnapshots(loadSnapshot(FIXTURE), loadSnapshot(FIXTURE), defaultThresholds());
  const md = formatMarkdown(c);
  assert.equal(md.split('\n')[0], '<!-- mobius-bench-compare -->');
  assert.match(md, /## ✅ mobius-bench: no regression in suite `cpu`/);
  assert.match(md, /<details><summary>All 24 matched cells<\/summary>/);
  assert.doesNotMatch(md, /GPU memory \|/, 'no GPU column without GPU figures');
  const json = JSON.parse(formatJson(c));
  assert.equal(json.cells.length, 24);
  assert.equal(json.thresholds.alpha, 0.01);
  assert.equal(escapeData('50% done\nnext'), '50%25 done%0Anext');
  assert.equal(escapeProperty('a: b, c'), 'a%3A b%2C c');
});

test('a pipe, a line break or markup in run text stays in its cell of every Markdown table, shown as text', () => {
  const label = 'small | full\r\nb1 <b>a1</b> *x* `y` \\ z';
  const labelShown = 'small | full b1 <b>a1</b> *x* `y` \\ z';
  const base = loadSnapshot(FIXTURE);
  base.measurements.cells[0]!.label = label;
  const cur = clone(base);
  tensors(cur.measurements.cells[0]).peakBytes += 1;
  const second = cur.measurements.cells[1]!;
  cur.measurements.cells[1] = { id: second.id, label: second.label, config: second.config, status: 'failed', error: { reason: 'killed', message: 'out of | memory\rretry <x>' } };
  tensors(cur.measurements.cells[2]).peakBytes -= 1;
  const md = formatMarkdown(compareSnapshots(base, cur, defaultThresholds()));
  assert.deepEqual(malformedTables(md), []);
  const tables = readTables(md);
  const regression = tables.find((t) => t.header.includes('metric'))!.rows[0]!;
  assert.deepEqual(regression.slice(0, 3).map(shownText), [labelShown, '`cf1c15a271ea`', 'tensor peak']);
  const all = tables.find((t) => t.header.includes('cell') && !t.header.includes('metric'))!;
  assert.equal(shownText(all.rows.find((r) => r[2] === '`cf1c15a271ea`')![1]!), labelShown);
  assert.equal(shownText(all.rows.find((r) => r[2] === '`fff50526a6f0`')![3]!), 'fails now (killed: out of | memory retry <x>)');
  assert.match(md, /^- \*\*small delta-serial b1 a1 8f 96px\*\* `fff50526a6f0`: fails now \(killed: out of \\\| memory retry &lt;x&gt;\)$/m);
  // A warning's placeholder shows as text: as a raw tag GitHub would drop it from the comment.
  assert.match(md, /save a new baseline \(mobius-bench baseline save &lt;run dir&gt;\)/);
  assert.doesNotMatch(md, /<[bx]>|<run dir>|\r/);
});

test('the gate\'s presentations are pure: the same text from the same comparison, and none of them writes', () => {
  const c = compareSnapshots(loadSnapshot(FIXTURE), loadSnapshot(FIXTURE), defaultThresholds());
  for (const format of [formatMarkdown, formatTable, formatJson, (x: typeof c) => formatAnnotations(x).join('\n')]) assert.equal(format(c), format(c));
  const gate = fileURLToPath(new URL('../src/gate/', import.meta.url));
  const touching = readdirSync(gate).filter((f) => f.startsWith('format-'))
    .filter((f) => /\b(writeFile|writeFileSync|appendFile|mkdir|mkdirSync|rm|rmSync|rename|createWriteStream)\s*\(|process\.(stdout|stderr)/.test(readFileSync(join(gate, f), 'utf8')));
  assert.deepEqual(touching, []);
});

test('a cut-off last line of results.jsonl: compare says so once, in one wording, and fails for the lost cell', async () => {
  const run = join(tmp(), 'run');
  cpSync(FIXTURE, run, { recursive: true });
  const file = join(run, 'results.jsonl');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.trimEnd().lastIndexOf('\n') + 40));
  const stderr: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  const io = capture();
  try {
    code = await compareCommand(FIXTURE, run, {}, io);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(code, 1);
  const said = (stderr.join('') + io.out() + io.err()).match(/cut-off last line/g) ?? [];
  assert.equal(said.length, 1, stderr.join('') + io.out() + io.err());
  assert.match(io.out() + io.err(), /results\.jsonl:24: a cut-off last line \(a crash mid-write\) was skipped; that cell is missing/);
  assert.equal(await compareCommand(FIXTURE, run, { allowMissing: true }, capture()), 0);
});

test('baseline save refuses to replace an existing baseline without --force', async () => {
  const file = join(tmp(), 'smoke.json');
  await baselineSaveCommand(FIXTURE, { to: file });
  writeFileSync(file, readFileSync(file, 'utf8').replace('"cells"', '"cells" '));
  const before = readFileSync(file, 'utf8');
  await assert.rejects(baselineSaveCommand(FIXTURE, { to: file }), (err: Error) => err instanceof UserError && /exists: give --force to replace that baseline/.test(err.message));
  assert.equal(readFileSync(file, 'utf8'), before, 'untouched');
  assert.match(await baselineSaveCommand(FIXTURE, { to: file, force: true }), /written to/);
});

test('a row is an improvement only where no metric got worse past its threshold: +50 % CPU time and −10 % RSS is not one', () => {
  const base = loadSnapshot(FIXTURE);
  base.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(100 + i, 10, 1000)));
  const cur = clone(base);
  cur.measurements.cells.forEach((cell, i) => setSteps(cell, stepSamples(200 + i, 10, 1000)));
  setSteps(cur.measurements.cells[0]!, stepSamples(12, 10, 1500));
  ok(cur.measurements.cells[0]).memory.rssPeakBytes = Math.round(ok(base.measurements.cells[0]).memory.rssPeakBytes * 0.9);
  const c = compareSnapshots(base, cur, parseThresholds(['rss=2']));
  assert.equal(c.cells[0]!.metrics.find((m) => m.metric === 'rss')!.verdict, 'improvement');
  assert.equal(c.cells[0]!.verdict, 'unchanged');
  assert.match(c.cells[0]!.note!, /rss improved, but time \+\d+\.\d % \(within the gate's limit here\): not an improvement/);
  // With the RSS gain alone, the row improves.
  setSteps(cur.measurements.cells[0]!, stepSamples(12, 10, 1000));
  assert.equal(compareSnapshots(base, cur, parseThresholds(['rss=2'])).cells[0]!.verdict, 'improvement');
});

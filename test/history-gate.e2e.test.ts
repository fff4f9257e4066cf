// compare against the history (gate/history-gate.ts, gate/window-band.ts):
// the band's statistics, its false alarms and power on the change-point
// tests' noise model against pooling steps into Mann-Whitney, the window
// that restarts at a change point, verdicts on synthetic histories made from
// the H200 run (torch cells: CUDA-allocated memory, nvidia-smi peaks, GPU
// time limits), and the errors that exit 2. The CLI end to end is in
// test/history-gate-cli.e2e.test.ts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { median } from 'simple-statistics';
import { compareWithHistory, MIN_WINDOW, readCurrentRun, windowOf, type CurrentRun } from '../src/gate/history-gate.ts';
import { mannWhitney } from '../src/gate/mann-whitney.ts';
import { parseThresholds } from '../src/gate/thresholds.ts';
import { bandTest, incompleteBeta, studentQuantile, studentTwoSidedP } from '../src/gate/window-band.ts';
import { filedRunOf } from '../src/history/add-run.ts';
import type { History } from '../src/history/history-folder.ts';
import { seededRandom } from '../src/results/stats.ts';
import { UserError } from '../src/user-error.ts';
import { GPU_RUN, runCopy, SMOKE_RUN } from './history-fixtures.ts';
import { tempDir } from './temp-dir.ts';

function normal(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** One run's level (its median step time) around `level`: 1 % run to run, 5 % of runs 5–25 % slow (test/change-points.test.ts's noise). */
function runLevel(random: () => number, level: number, sd = 0.01, slowRuns = 0.05): number {
  let v = level * (1 + sd * normal(random));
  if (random() < slowRuns) v *= 1.05 + 0.2 * random();
  return v;
}

test('Student-t tail probabilities and quantiles match the tables', () => {
  // t(0.975, 9) = 2.262157, t(0.995, 9) = 3.249836, t(0.975, 1) = 12.7062, t(0.995, ∞) → 2.5758.
  assert.ok(Math.abs(studentTwoSidedP(2.262157, 9) - 0.05) < 1e-6);
  assert.ok(Math.abs(studentTwoSidedP(3.249836, 9) - 0.01) < 1e-6);
  assert.ok(Math.abs(studentQuantile(0.05, 1) - 12.7062) < 1e-3);
  assert.ok(Math.abs(studentQuantile(0.01, 100_000) - 2.5758) < 1e-3);
  assert.equal(studentTwoSidedP(0, 4), 1);
  assert.equal(studentTwoSidedP(Infinity, 4), 0);
  // I_x(a, b) + I_{1−x}(b, a) = 1; I_x(1, 1) = x.
  assert.ok(Math.abs(incompleteBeta(0.3, 2.5, 4) + incompleteBeta(0.7, 4, 2.5) - 1) < 1e-12);
  assert.ok(Math.abs(incompleteBeta(0.37, 1, 1) - 0.37) < 1e-12);
});

test('the band: a slow run in the window is set aside, a window that agrees has width 0', () => {
  const quiet = [100, 101, 99, 100.5, 99.5, 100.2, 99.8, 100.1, 99.9, 100.3];
  const slow = [...quiet.slice(0, 9), 125];
  const a = bandTest(quiet, 104, 0.01);
  const b = bandTest(slow, 104, 0.01);
  assert.equal(a.outliers, 0);
  assert.equal(b.outliers, 1);
  assert.ok(a.p < 0.01 && b.p < 0.01, 'a run 4 % above a 0.5 %-quiet window is outside it, slow run or not');
  assert.ok(a.low < 100 && a.high > 100 && a.high < 104);
  const flat = bandTest([7, 7, 7, 7, 7], 7, 0.01);
  assert.deepEqual([flat.low, flat.high, flat.p], [7, 7, 1]);
  assert.equal(bandTest([7, 7, 7, 7, 7], 7.5, 0.01).p, 0);
});

test('false alarms and power: the band against pooling the window\'s steps into Mann-Whitney, on run-level noise', () => {
  // Each window of K = 10 runs and the current run: 10 steps each, 0.5 % step-to-step noise
  // around the run's level. A regression: > 5 % above the window's level and p < 0.01.
  const random = seededRandom(22);
  const steps = (level: number) => Array.from({ length: 10 }, () => level * (1 + 0.005 * normal(random)));
  const trials = 600;
  const tally = (sd: number) => {
    const out = { band: 0, pooled: 0, bandPower: 0, pooledPower: 0 };
    for (let i = 0; i < trials; i++) {
      const window = Array.from({ length: 10 }, () => steps(runLevel(random, 100, sd)));
      const medians = window.map((s) => median(s));
      for (const [shift, kind] of [[1, 'null'], [1.1, 'power']] as const) {
        const current = steps(runLevel(random, 100 * shift, sd));
        const x = median(current);
        const band = bandTest(medians, x, 0.01);
        const flagged = x / band.level - 1 > 0.05 && band.p < 0.01;
        const pooled = x / median(medians) - 1 > 0.05 && mannWhitney(window.flat(), current).p < 0.01;
        if (kind === 'null') {
          out.band += Number(flagged);
          out.pooled += Number(pooled);
        } else {
          out.bandPower += Number(flagged);
          out.pooledPower += Number(pooled);
        }
      }
    }
    return out;
  };
  // A quiet dedicated runner (1 % run to run): a 10 % regression is caught nearly always; the false
  // alarms are the current run's own slow runs (5 % of runs are 5–25 % slow: no single-run gate can
  // tell those from a regression), no more.
  const quiet = tally(0.01);
  assert.ok(quiet.bandPower >= trials * 0.97, `power at +10 %: ${quiet.bandPower}/${trials}`);
  assert.ok(quiet.band <= trials * 0.06, `false alarms: ${quiet.band}/${trials}`);
  // A noisier runner (3 % run to run): pooling steps counts run-to-run noise as signal and raises
  // false alarms well above the band's, which widens with the window's spread.
  const noisy = tally(0.03);
  assert.ok(noisy.band <= trials * 0.06, `band false alarms on 3 % noise: ${noisy.band}/${trials}`);
  assert.ok(noisy.pooled >= noisy.band * 1.5 && noisy.pooled >= trials * 0.07, `pooled ${noisy.pooled} vs band ${noisy.band}`);
});

test('the window: the last K runs, restarted at the series\' last change point', () => {
  const random = seededRandom(5);
  const points = (values: number[]) => values.map((value) => ({ value }));
  const steady = points(Array.from({ length: 25 }, () => runLevel(random, 100, 0.01, 0)));
  const plain = windowOf(steady, false, 10);
  assert.equal(plain.window.length, 10);
  assert.equal(plain.since, null);
  assert.deepEqual(plain.window, steady.slice(15));
  // 12 runs at one level, then 6 at 12 % more: the window holds the 6 only.
  const stepped = points([...Array.from({ length: 12 }, () => runLevel(random, 100, 0.01, 0)), ...Array.from({ length: 6 }, () => runLevel(random, 112, 0.01, 0))]);
  const restarted = windowOf(stepped, false, 10);
  assert.equal(restarted.window.length, 6);
  assert.equal(restarted.since?.index, 12);
  assert.ok(Math.abs(restarted.since!.change - 0.12) < 0.02);
  // A change older than the window does not shorten it.
  const old = points([...stepped.map((p) => p.value), ...Array.from({ length: 12 }, () => runLevel(random, 112, 0.01, 0))]);
  assert.equal(windowOf(old, false, 10).window.length, 10);
  assert.equal(windowOf(old, false, 10).since, null);
  // Exact figures: a new level shared by two runs is a change point.
  const exact = points([...Array(10).fill(1000), 1010, 1010]);
  assert.deepEqual(windowOf(exact, true, 10).window.map((p) => p.value), [1010, 1010]);
});

// Synthetic histories: copies of the H200 run (5 torch cells, 4 steps each) whose step times follow
// a chosen level per run. In memory: the gate reads a History, not a folder.

const SHA = (i: number) => (i + 1).toString(16).padStart(40, 'c');
const notGit = tempDir('mobius-history-gate-');

interface Spec {
  time: number;
  memory?: number;
}

function history(specs: Spec[], fixture = GPU_RUN): History {
  return {
    dir: 'synthetic-history',
    runs: specs.map((s, i) => {
      const run = runCopy(fixture, { commit: SHA(i), startedAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 86_400_000).toISOString(), timeScale: s.time, memoryScale: s.memory });
      return { file: `run-${i}.json`, run: filedRunOf(run, notGit) };
    }),
  };
}

function current(s: Spec, fixture = GPU_RUN): CurrentRun {
  return readCurrentRun(runCopy(fixture, { commit: 'f'.repeat(40), startedAt: '2026-12-20T00:00:00.000Z', timeScale: s.time, memoryScale: s.memory }));
}

const quietLevels = (n: number, seed = 9) => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => ({ time: runLevel(random, 1, 0.01, 0) }));
};

const t = parseThresholds([]);
const verdicts = (c: ReturnType<typeof compareWithHistory>, metric: string) => c.cells.map((cell) => cell.metrics.find((m) => m.metric === metric)?.verdict);

test('a run 10 % slower than a quiet window is a regression in every cell; one within its noise is not', () => {
  const h = history(quietLevels(12));
  const slow = compareWithHistory(h, current({ time: 1.1 }), t);
  assert.equal(slow.exitCode, 1);
  assert.deepEqual(verdicts(slow, 'time'), Array(5).fill('regression'));
  assert.deepEqual(verdicts(slow, 'tensor'), Array(5).fill('unchanged'));
  const time = slow.cells[0]!.metrics.find((m) => m.metric === 'time')!;
  assert.equal(time.window?.runs, 10);
  assert.equal(time.window?.lastCommit, SHA(11));
  assert.equal(time.window?.firstCommit, SHA(2));
  assert.ok(time.p! < 0.01);
  assert.ok(time.change! > 0.08 && time.change! < 0.12);
  assert.equal(slow.history?.runs, 12);
  assert.equal(slow.baseline.kind, 'history');
  assert.equal(slow.baseline.commit, SHA(11));

  const same = compareWithHistory(h, current({ time: 1.005 }), t);
  assert.equal(same.exitCode, 0);
  assert.deepEqual(verdicts(same, 'time'), Array(5).fill('unchanged'));
  assert.equal(same.counts.regressions, 0);
  // 10 % faster: an improvement.
  assert.deepEqual(verdicts(compareWithHistory(h, current({ time: 0.9 }), t), 'time'), Array(5).fill('improvement'));
});

test('a window whose own runs spread by ±8 % does not fail a run 6 % slower: beyond the limit, within the noise', () => {
  const random = seededRandom(4);
  const h = history(Array.from({ length: 10 }, () => ({ time: runLevel(random, 1, 0.06, 0) })));
  const c = compareWithHistory(h, current({ time: 1.07 }), t);
  const time = c.cells.map((cell) => cell.metrics.find((m) => m.metric === 'time')!);
  assert.ok(time.every((m) => m.change! > 0.05), 'beyond the 5 % limit');
  assert.deepEqual(time.map((m) => m.verdict), Array(5).fill('not-significant'));
  assert.match(time[0]!.note!, /^within the noise of the last 10 runs \(band .* ms – .* ms at p < 0\.01\)$/);
  assert.equal(c.exitCode, 0);
});

test('after a change point the window holds only the runs since: the new level is the baseline', () => {
  // 12 runs at one level, then a commit made every step 12 % slower (accepted), 6 runs since.
  const random = seededRandom(11);
  const specs = [...Array.from({ length: 12 }, () => ({ time: runLevel(random, 1, 0.01, 0) })), ...Array.from({ length: 6 }, () => ({ time: runLevel(random, 1.12, 0.01, 0) }))];
  const h = history(specs);
  const atNewLevel = compareWithHistory(h, current({ time: 1.125 }), t);
  const m = atNewLevel.cells[0]!.metrics.find((x) => x.metric === 'time')!;
  assert.equal(m.window?.runs, 6);
  assert.equal(m.window?.since?.commit, SHA(12));
  assert.equal(m.window?.since?.previousCommit, SHA(11));
  assert.deepEqual(verdicts(atNewLevel, 'time'), Array(5).fill('unchanged'));
  // 7 % above the new level: a regression against the 6 runs since. Against the last 10 runs
  // (4 before the change), the window's spread would hide it.
  const worse = compareWithHistory(h, current({ time: 1.2 }), t);
  assert.deepEqual(verdicts(worse, 'time'), Array(5).fill('regression'));
  // Back at the old level: 11 % faster than the new one.
  assert.deepEqual(verdicts(compareWithHistory(h, current({ time: 1 }), t), 'time'), Array(5).fill('improvement'));
});

test('exact memory: against the newest run, to the byte — a change that landed one run ago is the new normal', () => {
  const levels = quietLevels(10);
  const h = history([...levels.slice(0, 9), { ...levels[9]!, memory: 1.01 }]);
  // The pull request matches main's newest run: unchanged, though 9 runs in the window disagree.
  const same = compareWithHistory(h, current({ time: 1, memory: 1.01 }), t);
  const tensor = same.cells[0]!.metrics.find((x) => x.metric === 'tensor')!;
  assert.equal(tensor.verdict, 'unchanged');
  assert.equal(tensor.window?.constant, false);
  assert.match(tensor.note!, /against the newest run \(cccccc[0-9a-f]\); the window's 10 runs are not all equal/);
  // One byte more than the newest run is a regression.
  const h2 = history(quietLevels(6));
  const more = compareWithHistory(h2, current({ time: 1, memory: 1.000001 }), t);
  assert.deepEqual(verdicts(more, 'tensor'), Array(5).fill('regression'));
  assert.equal(more.exitCode, 1);
  assert.ok(more.cells.every((c) => c.metrics.find((m) => m.metric === 'tensor')!.delta! > 0));
});

test('a series that moved fewer than 5 runs ago is not judged against its old level, and says so; one slow run is only a slow run', () => {
  const random = seededRandom(12);
  const before = Array.from({ length: 12 }, () => ({ time: runLevel(random, 1, 0.01, 0) }));
  const timeOf = (c: ReturnType<typeof compareWithHistory>) => c.cells[0]!.metrics.find((x) => x.metric === 'time')!;
  // Three runs at a 20 % higher level: too few for E-Divisive at p < 0.001 (C(15, 3) orders),
  // but three slow runs in a row are a level, not three slow neighbours.
  const three = history([...before, ...Array.from({ length: 3 }, () => ({ time: runLevel(random, 1.2, 0.005, 0) }))]);
  for (const level of [1.2, 1.5, 1]) {
    const c = compareWithHistory(three, current({ time: level }), t);
    const m = timeOf(c);
    assert.equal(m.verdict, 'not-compared', `current at ${level}`);
    assert.equal(c.exitCode, 0);
    assert.deepEqual([m.window?.runs, m.window?.since?.commit, m.window?.since?.confirmed], [3, SHA(12), false]);
    assert.match(m.note!, /^not judged: the newest 3 runs sit at a new level, not yet a change point, at cccccc. \(\+(19|20|21)\.\d %\); the band needs 5$/);
    assert.ok(c.warnings.some((w) => /^5 figures not judged: the window has fewer than 5 runs \(e\.g\. the newest 3 runs sit at a new level/.test(w)), c.warnings.join('\n'));
  }
  // After 20 runs, four at +20 %: a change point E-Divisive confirms; still too few for a band.
  const twenty = [...before, ...Array.from({ length: 8 }, () => ({ time: runLevel(random, 1, 0.01, 0) }))];
  const four = history([...twenty, ...Array.from({ length: 4 }, () => ({ time: runLevel(random, 1.2, 0.005, 0) }))]);
  const m4 = timeOf(compareWithHistory(four, current({ time: 1.2 }), t));
  assert.equal(m4.verdict, 'not-compared');
  assert.deepEqual([m4.window?.runs, m4.window?.since?.commit, m4.window?.since?.confirmed], [4, SHA(20), true]);
  assert.match(m4.note!, /^not judged: the series changed level at cccccc. \(\+(19|20|21)\.\d %\) and has 4 runs since; the band needs 5$/);
  // One slow run at the newest end: set aside, and the gate judges as usual.
  const one = history([...before, { time: 1.2 }]);
  const slow = compareWithHistory(one, current({ time: 1.2 }), t);
  assert.deepEqual([timeOf(slow).verdict, timeOf(slow).window?.runs, timeOf(slow).window?.outliers, timeOf(slow).window?.since], ['regression', 10, 1, null]);
});

test('a cell the history has only 3 runs of: its memory is judged exactly, its time not yet', () => {
  const h = history(quietLevels(6));
  const added = h.runs[0]!.run.cells[4]!.id;
  for (const { run } of h.runs.slice(0, 3)) run.cells = run.cells.filter((c) => c.id !== added);
  const c = compareWithHistory(h, current({ time: 1.3 }), t);
  const cell = c.cells.find((x) => x.id === added)!;
  const time = cell.metrics.find((m) => m.metric === 'time')!;
  assert.equal(time.verdict, 'not-compared');
  assert.equal(time.note, 'not judged: the series has 3 runs; the band needs 5');
  assert.equal(cell.metrics.find((m) => m.metric === 'tensor')!.verdict, 'unchanged');
  assert.deepEqual(c.cells.filter((x) => x.id !== added).map((x) => x.verdict), Array(4).fill('regression'));
});

test('errors: no history for this machine, too few runs (how many more), no cell in common, a window too small, not a run folder', () => {
  const gpu = history(quietLevels(6));
  const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof UserError && re.test(e.message), re.source);
  // The smoke run was made on a CPU with wasm: another machine.
  refused(() => compareWithHistory(gpu, current({ time: 1 }, SMOKE_RUN), t),
    /^synthetic-history has no run on this machine \(AMD EPYC ×2 · wasm 4\.22\.0 · Node 20 \[[0-9a-f]{12}\]\); it has runs on: NVIDIA H200 · driver 580\.159\.04 · CUDA 13\.0 · torch 2\.11\.0\+cu130 \[[0-9a-f]{12}\] \(6 runs\)\. Compare with a baseline from this machine, or file runs made here first$/);
  refused(() => compareWithHistory(history(quietLevels(3)), current({ time: 1 }), t),
    /^synthetic-history has 3 runs of suite 'h100' on this machine \(NVIDIA H200 .*\); comparing with the history needs at least 5: file 2 more with `mobius-bench history add`, or compare with one baseline until then$/);
  refused(() => compareWithHistory({ dir: 'empty', runs: [] }, current({ time: 1 }), t), /^empty: the history has no runs yet/);
  refused(() => compareWithHistory(gpu, current({ time: 1 }), t, 3), /^--window 3: a window needs at least 5 runs/);
  // Every cell id changed (another configuration): nothing to compare.
  const renamed = runCopy(GPU_RUN, { commit: 'f'.repeat(40), startedAt: '2026-12-20T00:00:00.000Z' });
  const file = join(renamed, 'results.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  writeFileSync(file, lines.map((l, i) => `${JSON.stringify({ ...l, id: `0000000000${i}a` })}\n`).join(''));
  refused(() => compareWithHistory(gpu, readCurrentRun(renamed), t), /^none of the 5 cells of .* is in synthetic-history's 6 runs of suite 'h100' on this machine/);
  // One cell new: compared without it, a warning, and the history's cell it replaced is missing from the run.
  writeFileSync(file, lines.map((l, i) => `${JSON.stringify(i === 0 ? { ...l, id: '0000000000aa' } : l)}\n`).join(''));
  const partial = compareWithHistory(gpu, readCurrentRun(renamed), t);
  assert.equal(partial.cells.length, 4);
  assert.deepEqual(partial.onlyInCurrent.map((x) => x.id), ['0000000000aa']);
  assert.deepEqual(partial.onlyInBaseline.map((x) => x.id), [lines[0].id]);
  assert.equal(partial.exitCode, 1, 'a cell of the history missing from the run fails, as with one baseline');
  assert.equal(compareWithHistory(gpu, readCurrentRun(renamed), { ...t, missingGated: false }).exitCode, 0);
  refused(() => readCurrentRun(join(renamed, 'results.jsonl')), /compare --history takes the current run's folder \(run\.json names its machine\), not a baseline file$/);
  refused(() => readCurrentRun(join(renamed, 'nope')), /nope: no such run folder$/);
});

test('the current run filed in the history already is left out of its windows', () => {
  const h = history(quietLevels(6));
  const filedAgain = { ...h, runs: [...h.runs] };
  const cur = current({ time: 1 });
  // File the current run itself: same suite, start, commit and machine.
  filedAgain.runs.push({ file: 'self.json', run: filedRunOf(cur.snapshot.source, notGit) });
  const c = compareWithHistory(filedAgain, cur, t);
  assert.equal(c.history?.runs, 6);
  assert.ok(c.warnings.some((w) => /is filed in the history already: it was left out of the windows/.test(w)));
  assert.equal(MIN_WINDOW, 5);
});

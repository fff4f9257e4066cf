// The history store and its change points: `history add` files a run under
// its commit (dated by git where git knows it) and machine as one new file,
// refuses the same run twice and runs it cannot file, and a damaged history
// file stops add and report with its file and line (exit 2) while every file
// stays as it was. End to end through the CLI: add, and report --json on a
// history where a commit made Mobius's memory 1 % larger.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { historyAddCommand, historyReportCommand, type HistoryReportOptions } from '../src/cli/history-command.ts';
import { addRun } from '../src/history/add-run.ts';
import { readHistory } from '../src/history/history-folder.ts';
import { buildSeries } from '../src/history/series.ts';
import { UserError } from '../src/user-error.ts';
import { FIXTURE_RUNS, gitRepo, runCopy } from './history-fixtures.ts';
import { tempDir } from './temp-dir.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const SMOKE = join(FIXTURE_RUNS, 'smoke-five-modes');

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir` with its text: what "nothing changed" compares. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

test('history add files a run under its commit, dated by git, and its machine, as one new file; the same run again is refused', () => {
  const repo = gitRepo(['first', 'speed up the temporal attention']);
  const run = runCopy(SMOKE, { commit: repo.shas[1]!, startedAt: '2026-11-20T10:00:00.000Z' });
  const dir = join(tempDir('mobius-history-'), 'history');
  const { file, run: filed } = addRun(run, dir, repo.dir);
  assert.equal(filed.commit.sha, repo.shas[1]);
  assert.equal(filed.commit.dateFrom, 'git');
  assert.equal(filed.commit.date, repo.dates[1]);
  assert.equal(filed.commit.subject, 'speed up the temporal attention');
  assert.equal(filed.commit.dirty, false);
  assert.equal(filed.machine.label, 'AMD EPYC ×2 · wasm 4.22.0 · Node 20');
  assert.deepEqual(filed.machine.backends, ['wasm 4.22.0']);
  assert.equal(filed.cells.length, 5);
  assert.match(relative(dir, file), new RegExp(`^runs/amd-epyc-${filed.machine.id}/20261102-${repo.shas[1]!.slice(0, 12)}-${filed.runId}\\.json$`));
  // One cell a line, as written; what is read back is what was filed.
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split('\n').filter((l) => l.startsWith('    {"id"')).length, 5);
  assert.ok(!text.includes('"stats"'), 'derived statistics are not stored');
  const [back] = readHistory(dir).runs;
  assert.equal(back!.run.runId, filed.runId);
  assert.deepEqual(back!.run.cells.map((c) => c.status === 'ok' && c.stats.medianMs), filed.cells.map((c) => c.status === 'ok' && c.stats.medianMs));

  const before = snapshot(dir);
  assert.throws(() => addRun(run, dir, repo.dir), (e: unknown) => e instanceof UserError && /filed already, as .*\.json; nothing was changed/.test(e.message));
  // A copy of the same run folder elsewhere is the same run.
  const copy = tempDir('mobius-history-copy-');
  cpSync(run, copy, { recursive: true });
  assert.throws(() => addRun(copy, dir, repo.dir), /filed already/);
  assert.deepEqual(snapshot(dir), before);
  // Another run of the same commit is another file beside it.
  addRun(runCopy(SMOKE, { commit: repo.shas[1]!, startedAt: '2026-11-20T11:00:00.000Z' }), dir, repo.dir);
  assert.equal(readHistory(dir).runs.length, 2);
  for (const [name, content] of before) assert.equal(readFileSync(join(dir, name), 'utf8'), content, `${name} was rewritten`);
});

test('a commit git does not know here is dated by the run\'s start; a dirty tree is marked', () => {
  const notGit = tempDir('mobius-history-nogit-');
  const run = runCopy(SMOKE, { commit: 'ab'.repeat(20), dirty: true, startedAt: '2026-11-21T09:30:00.000Z' });
  const dir = join(notGit, 'history');
  const { run: filed } = addRun(run, dir, notGit);
  assert.deepEqual(filed.commit, { sha: 'ab'.repeat(20), dirty: true, date: '2026-11-21T09:30:00.000Z', dateFrom: 'run-start', subject: null });

  // One commit filed from a clone that knows it and from one that does not: git's date orders it.
  const repo = gitRepo(['old', 'new']);
  const mixed = join(notGit, 'mixed');
  addRun(runCopy(SMOKE, { commit: repo.shas[0]!, startedAt: '2026-12-01T00:00:00.000Z' }), mixed, notGit);
  addRun(runCopy(SMOKE, { commit: repo.shas[1]!, startedAt: '2026-11-25T00:00:00.000Z' }), mixed, repo.dir);
  addRun(runCopy(SMOKE, { commit: repo.shas[0]!, startedAt: '2026-11-24T00:00:00.000Z', dirty: true }), mixed, repo.dir);
  const h = buildSeries(readHistory(mixed));
  assert.deepEqual(h.commits.map((c) => [c.sha, c.date, c.subject]), [[repo.shas[0], repo.dates[0], 'old'], [repo.shas[1], repo.dates[1], 'new']]);
  assert.deepEqual(h.runs.map((r) => [r.commit.sha, r.commit.dirty, r.run.startedAt]), [
    [repo.shas[0], true, '2026-11-24T00:00:00.000Z'], [repo.shas[0], false, '2026-12-01T00:00:00.000Z'], [repo.shas[1], false, '2026-11-25T00:00:00.000Z'],
  ]);
});

test('runs that cannot be filed, and folders that are not histories, are refused with what to do', () => {
  const repo = gitRepo(['one']);
  const dir = join(tempDir('mobius-history-'), 'history');
  const edit = (change: (run: Record<string, any>) => void) => {
    const run = runCopy(SMOKE, { commit: repo.shas[0]!, startedAt: '2026-11-22T09:00:00.000Z' });
    const record = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
    change(record);
    writeFileSync(join(run, 'run.json'), JSON.stringify(record));
    return run;
  };
  assert.throws(() => addRun(edit((r) => { r.endedAt = null; }), dir, repo.dir), /did not finish \(no end in run\.json\); finish it with `mobius-bench run \S+ --resume/);
  assert.throws(() => addRun(edit((r) => { r.interrupted = true; }), dir, repo.dir), /did not finish \(interrupted\)/);
  assert.throws(() => addRun(edit((r) => { r.environment.git = { commit: null, dirty: null, note: 'no git commit: not a git repository' }; }), dir, repo.dir),
    /records no git commit \(no git commit: not a git repository\)/);
  const notHistory = tempDir('mobius-history-other-');
  writeFileSync(join(notHistory, 'notes.txt'), 'mine');
  assert.throws(() => addRun(runCopy(SMOKE, { commit: repo.shas[0]!, startedAt: '2026-11-22T09:00:00.000Z' }), notHistory, repo.dir), /has files but no history\.json/);
  assert.deepEqual(readdirSync(notHistory), ['notes.txt']);
  // A git worktree of a new, empty branch (only its .git) is an empty folder: it becomes a history.
  const worktree = tempDir('mobius-history-worktree-');
  writeFileSync(join(worktree, '.git'), 'gitdir: elsewhere\n');
  addRun(runCopy(SMOKE, { commit: repo.shas[0]!, startedAt: '2026-11-22T09:00:00.000Z' }), worktree, repo.dir);
  assert.equal(readHistory(worktree).runs.length, 1);
});

test('a damaged history file: add and report exit 2 naming the file and line, and nothing on disk changes', async () => {
  const repo = gitRepo(['one', 'two']);
  const dir = join(tempDir('mobius-history-'), 'history');
  const { file } = addRun(runCopy(SMOKE, { commit: repo.shas[0]!, startedAt: '2026-11-23T09:00:00.000Z' }), dir, repo.dir);
  const lines = readFileSync(file, 'utf8').split('\n');
  const third = lines.findIndex((l) => l.includes('"label":"tiny delta-parallel b1 a1 4f 64px"'));
  assert.ok(third > 0);
  // A hand edit that breaks a cell's samples: the schema names the line and the field.
  lines[third] = lines[third]!.replace(/"stepMs":\[[^\]]*\]/, '"stepMs":"fast"');
  writeFileSync(file, lines.join('\n'));
  const damaged = snapshot(dir);
  const next = runCopy(SMOKE, { commit: repo.shas[1]!, startedAt: '2026-11-24T09:00:00.000Z' });
  const problem = `${file}:${third + 1}: cells[2].stepMs: Invalid input: expected array, received string`;
  // Through the CLI: one line, exit 2, and the new run is not added.
  const r = cli(repo.dir, 'history', 'add', next, '--history', dir);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `mobius-bench: ${problem}\n`);
  assert.deepEqual(snapshot(dir), damaged);
  await assert.rejects(historyReportCommand(dir, { json: true }), (e: unknown) => e instanceof UserError && e.message === problem);
  // A file cut off mid-write (not by add, which links finished files only): JSON's error, with the file.
  writeFileSync(file, lines.slice(0, third).join('\n'));
  assert.throws(() => readHistory(dir), (e: unknown) => e instanceof UserError && e.message.startsWith(`${file}:`) && /not valid JSON/.test(e.message));
  assert.equal(snapshot(dir).size, damaged.size);
});

test('end to end: history add, then report --json through the CLI finds the commit that made Mobius\'s memory 1 % larger', () => {
  // 14 commits; from the 9th on, delta-parallel's peak is 1 % larger (exact, tensor memory); time only jitters.
  const repo = gitRepo(Array.from({ length: 14 }, (_, i) => (i === 8 ? 'keep the fusion conv\'s input alive <b>1 %</b>' : `commit ${i + 1}`)));
  const dir = join(tempDir('mobius-history-'), 'history');
  const jitter = [1, 0.99, 1.01, 1.005, 0.995, 1.002, 0.998, 1.01, 0.99, 1.003, 0.997, 1.006, 0.994, 1];
  repo.shas.forEach((sha, i) => {
    const run = runCopy(SMOKE, { commit: sha, startedAt: new Date(Date.parse(repo.dates[i]!) + 3_600_000).toISOString(), timeScale: jitter[i]!, memoryScale: i >= 8 ? 1.01 : 1, memoryModes: ['delta-parallel'] });
    const said = historyAddCommand(run, { history: dir }, repo.dir);
    if (i === 0) assert.match(said, new RegExp(`^filed the smoke run of ${sha.slice(0, 12)}, committed 2026-11-01, on AMD EPYC ×2 · wasm 4\\.22\\.0 · Node 20: .*\\.json$`));
  });
  const r = cli(repo.dir, 'history', 'report', dir, '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.runs, 14);
  const found = report.changePoints.map((c: Record<string, unknown>) => `${c.label} ${c.pair ?? ''} ${c.metric}`.replace(/ +/g, ' '));
  assert.deepEqual(found.sort(), [
    'tiny b1 a1 4f 64px delta-parallel / delta-serial memory-ratio',
    'tiny b1 a1 4f 64px delta-parallel / full memory-ratio',
    'tiny delta-parallel b1 a1 4f 64px peak-memory',
  ]);
  const peak = report.changePoints.find((c: { metric: string }) => c.metric === 'peak-memory');
  assert.equal(peak.commit, repo.shas[8]);
  assert.equal(peak.previousCommit, repo.shas[7]);
  assert.equal(peak.before, 65_600_484);
  assert.equal(peak.after, Math.round(65_600_484 * 1.01));
  assert.equal(peak.direction, 'regression');
  assert.equal(peak.message, 'keep the fusion conv\'s input alive <b>1 %</b>');
  assert.deepEqual([peak.runsBefore, peak.runsAfter, peak.exact, peak.unit], [8, 6, true, 'B']);
  for (const c of report.changePoints) assert.equal(c.commit, repo.shas[8]);
});

test('history report needs --out or --json, a safe --commit-url, and a history folder', async () => {
  const notHistory = tempDir('mobius-history-other-');
  mkdirSync(join(notHistory, 'runs'));
  const refused = (opts: HistoryReportOptions, message: RegExp) => assert.rejects(historyReportCommand(notHistory, opts), (e: unknown) => e instanceof UserError && message.test(e.message));
  await refused({}, /give --out <site folder>, --json, or both/);
  await refused({ json: true }, /no history\.json — not a mobius-bench history folder/);
  await refused({ json: true, commitUrl: 'javascript:alert(1)//{commit}' }, /--commit-url javascript:alert\(1\)\/\/\{commit\}: give an http\(s\) address with \{commit\}/);
  await refused({ json: true, commitUrl: 'https://github.com/o/r/commit/' }, /with \{commit\} where the commit goes/);
});

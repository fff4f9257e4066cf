// `mobius-bench compare --history DIR RUN` end to end through the CLI: a
// history folder filed with `history add` from copies of the H200 run (8
// commits of a git repository, step times with 1 % run-to-run noise), a
// current run 10 % slower and one that is not, in every output format and
// with GitHub annotations; and the mistakes that are one line and exit 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { historyAddCommand } from '../src/cli/history-command.ts';
import { seededRandom } from '../src/results/stats.ts';
import { gitRepo, GPU_RUN, runCopy, SMOKE_RUN } from './history-fixtures.ts';
import { tempDir } from './temp-dir.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));

function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, GITHUB_ACTIONS: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const repo = gitRepo(Array.from({ length: 9 }, (_, i) => `commit ${i + 1}`));
const dir = join(tempDir('mobius-history-gate-cli-'), 'history');
const random = seededRandom(8);
// Main's last 8 commits filed; the 9th is the pull request's.
for (let i = 0; i < 8; i++) {
  const timeScale = 1 + 0.01 * (random() + random() + random() - 1.5) * 2;
  historyAddCommand(runCopy(GPU_RUN, { commit: repo.shas[i]!, startedAt: new Date(Date.parse(repo.dates[i]!) + 3_600_000).toISOString(), timeScale }), { history: dir }, repo.dir);
}
const pr = (timeScale: number) => runCopy(GPU_RUN, { commit: repo.shas[8]!, startedAt: '2026-12-01T00:00:00.000Z', timeScale });

test('a pull request 10 % slower than the history fails (exit 1) in the table, JSON, Markdown and annotations; an unchanged one passes', () => {
  const slow = pr(1.1);
  const md = join(tempDir('mobius-history-gate-md-'), 'compare.md');
  const table = cli(repo.dir, ['compare', '--history', dir, slow, '--markdown', md]);
  assert.equal(table.code, 1, table.stderr);
  assert.match(table.stdout, /^ {2}baseline: .*history \(history, commit [0-9a-f]{7}, NVIDIA H200 · driver 580\.159\.04 · CUDA 13\.0 · torch 2\.11\.0\+cu130\)$/m);
  assert.match(table.stdout, /against the history: per cell and metric, the last 10 runs of suite h100 on this machine since the series' last change point \(8 runs filed\)/);
  assert.match(table.stdout, /FAIL: 5 regressions/);
  assert.equal(table.stdout.split('\n').filter((l) => /^✗ {2}sd21 .*\+(9|10|11)\.\d % \(p < 0\.0001\) ✗$/.test(l)).length, 5);
  const markdown = readFileSync(md, 'utf8');
  assert.ok(markdown.startsWith('<!-- mobius-bench-compare -->\n## ❌ mobius-bench: 5 regressions in suite `h100`'));
  assert.match(markdown, /\| cell \| id \| metric \| baseline \| current \| change \| p \(window\) \|/);
  assert.match(markdown, /Against the history: per cell and metric, the last 10 runs/);

  const json = cli(repo.dir, ['compare', '--history', dir, slow, '--json'], { GITHUB_ACTIONS: 'true' });
  assert.equal(json.code, 1, json.stderr);
  const c = JSON.parse(json.stdout);
  assert.equal(c.format, 'mobius-bench-comparison');
  assert.deepEqual([c.history.window, c.history.runs, c.history.minRuns, c.baseline.kind, c.baseline.commit], [10, 8, 5, 'history', repo.shas[7]]);
  for (const cell of c.cells) {
    const time = cell.metrics.find((m: { metric: string }) => m.metric === 'time');
    assert.equal(time.verdict, 'regression');
    assert.equal(time.window.runs, 8);
    assert.equal(time.window.firstCommit, repo.shas[0]);
    assert.ok(time.current > time.window.high, 'above the band');
    assert.equal(cell.metrics.find((m: { metric: string }) => m.metric === 'tensor').verdict, 'unchanged');
  }
  // With --json the annotations go to stderr.
  assert.equal(json.stderr.split('\n').filter((l) => l.startsWith('::error title=mobius-bench h100%3A sd21 ')).length, 5);

  const same = cli(repo.dir, ['compare', '--history', dir, pr(1), '--window', '6']);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /the last 6 runs of suite h100/);
  assert.match(same.stdout, /OK: no regression · 0 improvements · \d+ warnings? · 5 unchanged/);
});

test('mistakes are one line and exit 2: another machine, a baseline file, two runs, no run, a small window, --window alone', () => {
  const run = pr(1);
  const refused = (args: string[], message: RegExp) => {
    const r = cli(repo.dir, args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), message);
  };
  refused(['compare', '--history', dir, SMOKE_RUN], /^mobius-bench: .*history has no run on this machine \(AMD EPYC ×2 · wasm 4\.22\.0 · Node 20 \[[0-9a-f]{12}\]\); it has runs on: NVIDIA H200 .* \(8 runs\)\./);
  refused(['compare', '--history', dir, join(run, 'results.jsonl')], /not a baseline file$/);
  refused(['compare', '--history', dir, run, run], /^mobius-bench: compare --history takes one run folder, the current run; got two/);
  refused(['compare', run], /^mobius-bench: compare needs the baseline and the current run \(.* and what\?\), or --history <dir> and the current run$/);
  refused(['compare', '--history', dir, run, '--window', '3'], /^mobius-bench: --window 3: a window needs at least 5 runs/);
  refused(['compare', run, run, '--window', '8'], /^mobius-bench: --window goes with --history <dir>$/);
  refused(['compare', '--history', join(dir, 'nope'), run], /no such history folder/);
});

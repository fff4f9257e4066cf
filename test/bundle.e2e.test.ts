// `npm run bundle`: the single-folder build runs with a bare Node from a
// folder outside the repository (no node_modules but its own): the version,
// a wasm suite end to end with its reports, `report` writing the page the
// sources write, and a torch cell through the Python package the bundle
// carries.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { torchPython as sharedTorchPython } from './torch-python.ts';
import { toHtml } from '../src/report/html.ts';
import { loadReportData } from '../src/report/report-data.ts';
import { readResults } from '../src/results/jsonl.ts';
import { tempDir } from './temp-dir.ts';
import { torchSkip } from './torch-required.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const work = tempDir('mobius-bundle-');
const bundle = join(work, 'mobius-bench');

const built = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/bundle.ts'), '--out', bundle], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

/** The bundle's CLI, run in the work folder with nothing on NODE_PATH. */
function bundled(...args: string[]) {
  const env = { ...process.env };
  delete env['NODE_PATH'];
  delete env['NODE_OPTIONS'];
  const r = spawnSync(process.execPath, [join(bundle, 'mobius-bench.mjs'), ...args], { cwd: work, encoding: 'utf8', timeout: 180_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the bundle builds and says its version', () => {
  assert.equal(built.status, 0, built.stderr);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(bundled('--version').stdout.trim(), pkg.version);
});

test('the bundle runs a wasm suite from a folder outside the repository, reports included', () => {
  copyFileSync(join(ROOT, 'test/fixtures/suites/two-cell.ts'), join(work, 'two-cell.ts'));
  // One cell of the two: what is tested is the bundle, not the runner (runner.e2e.test.ts runs both).
  const r = bundled('run', 'two-cell.ts', '--filter', 'mode=delta-parallel', '--out', 'wasm-run', '--json');
  assert.equal(r.code, 0, r.stderr);
  const results = readResults(join(work, 'wasm-run', 'results.jsonl')).results;
  assert.deepEqual(results.map((c) => c.status), ['ok']);
  const first = results[0]!;
  assert.ok(first.status === 'ok' && first.backend.name === 'wasm' && first.backend.patches.length === 4, JSON.stringify(first.status === 'ok' ? first.backend : first));
  assert.ok(existsSync(join(work, 'wasm-run', 'report.html')));
  // Built without --png: the charts are in report.html only, and it says so.
  assert.match(r.stderr, /charts\/\*\.png not written: @napi-rs\/canvas is not installed here/);
});

test('report from the bundle writes the page the sources write: Chart.js, the page script and style inlined', () => {
  // report-browser.e2e.test.ts draws the sources' page in Chromium: the same bytes draw the same.
  const run = join(ROOT, 'test/fixtures/runs/cpu-wasm');
  const r = bundled('report', run, '--out', 'cpu-report');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(work, 'cpu-report', 'report.html'), 'utf8'), toHtml(loadReportData(run)));
});

const torchPython = await sharedTorchPython();
const torchMissing = torchSkip(torchPython instanceof Error ? `no Python with torch: ${torchPython.message}` : false, 'the bundle\'s torch cell');

test('the bundle runs a torch cell through the Python package it carries', { skip: torchMissing }, () => {
  if (torchPython instanceof Error) return;
  copyFileSync(join(ROOT, 'suites/torch-smoke.ts'), join(work, 'torch-smoke.ts'));
  const r = bundled('run', 'torch-smoke.ts', '--filter', 'mode=delta-serial', '--out', 'torch-run', '--json', '--python', torchPython.executable);
  assert.equal(r.code, 0, r.stderr);
  const [cell] = readResults(join(work, 'torch-run', 'results.jsonl')).results;
  assert.ok(cell?.status === 'ok' && cell.backend.name === 'torch', JSON.stringify(cell));
});

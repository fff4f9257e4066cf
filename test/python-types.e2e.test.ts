// The torch worker's type hints hold: pyright (basic mode, python/pyproject.toml)
// over mobius_bench_torch and mobius_bench_checks, against the torch of the
// interpreter the worker would run with. 1.13's and 2.x's types differ: what
// only one has is reached through getattr behind a feature check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { torchPython } from './torch-python.ts';
import { torchSkip } from './torch-required.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const python = await torchPython();
const skip = torchSkip(python instanceof Error ? `no Python with torch: ${python.message}` : false, 'pyright on python/');

test('pyright finds no type error in the worker and its checks', { skip }, () => {
  const pyright = join(createRequire(import.meta.url).resolve('pyright/package.json'), '..', 'index.js');
  const exe = (python as Exclude<typeof python, Error>).executable;
  const r = spawnSync(process.execPath, [pyright, '--project', join(ROOT, 'python'), '--pythonpath', exe, '--outputjson'], { cwd: join(ROOT, 'python'), encoding: 'utf8', timeout: 180_000 });
  const report = JSON.parse(r.stdout) as { summary: { filesAnalyzed: number; errorCount: number }; generalDiagnostics: Array<{ file: string; range: { start: { line: number } }; message: string; severity: string }> };
  const errors = report.generalDiagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(errors, []);
  assert.ok(report.summary.filesAnalyzed >= 15, `only ${report.summary.filesAnalyzed} files analysed`);
});

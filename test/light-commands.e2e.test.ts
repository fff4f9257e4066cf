// Commands that do not train load no TensorFlow.js: `report`, `compare`,
// `--help`, `list`, the runner's own process and a torch `plan` start without
// it (the CLI imports each command when it runs; cells train and plan in
// workers; the torch planner counts its own FLOPs). Checked on the sources,
// where a module's URL says which package it is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOOK = join(ROOT, 'test/fixtures/hooks/record-modules.mjs');
const RUN = join(ROOT, 'test/fixtures/runs/cpu-wasm');

function modulesLoadedBy(...args: string[]): string[] {
  const dir = tempDir('mobius-light-');
  const file = join(dir, 'modules.txt');
  const r = spawnSync(process.execPath, ['--import', HOOK, join(ROOT, 'bin/mobius-bench.js'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, MOBIUS_BENCH_SOURCES: '1', MOBIUS_RECORD_MODULES: file }, timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

const tfjs = (urls: string[]) => urls.filter((u) => u.includes('/@tensorflow/'));

test('report, compare, --help, list, run --dry-run and a torch plan (the default from flags) load no TensorFlow.js module; a tfjs plan does', () => {
  const out = tempDir('mobius-light-report-');
  for (const args of [
    ['--help'],
    ['report', RUN, '--out', out],
    ['compare', RUN, RUN],
    // The runner's process: which cells, which backends are installed, the reports; the workers train.
    ['list', 'suites/smoke.ts'],
    ['run', 'suites/smoke.ts', '--dry-run'],
    ['plan', '--preset', 'tiny', '--mode', 'delta-parallel', '--backend', 'torch'],
    // The default: every mode, for PyTorch.
    ['plan', '--preset', 'tiny'],
  ]) {
    const urls = modulesLoadedBy(...args);
    assert.ok(urls.some((u) => u.endsWith('/src/cli.ts')), `${args[0]}: the recorder saw the CLI load`);
    assert.deepEqual(tfjs(urls), [], `${args.join(' ')} loaded TensorFlow.js`);
  }
  // The recorder would see it: planning a TensorFlow.js cell loads it — the engine only (the
  // planner's meta backend is the project's), not the `@tensorflow/tfjs` union's layers,
  // converter, data, webgl or cpu.
  const packages = new Set(tfjs(modulesLoadedBy('plan', '--preset', 'tiny', '--mode', 'delta-parallel', '--backend', 'wasm')).map((u) => u.match(/\/@tensorflow\/([^/]+)\//)![1]));
  assert.deepEqual([...packages], ['tfjs-core']);
});

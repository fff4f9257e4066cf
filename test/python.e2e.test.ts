// The torch worker's own tests (pytest, python/tests) as part of `npm test`:
// one test command for both languages. The interpreter is the one the
// harness itself would run the worker with; where none has torch the Python
// suite is reported as skipped, not passed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { torchWorkerEnv } from '../src/backend/torch/python-locator.ts';
import { torchPython } from './torch-python.ts';
import { TORCH_REQUIRED, torchSkip } from './torch-required.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const python = await torchPython();
const hasPytest = !(python instanceof Error) && spawnSync(python.executable, ['-m', 'pytest', '--version'], { encoding: 'utf8' }).status === 0;
const skip = torchSkip(python instanceof Error ? `no Python with torch: ${python.message}` : !hasPytest ? `${python.executable} has no pytest (Debian: apt-get install python3-pytest)` : false, 'pytest python/tests');

test('pytest python/tests: the torch worker against diffusers, its modes, training and protocol', { skip, timeout: 600_000 }, () => {
  const exe = (python as Exclude<typeof python, Error>).executable;
  const r = spawnSync(exe, ['-m', 'pytest', 'python/tests', '-q', '-p', 'no:cacheprovider'], { cwd: ROOT, env: torchWorkerEnv(), encoding: 'utf8', timeout: 600_000 });
  const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-40).join('\n');
  assert.equal(r.status, 0, `pytest failed (exit ${r.status}):\n${tail}`);
  const summary = /(\d+) passed/.exec(r.stdout);
  assert.ok(summary && Number(summary[1]) > 0, `pytest ran no test:\n${tail}`);
  if (TORCH_REQUIRED) assert.doesNotMatch(r.stdout, /\d+ skipped/, `pytest skipped tests where torch is required:\n${tail}`);
  console.log(`pytest (${exe}): ${r.stdout.trim().split('\n').at(-1)}`);
});

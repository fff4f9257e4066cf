// torchSkip: a missing torch skips the torch tests with its reason, except
// where CI requires torch, where it is a failing test that says why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.ts';
import { torchPython } from './torch-python.ts';

const HELPER = fileURLToPath(new URL('./torch-required.ts', import.meta.url));

function runWithoutTorch(env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const file = join(tempDir('mobius-torch-required-'), 'needs-torch.test.ts');
  writeFileSync(file, [
    `import { test } from 'node:test';`,
    `import { torchSkip } from ${JSON.stringify(HELPER)};`,
    `const skip = torchSkip('no Python with torch: none here', 'the worker');`,
    `test('a torch test', { skip }, () => {});`,
  ].join('\n'));
  // Without the parent runner's NODE_TEST_CONTEXT the child reports in TAP, as a run of its own.
  const { NODE_TEST_CONTEXT: _parent, ...inherited } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], { encoding: 'utf8', env: { ...inherited, ...env } });
  return { status: r.status, out: r.stdout };
}

test('without torch a torch test is skipped with its reason; under MOBIUS_REQUIRE_TORCH=1 it is a failure that says why', () => {
  const relaxed = runWithoutTorch({ MOBIUS_REQUIRE_TORCH: '' });
  assert.equal(relaxed.status, 0);
  assert.match(relaxed.out, /# SKIP no Python with torch: none here/);
  assert.match(relaxed.out, /# fail 0/);
  const strict = runWithoutTorch({ MOBIUS_REQUIRE_TORCH: '1' });
  assert.equal(strict.status, 1);
  assert.match(strict.out, /not ok \d+ - the worker: torch is required here \(MOBIUS_REQUIRE_TORCH=1\)/);
  assert.match(strict.out, /no Python with torch: none here/);
});

test('the tests search for a Python with torch once a run: the first file writes the answer, the others read it', async () => {
  const saved = { shared: process.env['MOBIUS_TEST_SHARED_DIR'], python: process.env['MOBIUS_PYTHON'] };
  const shared = tempDir('mobius-test-shared-');
  process.env['MOBIUS_TEST_SHARED_DIR'] = shared;
  // An interpreter that is not there: the search fails at once, without importing torch.
  process.env['MOBIUS_PYTHON'] = join(shared, 'no-python');
  try {
    const first = await torchPython();
    assert.ok(first instanceof Error);
    assert.match(first.message, /MOBIUS_PYTHON: .*no-python: no such interpreter/);
    assert.deepEqual(JSON.parse(readFileSync(join(shared, 'torch-python.json'), 'utf8')), { error: first.message });
    assert.equal(existsSync(join(shared, `torch-python.json.${process.pid}`)), false);
    // A later file reads the answer on disk instead of searching.
    writeFileSync(join(shared, 'torch-python.json'), JSON.stringify({ error: 'planted answer' }));
    assert.deepEqual(await torchPython(), new Error('planted answer'));
  } finally {
    for (const [name, value] of [['MOBIUS_TEST_SHARED_DIR', saved.shared], ['MOBIUS_PYTHON', saved.python]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

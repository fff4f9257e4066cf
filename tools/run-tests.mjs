// `npm test`: every test file (test/*.test.ts, the Python suite through
// test/python.e2e.test.ts), as many at a time as the machine has cores (at least
// two; one more made no difference on 2 cores: the files are CPU-bound),
// reported by spec, then the ten slowest files; first the CLI's build, where the
// tree changed since it was made (tools/test-build.mjs). Plain JavaScript: it runs before tsx is loaded.
// `npm run test:unit` (--unit): the unit files alone, those that start no process
// (the end-to-end ones are test/*.e2e.test.ts; tools/unit-test-guard.mjs holds the line).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFreshBuild } from './test-build.mjs';
import { isEndToEndFile, isTestFile } from './unit-test-guard.mjs';

const unitOnly = process.argv.includes('--unit');
// Unit files run no CLI: they need no build.
if (!unitOnly) {
  try {
    const { message } = ensureFreshBuild(fileURLToPath(new URL('..', import.meta.url)));
    if (message) console.error(message);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}

const files = readdirSync('test')
  .filter((f) => isTestFile(f) && !(unitOnly && isEndToEndFile(f)))
  .sort()
  .map((f) => join('test', f));
const args = [
  // By absolute path: a process started with the test file's execArgv finds it from any folder.
  '--import', fileURLToPath(new URL('./unit-test-guard.mjs', import.meta.url)), '--import', 'tsx', '--test',
  `--test-concurrency=${Math.max(2, availableParallelism())}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./tools/slowest-test-files.mjs', '--test-reporter-destination=stdout',
  ...files,
];
// Two files at a time on two cores: torch's OpenMP threads in one file's workers would
// contend with the other file and spin while they wait (pytest alone: 41.6 s of CPU with
// torch's default threads, 31.8 s with one). torchrun gives its ranks one thread already.
// MOBIUS_TEST_SHARED_DIR: what the files work out once for all of them (test/torch-python.ts).
const shared = mkdtempSync(join(tmpdir(), 'mobius-test-shared-'));
const env = { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1', MOBIUS_TEST_SHARED_DIR: shared };
// Ctrl-C reaches the test runner as well: wait for it to end, then remove the folder.
process.on('SIGINT', () => {});
spawn(process.execPath, args, { stdio: 'inherit', env }).on('exit', (code, signal) => {
  rmSync(shared, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});

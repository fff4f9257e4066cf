// Loaded (--import) into every test file's process by tools/run-tests.mjs: a unit
// test file (test/*.test.ts) starts no process; one that runs a CLI, a worker,
// Python or a browser is an end-to-end file and says so in its name
// (test/*.e2e.test.ts). `npm run test:unit` runs the unit files alone, so that
// split must hold: here a unit file that starts a process fails at that call,
// and its process exits 1 even where the error was caught and turned into a skip.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';

const SPAWNING = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];

/** Whether a path names a test file (not a CLI or worker the tests start). */
export function isTestFile(file) {
  return /\.test\.[cm]?[jt]s$/.test(file);
}

/** Whether a test file, by its name, may start processes. */
export function isEndToEndFile(file) {
  return /\.e2e\.test\.[cm]?[jt]s$/.test(file);
}

/** The unit test file this process runs (its base name), or null. */
export function unitTestFile(argv = process.argv) {
  const file = argv[1] ?? '';
  return isTestFile(file) && !isEndToEndFile(file) ? basename(file) : null;
}

/** The error a unit file gets for starting a process: what it did and what to do. */
export function unitSpawnError(name, what) {
  const e2eName = name.replace(/\.test\.([cm]?[jt]s)$/, '.e2e.test.$1');
  return new Error(
    `${name} started a process (${what}), but it is a unit test file: unit files run without ` +
      `processes (npm run test:unit). Rename it ${e2eName} if it is an end-to-end test.`,
  );
}

const unitFile = unitTestFile();
if (unitFile != null) {
  for (const fn of SPAWNING) {
    childProcess[fn] = function refused(command) {
      process.exitCode = 1;
      const err = unitSpawnError(unitFile, `child_process.${fn}: ${String(command)}`);
      console.error(err.message);
      throw err;
    };
  }
  // `import { spawn } from 'node:child_process'` binds the ESM export: update it too.
  syncBuiltinESMExports();
}

// The Python with torch the tests use: the harness's own search
// (locateTorchPython), made once per `npm test` instead of once per test file.
// Each search imports torch in a new interpreter (a second or two of CPU);
// tools/run-tests.mjs names a folder for the answer in MOBIUS_TEST_SHARED_DIR,
// and the first file to ask writes it there. Run alone, a file searches itself.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateTorchPython, type TorchPython } from '../src/backend/torch/python-locator.ts';
import { unitSpawnError, unitTestFile } from '../tools/unit-test-guard.mjs';

type Answer = { python: TorchPython } | { error: string };

/** The interpreter and its torch environment, or the Error that says why there is none. */
export async function torchPython(): Promise<TorchPython | Error> {
  // A unit file's search would be refused and its answer (no torch) shared with every file.
  const unitFile = unitTestFile();
  if (unitFile != null) throw unitSpawnError(unitFile, "the search for torch's Python");
  const shared = process.env['MOBIUS_TEST_SHARED_DIR'];
  const file = shared ? join(shared, 'torch-python.json') : null;
  let answer: Answer | null = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Answer) : null;
  if (answer == null) {
    answer = await locateTorchPython().then((python) => ({ python }), (err: Error) => ({ error: err.message }));
    if (file) {
      // Written whole, then renamed: a file starting beside this one reads all of it or none.
      writeFileSync(`${file}.${process.pid}`, JSON.stringify(answer));
      renameSync(`${file}.${process.pid}`, file);
    }
  }
  return 'python' in answer ? answer.python : new Error(answer.error);
}

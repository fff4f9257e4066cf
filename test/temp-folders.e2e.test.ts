// `npm test` leaves no /tmp/mobius-* folders behind: every test makes its
// temporary folders through tempDir (test/temp-dir.ts), and those are gone
// when the test file's process ends, however it ends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const TEST_DIR = fileURLToPath(new URL('.', import.meta.url));
const TEMP_DIR_MODULE = join(TEST_DIR, 'temp-dir.ts');

test('no test file makes a folder in the system temp folder except through tempDir', () => {
  const offenders: string[] = [];
  for (const file of readdirSync(TEST_DIR).filter((f) => f.endsWith('.ts') && f !== 'temp-dir.ts' && f !== 'temp-folders.e2e.test.ts')) {
    const text = readFileSync(join(TEST_DIR, file), 'utf8');
    if (/mkdtemp(Sync)?\(\s*(path\.)?join\(\s*(os\.)?tmpdir\(\)/.test(text)) offenders.push(file);
  }
  assert.deepEqual(offenders, []);
});

for (const [how, ending] of [
  ['ends normally', ''],
  ['fails with exit code 1', 'process.exitCode = 1;'],
  ['dies of an uncaught exception', "throw new Error('boom');"],
] as const) {
  test(`tempDir's folders are removed when the process ${how}`, () => {
    const script = `import { writeFileSync, mkdirSync } from 'node:fs';
import { tempDir } from ${JSON.stringify(TEMP_DIR_MODULE)};
const dir = tempDir('mobius-temp-folders-');
mkdirSync(dir + '/nested');
writeFileSync(dir + '/nested/file', 'x');
console.log(dir);
${ending}`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    const dir = r.stdout.trim();
    assert.match(dir, /mobius-temp-folders-/, r.stderr);
    assert.equal(existsSync(dir), false, `${dir} is left behind`);
  });
}

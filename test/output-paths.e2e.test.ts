// Output paths a command cannot write (a file where a folder is expected, a
// place where nothing can be created): one line naming the flag and the path,
// exit 2 (never 1, which means "regression"), no stack trace, before any work.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const RUN = fileURLToPath(new URL('./fixtures/runs/cpu-wasm', import.meta.url));
const root = tempDir('mobius-output-paths-');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const aFile = join(root, 'a-file');
writeFileSync(aFile, 'not a folder\n');
// /proc refuses new entries even to root, so this is unwritable whoever runs the tests.
const impossible = '/proc/mobius-bench-cannot-be-here';

const cases: Array<[string, string[], string, string]> = [
  ['run --out', ['run', 'suites/smoke.ts'], '--out', 'folder'],
  ['report --out', ['report', RUN], '--out', 'folder'],
  ['baseline save --to', ['baseline', 'save', RUN], '--to', 'file'],
  ['compare --markdown', ['compare', RUN, RUN], '--markdown', 'file'],
];

for (const [name, args, flag, kind] of cases) {
  test(`${name}: a file where a folder is expected, and an unwritable path → one line, exit 2, no stack`, () => {
    const fileForFolder = kind === 'folder' ? aFile : join(aFile, 'out.json');
    for (const path of [fileForFolder, join(impossible, 'x')]) {
      const r = cli(...args, flag, path);
      assert.equal(r.code, 2, `${name} ${path}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]!.startsWith(`mobius-bench: ${flag} ${path}: `), lines[0]);
      assert.doesNotMatch(r.stderr, /^ {4}at /m);
    }
  });
}

test('run --out checks the folder before the first cell: nothing ran, no results', () => {
  const r = cli('run', 'suites/smoke.ts', '--out', join(aFile, 'run'));
  assert.equal(r.code, 2);
  assert.ok(!existsSync(join(aFile, 'run')));
  assert.doesNotMatch(r.stderr, /ok, .* failed/);
});

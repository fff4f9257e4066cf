// The unit/end-to-end split of test/ (tools/unit-test-guard.mjs): a unit test file
// that starts a process fails, with what it started and the name it should have;
// an end-to-end file (*.e2e.test.*) may; an error caught and swallowed still fails
// the file. End-to-end itself: it runs Node.js on small test files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isEndToEndFile, isTestFile, unitTestFile } from '../tools/unit-test-guard.mjs';
import { tempDir } from './temp-dir.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GUARD = join(ROOT, 'tools/unit-test-guard.mjs');
const STARTS_NODE = `import { spawnSync } from 'node:child_process';\nspawnSync(process.execPath, ['-e', '']);\n`;
const SWALLOWS = `import { execFileSync } from 'node:child_process';\ntry { execFileSync('git', ['--version']); } catch {}\n`;

/** Runs `source`, saved as `name`, with the guard loaded as tools/run-tests.mjs loads it. */
function runAs(name: string, source: string): { status: number | null; stderr: string } {
  const file = join(tempDir('mobius-unit-guard-'), name);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, ['--import', GUARD, file], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('a unit test file that starts a process fails, naming the call and the e2e name to take', () => {
  const r = runAs('starts-node.test.mjs', STARTS_NODE);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /starts-node\.test\.mjs started a process \(child_process\.spawnSync: .*node.*\), but it is a unit test file/);
  assert.match(r.stderr, /Rename it starts-node\.e2e\.test\.mjs/);
});

test('a unit test file that catches the refusal still exits 1; an end-to-end file starts processes', () => {
  const swallowed = runAs('swallows.test.mjs', SWALLOWS);
  assert.equal(swallowed.status, 1);
  assert.match(swallowed.stderr, /child_process\.execFileSync: git/);
  for (const [name, source] of [['starts-node.e2e.test.mjs', STARTS_NODE], ['swallows.e2e.test.mjs', SWALLOWS]]) {
    const r = runAs(name!, source!);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  }
  // A script that is no test file (a CLI or worker the tests start) is left alone.
  assert.equal(runAs('worker.mjs', STARTS_NODE).status, 0);
});

test('which files are unit files: by name, and test/ has both kinds', () => {
  assert.equal(unitTestFile(['node', '/w/test/stats.test.ts']), 'stats.test.ts');
  assert.equal(unitTestFile(['node', '/w/test/runner.e2e.test.ts']), null);
  assert.equal(unitTestFile(['node', '/w/dist/mobius-bench/worker.mjs']), null);
  assert.equal(unitTestFile(['node']), null);
  const files = readdirSync(fileURLToPath(new URL('.', import.meta.url))).filter(isTestFile);
  assert.ok(files.filter(isEndToEndFile).length >= 20 && files.filter((f) => !isEndToEndFile(f)).length >= 20, files.join(' '));
});

test('npm run test:unit runs the unit files alone, each with the guard', () => {
  // A checkout of three test files, with the repository's tools and packages.
  const root = tempDir('mobius-unit-run-');
  for (const dir of ['tools', 'node_modules']) symlinkSync(join(ROOT, dir), join(root, dir));
  mkdirSync(join(root, 'test'));
  const passes = `import { test } from 'node:test';\ntest('passes', () => {});\n`;
  writeFileSync(join(root, 'test', 'plain.test.mjs'), passes);
  writeFileSync(join(root, 'test', 'starts-node.test.mjs'), `${STARTS_NODE}${passes}`);
  writeFileSync(join(root, 'test', 'never-run.e2e.test.mjs'), `${passes}console.log('E2E FILE RAN');\n`);
  // Without NODE_TEST_CONTEXT, set for this file: the runner would take itself for a nested one.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(root, 'tools/run-tests.mjs'), '--unit'], { cwd: root, encoding: 'utf8', env });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 1, out);
  assert.match(out, /starts-node\.test\.mjs started a process/);
  assert.match(out, /of 2\)/, 'two files run, the end-to-end one left out');
  assert.doesNotMatch(out, /E2E FILE RAN|never-run/);
});

// The commands mobius-bench prints for the user to type name it the way it was
// started: on PATH, through npx, or by its path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliInvocation } from '../src/user-command.ts';
import { tempDir } from './temp-dir.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// As a user's shell would have it: not started through npm.
const SHELL_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));

test('through npx or npm run, the printed command goes through them too', () => {
  assert.equal(cliInvocation(['node', '/x/node_modules/.bin/mobius-bench'], { npm_command: 'exec', PATH: '' }, '/x'), 'npx mobius-bench');
  assert.equal(cliInvocation(['node', '/x/bin/mobius-bench.js'], { npm_command: 'run-script', npm_lifecycle_event: 'mobius-bench', PATH: '' }, '/x'), 'npm run mobius-bench --');
});

test('a bin link on PATH is typed by its name; one that PATH does not reach, through npx', () => {
  const dir = tempDir('user-command-');
  const bin = join(dir, 'project', 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  const script = join(dir, 'project', 'cli.js');
  writeFileSync(script, '');
  symlinkSync(script, join(bin, 'mobius-bench'));
  assert.equal(cliInvocation(['node', join(bin, 'mobius-bench')], { PATH: `/nowhere:${bin}` }, dir), 'mobius-bench');
  assert.equal(cliInvocation(['node', join(bin, 'mobius-bench')], { PATH: '/usr/bin' }, dir), 'npx mobius-bench');
  // Another mobius-bench earlier on PATH is not this one.
  const other = join(dir, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'mobius-bench'), '');
  assert.equal(cliInvocation(['node', join(bin, 'mobius-bench')], { PATH: other }, dir), 'npx mobius-bench');
});

test('started by its path: node and the path from where the user stands (tsx for the sources)', () => {
  assert.equal(cliInvocation(['node', '/w/dist/mobius-bench/mobius-bench.mjs'], { PATH: '' }, '/w'), 'node dist/mobius-bench/mobius-bench.mjs');
  assert.equal(cliInvocation(['node', '/w/bin/mobius-bench.js'], { PATH: '' }, '/elsewhere'), 'node /w/bin/mobius-bench.js');
  assert.equal(cliInvocation(['node', '/w/src/cli.ts'], { PATH: '' }, '/w'), 'npx tsx src/cli.ts');
  assert.equal(cliInvocation(['node', '/my dir/bin/mobius-bench.js'], { PATH: '' }, '/'), 'node "my dir/bin/mobius-bench.js"');
});

test('a printed command runs as printed: the hint of a filter that matches nothing, typed into a shell', () => {
  const run = spawnSync(process.execPath, ['bin/mobius-bench.js', 'run', 'suites/smoke.ts', '--filter', 'mode=nothing'], { cwd: ROOT, env: SHELL_ENV, encoding: 'utf8' });
  assert.equal(run.status, 2, run.stderr);
  const hint = /\((.*) shows its cells\)/.exec(run.stderr);
  assert.ok(hint, run.stderr);
  assert.equal(hint[1], 'node bin/mobius-bench.js list suites/smoke.ts');
  const listed = spawnSync('sh', ['-c', hint[1]!], { cwd: ROOT, env: SHELL_ENV, encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /delta-parallel/);
});

test('called as a library (a test, a bench script), the printed command is the plain name', () => {
  assert.equal(cliInvocation(['node', '/w/test/history.e2e.test.ts'], { PATH: '' }, '/w'), 'mobius-bench');
  assert.equal(cliInvocation(['node', '/w/bench/cli-startup.ts'], { PATH: '' }, '/w'), 'mobius-bench');
});

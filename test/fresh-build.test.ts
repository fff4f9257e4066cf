// bin/mobius-bench.js runs the build in dist/ only while it is fresh: complete
// (build-info.json written last) and started after the last change to any of its
// sources; otherwise the sources, so an edited tree never runs stale code.
// `npm test` builds a stale one first (tools/test-build.mjs), so its CLIs run the build.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { BUILD_SOURCES, freshBuild } from '../bin/fresh-build.js';
import { ensureFreshBuild } from '../tools/test-build.mjs';
import { tempDir } from './temp-dir.ts';

/** A repository with every build source, last changed at `sourcesAt`, and a build started at `builtAt` (null: none). */
function repo(sourcesAt: number, builtAt: number | null): string {
  const root = tempDir('mobius-fresh-build-');
  for (const s of BUILD_SOURCES) {
    const path = join(root, s);
    if (s.includes('.')) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, '{}');
    } else {
      mkdirSync(join(path, 'deeper'), { recursive: true });
      writeFileSync(join(path, 'deeper', 'file.ts'), '');
      utimesSync(join(path, 'deeper', 'file.ts'), sourcesAt / 1000, sourcesAt / 1000);
      utimesSync(join(path, 'deeper'), sourcesAt / 1000, sourcesAt / 1000);
    }
    utimesSync(path, sourcesAt / 1000, sourcesAt / 1000);
  }
  if (builtAt != null) {
    const dist = join(root, 'dist', 'mobius-bench');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'mobius-bench.mjs'), '');
    writeFileSync(join(dist, 'build-info.json'), JSON.stringify({ startedAt: builtAt }));
  }
  return root;
}

test('a complete build started after the last change to its sources is run; a stale, partial or missing one is not', () => {
  const t = Date.parse('2026-12-01T12:00:00Z');
  const fresh = repo(t, t + 1000);
  assert.equal(freshBuild(fresh), join(fresh, 'dist', 'mobius-bench', 'mobius-bench.mjs'));
  assert.equal(freshBuild(repo(t + 2000, t + 1000)), null, 'a source changed after the build started');
  assert.equal(freshBuild(repo(t, null)), null, 'no build');
  const deepEdit = repo(t, t + 1000);
  const file = join(deepEdit, 'src', 'deeper', 'file.ts');
  utimesSync(file, (t + 5000) / 1000, (t + 5000) / 1000);
  assert.equal(freshBuild(deepEdit), null, 'a file deep in src/ changed');
  const interrupted = repo(t, t + 1000);
  writeFileSync(join(interrupted, 'dist', 'mobius-bench', 'build-info.json'), '{"startedAt":');
  assert.equal(freshBuild(interrupted), null, 'a damaged build-info');
});

/** A build that writes the CLI and then its start, as tools/bundle.ts does; `status` other than 0 writes nothing. */
function fakeBuild(status = 0, startedAt = () => Date.now()) {
  const roots: string[] = [];
  const build = (root: string) => {
    roots.push(root);
    if (status === 0) {
      const dist = join(root, 'dist', 'mobius-bench');
      mkdirSync(dist, { recursive: true });
      writeFileSync(join(dist, 'mobius-bench.mjs'), '');
      writeFileSync(join(dist, 'build-info.json'), JSON.stringify({ startedAt: startedAt() }));
    }
    return { status, stderr: status === 0 ? '' : '✘ [ERROR] Expected ";" but found "}"\n    src/cli.ts:3:1' };
  };
  return { roots, build };
}

test('npm test builds a stale build first and leaves a fresh one alone; MOBIUS_BENCH_SOURCES=1 builds nothing; a failed build stops it with its message', () => {
  const t = Date.now() - 60_000;
  const fresh = fakeBuild();
  assert.deepEqual(ensureFreshBuild(repo(t, t + 1000), { env: {}, build: fresh.build }), { state: 'fresh', message: null });
  assert.equal(fresh.roots.length, 0);

  const stale = repo(t + 2000, t + 1000);
  const rebuild = fakeBuild();
  const r = ensureFreshBuild(stale, { env: {}, build: rebuild.build });
  assert.deepEqual(rebuild.roots, [stale]);
  assert.equal(r.state, 'rebuilt');
  assert.match(r.message ?? '', /^dist\/mobius-bench\/ was missing or older than its sources: built in \d+\.\d s/);
  assert.equal(freshBuild(stale), join(stale, 'dist', 'mobius-bench', 'mobius-bench.mjs'), 'the CLIs run the build now');

  const asked = fakeBuild();
  assert.equal(ensureFreshBuild(repo(t + 2000, t + 1000), { env: { MOBIUS_BENCH_SOURCES: '1' }, build: asked.build }).state, 'sources');
  assert.equal(asked.roots.length, 0);

  // A source dated after the build's start (a clock set back, a file from the future): the build
  // cannot be fresh, and the run says the CLIs run the sources.
  const backdated = fakeBuild(0, () => t);
  const stillStale = ensureFreshBuild(repo(t + 2000, t + 1000), { env: {}, build: backdated.build });
  assert.equal(stillStale.state, 'sources');
  assert.match(stillStale.message ?? '', /still older than a source file/);

  const missing = repo(t, null);
  assert.equal(ensureFreshBuild(missing, { env: {}, build: fakeBuild().build }).state, 'rebuilt', 'no build yet: built');

  const broken = repo(t + 2000, t + 1000);
  assert.throws(() => ensureFreshBuild(broken, { env: {}, build: fakeBuild(1).build }), /building it failed \(exit 1\):\n.*Expected ";"[\s\S]*MOBIUS_BENCH_SOURCES=1 npm test/);
  assert.equal(freshBuild(broken), null);
});

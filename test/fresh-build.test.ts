// bin/mobius-bench.js runs the build in dist/ only while it is fresh: complete
// (build-info.json written last) and started after the last change to any of its
// sources; otherwise the sources, so an edited tree never runs stale code.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { BUILD_SOURCES, freshBuild } from '../bin/fresh-build.js';
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

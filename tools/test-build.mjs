// Before `npm test`: the CLIs and workers the tests start run the build in
// dist/mobius-bench/ while it is fresh (bin/fresh-build.js), the sources
// through tsx otherwise — each process then pays for tsx and its transforms
// (test/runner.e2e.test.ts: 38–44 s instead of 30–34 s here). So a tree edited since the
// last build is built again first (a second or two), and the tests start the
// CLI as users run it. MOBIUS_BENCH_SOURCES=1 (test the sources) builds nothing.
// Plain JavaScript: it runs before tsx is loaded.
import { spawnSync } from 'node:child_process';
import { freshBuild } from '../bin/fresh-build.js';

/** `npm run build` (package.json's one definition of the build): its exit status and what it printed to stderr. */
function buildInRepo(root) {
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr || String(r.error ?? '') };
}

/**
 * Builds dist/mobius-bench/ where it is missing or older than its sources. Returns what the
 * tests' CLIs will run — 'fresh' (it was), 'rebuilt', or 'sources' (asked for, or the build
 * is still not newer than its sources: a file dated in the future) — and the line to print, if any.
 * Throws with the build's own message when the build fails.
 */
export function ensureFreshBuild(root, { env = process.env, build = buildInRepo } = {}) {
  if (env.MOBIUS_BENCH_SOURCES === '1') return { state: 'sources', message: 'MOBIUS_BENCH_SOURCES=1: the tests\' CLIs run the sources through tsx' };
  if (freshBuild(root)) return { state: 'fresh', message: null };
  const startedAt = Date.now();
  const r = build(root);
  if (r.status !== 0) {
    throw new Error(`npm test: dist/mobius-bench/ is missing or older than its sources, and building it failed (exit ${r.status}):\n${r.stderr.trim()}\n` +
      'Fix the build (npm run build), or test the sources with MOBIUS_BENCH_SOURCES=1 npm test.');
  }
  if (!freshBuild(root)) {
    return { state: 'sources', message: 'dist/mobius-bench/ was rebuilt but is still older than a source file (dated in the future?): the tests\' CLIs run the sources through tsx' };
  }
  return { state: 'rebuilt', message: `dist/mobius-bench/ was missing or older than its sources: built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (npm run build)` };
}

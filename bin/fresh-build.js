// Which CLI bin/mobius-bench.js runs: the build in dist/mobius-bench/ (`npm run
// build`, made by npm ci's prepare) when it was started after the last change to
// anything it is built from, else null (the TypeScript sources, through tsx).
// An edited tree never runs a stale build; a fresh one starts in a fifth of the time.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the build is made from, relative to the repository root. */
export const BUILD_SOURCES = ['src', 'python/mobius_bench_torch', 'tools/bundle.ts', 'package.json', 'package-lock.json'];

/** The newest modification time (ms) under `path`; 0 where it does not exist. */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === '__pycache__') continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** The built CLI's path if the build in `buildDir` is complete and newer than its sources; else null. */
export function freshBuild(root, buildDir = join(root, 'dist', 'mobius-bench')) {
  const info = join(buildDir, 'build-info.json');
  const cli = join(buildDir, 'mobius-bench.mjs');
  if (!existsSync(info) || !existsSync(cli)) return null;
  let startedAt;
  try {
    startedAt = JSON.parse(readFileSync(info, 'utf8')).startedAt;
  } catch {
    return null;
  }
  if (typeof startedAt !== 'number') return null;
  return BUILD_SOURCES.every((s) => newestMtime(join(root, s)) <= startedAt) ? cli : null;
}

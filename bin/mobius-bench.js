#!/usr/bin/env node
// The CLI: the build in dist/mobius-bench/ where it is fresh (bin/fresh-build.js),
// else the TypeScript sources through tsx. Suites (.ts) load through tsx either way.
// MOBIUS_BENCH_SOURCES=1 always runs the sources.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBuild } from './fresh-build.js';

const built = process.env.MOBIUS_BENCH_SOURCES === '1' ? null : freshBuild(fileURLToPath(new URL('..', import.meta.url)));
if (built) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}

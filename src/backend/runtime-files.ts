// Where the files the program opens or starts at run time are: beside the
// TypeScript sources (run through tsx), or beside the single-file build of
// `npm run bundle` (tools/bundle.ts), where every module shares the bundle's
// import.meta.url and there is no tsx to load TypeScript workers.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshBuild } from '../../bin/fresh-build.js';

// Defined by the bundle build (true, and the versions of the packages built
// into it); absent when the sources run.
declare const __MOBIUS_BUNDLE__: boolean | undefined;
declare const __MOBIUS_BUNDLED_VERSIONS__: Record<string, string> | undefined;
export const BUNDLED = typeof __MOBIUS_BUNDLE__ !== 'undefined' && __MOBIUS_BUNDLE__;
const BUNDLED_VERSIONS: Record<string, string> = typeof __MOBIUS_BUNDLED_VERSIONS__ !== 'undefined' ? __MOBIUS_BUNDLED_VERSIONS__ : {};

const require = createRequire(import.meta.url);

/** The version of an npm package this program can load (built into the bundle, or installed beside it); null when neither. */
export function packageVersion(pkg: string): string | null {
  const bundled = BUNDLED_VERSIONS[pkg];
  if (bundled) return bundled;
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Built into the bundle: loads whatever node_modules holds. */
export function isBundledPackage(pkg: string): boolean {
  return BUNDLED_VERSIONS[pkg] != null;
}

/** Each file: its path from src/ in the sources, its name in the bundle's folder. */
const FILES = {
  /** The TensorFlow.js cell worker (a Node process). */
  tfjsWorker: ['runner/tfjs-worker.ts', 'worker.mjs'],
  /** The planner's child process. */
  planWorker: ['plan/plan-worker.ts', 'plan-worker.mjs'],
  /** The public API a suite imports as 'mobius-bench'. */
  publicApi: ['index.ts', 'index.mjs'],
  /** The folder holding the torch worker's Python package. */
  python: ['../python/', 'python/'],
  /** name and version. */
  packageJson: ['../package.json', 'package.json'],
} as const;

/** The workers a process starts. */
const WORKERS = new Set<keyof typeof FILES>(['tfjsWorker', 'planWorker']);

let freshBuildFolder: string | null | undefined;
/**
 * From the sources, the build in dist/ where it is fresh (bin/fresh-build.js: the same code):
 * its workers start without tsx, about a second sooner each. MOBIUS_BENCH_SOURCES=1 keeps the sources.
 */
function builtWorkersFolder(): string | null {
  if (freshBuildFolder === undefined) {
    const cli = BUNDLED || process.env['MOBIUS_BENCH_SOURCES'] === '1' ? null : freshBuild(fileURLToPath(runtimeUrl('../../')));
    freshBuildFolder = cli ? dirname(cli) : null;
  }
  return freshBuildFolder;
}

export function runtimeFile(name: keyof typeof FILES): string {
  const [source, bundled] = FILES[name];
  if (!BUNDLED && WORKERS.has(name)) {
    const built = builtWorkersFolder();
    if (built) return join(built, bundled);
  }
  return fileURLToPath(runtimeUrl(BUNDLED ? `./${bundled}` : `../${source}`));
}

function runtimeUrl(relative: string): URL {
  return new URL(relative, import.meta.url);
}

/** The bundle's folder, where it carries the wasm binaries and Chart.js's browser build. */
export function bundleFolder(): string {
  if (!BUNDLED) throw new Error('bundleFolder() outside the bundle');
  return fileURLToPath(runtimeUrl('./'));
}

/** How a Node child runs a worker script: a TypeScript one through tsx, a built one as it is. */
export function nodeWorkerExecArgv(script: string): string[] {
  return script.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
}

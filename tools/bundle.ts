// `npm run bundle`: mobius-bench as one folder that runs with a bare Node 20
// (no npm install, no registry: GPU clusters often have neither) —
//   mobius-bench.mjs   the CLI, every JavaScript dependency built in
//   worker.mjs, plan-worker.mjs   the processes the CLI starts
//   index.mjs          what a suite imports as 'mobius-bench'
//   *.wasm             TensorFlow.js's wasm backend
//   chart.umd.js       inlined into report.html
//   report-assets/     report.html's own script and style (src/report/assets/)
//   python/            the torch worker's package
//   node_modules/      tsx and esbuild's binary for this platform (suites are
//                      TypeScript, loaded at run time); @napi-rs/canvas with --png
// Run it as `node <out>/mobius-bench.mjs run suites/h100.ts`.
// `npm run build` (npm ci's prepare) builds it --in-repo, into dist/mobius-bench/,
// without node_modules (Node finds them in the repository's): what
// bin/mobius-bench.js runs while it is fresh (bin/fresh-build.js).
//   npx tsx tools/bundle.ts [--out dist/mobius-bench] [--png] [--in-repo]
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist/mobius-bench' }, png: { type: 'boolean', default: false }, 'in-repo': { type: 'boolean', default: false } } });
const startedAt = Date.now();
const out = resolve(values.out);
const root = resolve(import.meta.dirname, '..');
// npm ci installs flat: every package is a folder of node_modules (some hide package.json from require).
const packageFolder = (pkg: string) => join(root, 'node_modules', pkg);
const versionOf = (pkg: string) => (JSON.parse(readFileSync(join(packageFolder(pkg), 'package.json'), 'utf8')) as { version: string }).version;

/** Loaded at run time from the bundle's node_modules (native code, or loaders that must stay files). */
const EXTERNAL = ['tsx', 'tsx/*', 'esbuild', '@napi-rs/canvas', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
/** Built in: what `env` and the run's environment report as their versions. */
const BUILT_IN = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', 'chart.js', 'zod', 'commander'];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: {
    'mobius-bench': join(root, 'src/cli.ts'),
    worker: join(root, 'src/runner/tfjs-worker.ts'),
    'plan-worker': join(root, 'src/plan/plan-worker.ts'),
    index: join(root, 'src/index.ts'),
  },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // The four entries share TensorFlow.js and the model: one copy, in a chunk
  // beside them (import.meta.url of every module must be the bundle's folder).
  splitting: true,
  chunkNames: 'chunk-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  define: {
    __MOBIUS_BUNDLE__: 'true',
    __MOBIUS_BUNDLED_VERSIONS__: JSON.stringify(Object.fromEntries(BUILT_IN.map((p) => [p, versionOf(p)]))),
  },
  // CommonJS inside (the wasm backend's Emscripten glue) calls require and reads __dirname.
  banner: {
    js: [
      "import { createRequire as __mobiusCreateRequire } from 'node:module';",
      "import { fileURLToPath as __mobiusFileURLToPath } from 'node:url';",
      'const require = __mobiusCreateRequire(import.meta.url);',
      'const __filename = __mobiusFileURLToPath(import.meta.url);',
      "const __dirname = __mobiusFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  logLevel: 'warning',
});

const wasmOut = join(packageFolder('@tensorflow/tfjs-backend-wasm'), 'wasm-out');
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) cpSync(join(wasmOut, file), join(out, file));
cpSync(join(packageFolder('chart.js'), 'dist', 'chart.umd.js'), join(out, 'chart.umd.js'));
cpSync(join(root, 'src', 'report', 'assets'), join(out, 'report-assets'), { recursive: true });
cpSync(join(root, 'python', 'mobius_bench_torch'), join(out, 'python', 'mobius_bench_torch'), { recursive: true, filter: (src) => !src.includes('__pycache__') });
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true }, null, 2)}\n`);

// tsx loads the suites; esbuild's native binary for this platform does the work. A build
// inside the repository (--in-repo: `npm run build`) finds these, and the optional
// tfjs-node packages, in the repository's node_modules above it, as Node resolves.
const modules = values['in-repo'] ? [] : ['tsx', 'esbuild', `@esbuild/${process.platform}-${process.arch}`];
if (values.png && !values['in-repo']) modules.push('@napi-rs/canvas', `@napi-rs/canvas-${process.platform}-${process.arch}-gnu`);
for (const m of modules) {
  const from = packageFolder(m);
  if (!existsSync(from)) throw new Error(`${m} is not installed here: run npm ci first`);
  cpSync(from, join(out, 'node_modules', m), { recursive: true });
}
// Written last: bin/fresh-build.js runs a build only if it finished, and started after every change to its sources.
writeFileSync(join(out, 'build-info.json'), `${JSON.stringify({ startedAt, version: pkg.version }, null, 2)}\n`);
console.log(`mobius-bench ${pkg.version} in ${out}: node ${join(values.out, 'mobius-bench.mjs')} --help${values.png || values['in-repo'] ? '' : ' (no PNG charts: build with --png for them)'}`);

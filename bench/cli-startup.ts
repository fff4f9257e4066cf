// How long the CLI takes to answer, wall clock through bin/mobius-bench.js
// (issue 18's targets: --version and --help under 0.3 s, `plan` for sd21
// under 1.5 s): the median of several runs, from the fresh build (npm run
// build) and from the sources through tsx (MOBIUS_BENCH_SOURCES=1).
//   npm run build && npx tsx bench/cli-startup.ts [--runs 7]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { freshBuild } from '../bin/fresh-build.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/mobius-bench.js');
const COMMANDS: Array<[string, string[]]> = [
  ['--version', ['--version']],
  ['--help', ['--help']],
  ['plan sd21 (torch)', ['plan', '--preset', 'sd21', '--mode', 'delta-parallel', '--backend', 'torch', '--precision', 'bf16', '--batch', '2', '--accum', '2', '--frames', '8', '--size', '256']],
  ['plan sd21 (wasm)', ['plan', '--preset', 'sd21', '--mode', 'delta-parallel', '--backend', 'wasm', '--batch', '2', '--accum', '2', '--frames', '8', '--size', '256']],
];

function seconds(args: string[], sources: boolean): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MOBIUS_BENCH_SOURCES: sources ? '1' : '' } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

const built = freshBuild(ROOT) != null;
console.log(`median of ${values.runs} runs, wall seconds${built ? '' : ' (no fresh build: run npm run build first)'}`);
console.log('| command | fresh build | sources (tsx) |');
console.log('|---|---|---|');
for (const [label, args] of COMMANDS) {
  const take = (sources: boolean) => median(Array.from({ length: Number(values.runs) }, () => seconds(args, sources))).toFixed(2);
  console.log(`| ${label} | ${built ? take(false) : '—'} | ${take(true)} |`);
}

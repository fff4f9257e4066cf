// Prepares the device calls of issue 10 (a GPU machine with PyTorch and
// nvidia-smi, no Node.js), everything under scratch/device/ (git-ignored), to
// be carried:
// 1. the torch worker against the reference script on the same GPU: the cells
//    as the worker reads them on stdin (resolved configs), the reference's
//    matching cell arguments, and a copy of the reference with diffusers;
//       device: bash bench/device/gpu-vs-reference.sh   (carry scratch/device)
//       here:   npx tsx bench/device/summarize.ts <the files that came back>
// 2. with --bundle, the harness itself end to end: the single-folder build
//    and this machine's Node binary, each xz-compressed (the carried tree's
//    limit is 64 MiB), for
//       device: bash bench/device/harness-run.sh        (carry scratch/device)
//   npx tsx bench/device/prepare.ts [--suite suites/h100.ts] [--filter size=256] [--bundle]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectCells } from '../../src/suite/select.ts';
import type { Mode } from '../../src/train/modes.ts';

const { values } = parseArgs({ options: { suite: { type: 'string', default: 'suites/h100.ts' }, filter: { type: 'string', default: 'size=256' }, bundle: { type: 'boolean', default: false } } });
const OUT = 'scratch/device';
const REFERENCE = '../shared/reference';

/** The reference script's names for the modes it has (it has no full fine-tuning). */
const REFERENCE_MODES: Partial<Record<Mode, string>> = {
  'delta-serial': 'serial', 'delta-serial-ckpt': 'serial-ckpt', 'delta-parallel': 'parallel', 'delta-parallel-ckpt': 'parallel-ckpt',
};

const { selected } = await selectCells({ suiteFile: values.suite, filter: values.filter });
rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'reference'), { recursive: true });
const lines: string[] = [];
for (const cell of selected) {
  const c = cell.config;
  const referenceMode = REFERENCE_MODES[c.mode];
  const reference = referenceMode ? { preset: c.preset, mode: referenceMode, size: c.size, frames: c.frames, batch: c.batch, accum: c.accum, warmup: c.warmup, steps: c.steps, precision: c.precision ?? 'fp32' } : null;
  // One line per cell: a name for the files, the worker's stdin message, the reference's argument.
  lines.push(JSON.stringify({ name: `${c.mode}-${c.size}px-${c.precision ?? 'fp32'}`, worker: { type: 'run', id: cell.id, config: c }, reference }));
}
writeFileSync(join(OUT, 'cells.jsonl'), `${lines.join('\n')}\n`);
cpSync(join(REFERENCE, 'mobius_torch.py'), join(OUT, 'reference', 'mobius_torch.py'));
cpSync(join(REFERENCE, 'diffusers'), join(OUT, 'reference', 'diffusers'), { recursive: true });
console.log(`${selected.length} cells of ${values.suite} (${values.filter}) in ${OUT}/cells.jsonl, the reference in ${OUT}/reference`);
if (values.bundle) {
  const build = join(OUT, 'build');
  execFileSync(process.execPath, ['--import', 'tsx', 'tools/bundle.ts', '--out', join(build, 'mobius-bench')], { stdio: 'inherit' });
  cpSync(values.suite, join(build, 'suite.ts'));
  writeFileSync(join(build, 'filter.txt'), `${values.filter}\n`);
  execFileSync('tar', ['-C', build, '-cJf', join(OUT, 'mobius-bench.tar.xz'), 'mobius-bench', 'suite.ts', 'filter.txt']);
  execFileSync('sh', ['-c', `xz -6 -T0 -c "${process.execPath}" > ${join(OUT, 'node.xz')}`]);
  rmSync(build, { recursive: true, force: true });
  const mib = (f: string) => (statSync(join(OUT, f)).size / 2 ** 20).toFixed(1);
  console.log(`the harness: ${OUT}/mobius-bench.tar.xz (${mib('mobius-bench.tar.xz')} MiB) and Node ${process.version} in ${OUT}/node.xz (${mib('node.xz')} MiB)`);
}

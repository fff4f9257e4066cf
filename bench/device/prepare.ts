// Prepares the device calls of issues 10 and 23 (a GPU machine with PyTorch
// and nvidia-smi, no Node.js), everything under scratch/device/ (git-ignored),
// to be carried:
// 1. the torch worker against the reference script on the same GPU: the cells
//    as the worker reads them on stdin (resolved configs), the reference's
//    matching cell arguments (the same precision, frozen-weight dtype and
//    attention), and a copy of the reference with diffusers;
// 2. with --bundle, the harness itself end to end: the single-folder build
//    and this machine's Node binary, each xz-compressed (the carried tree's
//    limit is 64 MiB).
// On the device, one call runs both, in the order of the cells here, within
// a time budget:  bash bench/device/session.sh   (carry scratch/device)
// Here:           npx tsx bench/device/summarize.ts <the folder that came back>
//   npx tsx bench/device/prepare.ts [--suite FILE]... [--filter K=V] [--harness suites/h100.ts] [--bundle]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectCells } from '../../src/suite/select.ts';
import type { Mode } from '../../src/train/modes.ts';

// Issue 23's cells, in the order the device runs them (the most wanted first):
// the paper's cell in bf16 at 256 then 512 px, then fp16 and fp32 at 256 px.
const DEFAULT_SUITES = ['suites/h100.ts', 'bench/device/suites/h100-fp16.ts', 'bench/device/suites/h100-fp32.ts'];
const { values } = parseArgs({
  options: {
    suite: { type: 'string', multiple: true },
    filter: { type: 'string', default: 'mode=delta-serial|delta-parallel|delta-serial-ckpt|delta-parallel-ckpt' },
    harness: { type: 'string', default: 'suites/h100.ts' },
    bundle: { type: 'boolean', default: false },
  },
});
const OUT = 'scratch/device';
const REFERENCE = '../shared/reference';

/** The reference script's names for the modes it has (it has no full fine-tuning). */
const REFERENCE_MODES: Partial<Record<Mode, string>> = {
  'delta-serial': 'serial', 'delta-serial-ckpt': 'serial-ckpt', 'delta-parallel': 'parallel', 'delta-parallel-ckpt': 'parallel-ckpt',
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'reference'), { recursive: true });
const lines: string[] = [];
for (const suiteFile of values.suite ?? DEFAULT_SUITES) {
  const { selected } = await selectCells({ suiteFile, filter: values.filter });
  for (const cell of selected) {
    const c = cell.config;
    const precision = c.precision ?? 'fp32';
    const frozen = c.frozenWeights ?? 'fp32';
    const referenceMode = REFERENCE_MODES[c.mode];
    // The reference stores the frozen weights in fp32 unless told (frozen_dtype). Attention
    // is SDPA on both: the worker's 'auto' on torch 2.x, and diffusers' default processor.
    const reference = referenceMode
      ? {
          preset: c.preset, mode: referenceMode, size: c.size, frames: c.frames, batch: c.batch, accum: c.accum, warmup: c.warmup, steps: c.steps, precision,
          ...(frozen !== 'fp32' ? { frozen_dtype: frozen } : {}),
        }
      : null;
    // Every field that tells two cells of these suites apart: no file overwrites another.
    const name = `${c.mode}-${c.size}px-${precision}${frozen !== 'fp32' ? `-frozen-${frozen}` : ''}${c.batch !== 2 || c.accum !== 2 || c.frames !== 8 ? `-b${c.batch}a${c.accum}f${c.frames}` : ''}`;
    // One line per cell: a name for the files, the worker's stdin message, the reference's argument.
    lines.push(JSON.stringify({ name, worker: { type: 'run', id: cell.id, config: c }, reference }));
  }
}
writeFileSync(join(OUT, 'cells.jsonl'), `${lines.join('\n')}\n`);
cpSync(join(REFERENCE, 'mobius_torch.py'), join(OUT, 'reference', 'mobius_torch.py'));
cpSync(join(REFERENCE, 'diffusers'), join(OUT, 'reference', 'diffusers'), { recursive: true, filter: (src) => !src.includes('__pycache__') });
// The device has no git: say which commit (and whether the tree had changes) these come from.
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
writeFileSync(join(OUT, 'commit.txt'), `mobius-bench ${commit}${dirty ? ' with uncommitted changes' : ''}\n`);
console.log(`${lines.length} cells in ${OUT}/cells.jsonl, the reference in ${OUT}/reference`);
if (values.bundle) {
  const build = join(OUT, 'build');
  execFileSync(process.execPath, ['--import', 'tsx', 'tools/bundle.ts', '--out', join(build, 'mobius-bench')], { stdio: 'inherit' });
  cpSync(values.harness, join(build, 'suite.ts'));
  execFileSync('tar', ['-C', build, '-cJf', join(OUT, 'mobius-bench.tar.xz'), 'mobius-bench', 'suite.ts']);
  execFileSync('sh', ['-c', `xz -6 -T0 -c "${process.execPath}" > ${join(OUT, 'node.xz')}`]);
  rmSync(build, { recursive: true, force: true });
  const mib = (f: string) => (statSync(join(OUT, f)).size / 2 ** 20).toFixed(1);
  console.log(`the harness (${values.harness}): ${OUT}/mobius-bench.tar.xz (${mib('mobius-bench.tar.xz')} MiB) and Node ${process.version} in ${OUT}/node.xz (${mib('node.xz')} MiB)`);
}

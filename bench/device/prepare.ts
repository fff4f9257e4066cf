// Prepares one device call that compares the torch worker with the reference
// script on the same GPU (issue 10): the cells as the worker reads them on
// stdin (the resolved configs: the device machine has no Node.js), the
// reference's matching cell arguments, and a copy of the reference script
// with diffusers — all under scratch/device/ (git-ignored), to be carried:
//   npx tsx bench/device/prepare.ts [--suite suites/h100.ts] [--filter size=256]
//   device run: bash bench/device/gpu-vs-reference.sh   (carry: scratch/device)
//   npx tsx bench/device/summarize.ts <the folder the run's $OUT came back to>
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectCells } from '../../src/suite/select.ts';
import type { Mode } from '../../src/train/modes.ts';

const { values } = parseArgs({ options: { suite: { type: 'string', default: 'suites/h100.ts' }, filter: { type: 'string', default: 'size=256' } } });
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

// `mobius-bench baseline save <run dir> [--to file]`: a compact baseline of a
// run (per cell: id, config, summary figures, step samples) to commit or to
// keep as a CI artifact. Returns a line to print that names the file written.
import { readFileSync } from 'node:fs';
import { saveBaseline } from '../gate/baseline.ts';
import { readBaselineFile } from '../results/baseline-file.ts';
import { ensureOutputFile } from '../results/output-paths.ts';

export async function baselineSaveCommand(runDir: string, opts: { to?: string; force?: boolean } = {}): Promise<string> {
  if (opts.to != null) ensureOutputFile(opts.to, '--to');
  const file = saveBaseline(runDir, opts.to, opts.force);
  const b = readBaselineFile(file);
  const failed = b.cells.filter((c) => c.status === 'failed').length;
  const kib = (readFileSync(file).length / 1024).toFixed(1);
  return `baseline of suite ${b.suite.name}: ${b.cells.length} cells${failed ? ` (${failed} failed)` : ''}, ${kib} KiB, written to ${file}`;
}

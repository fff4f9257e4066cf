// `mobius-bench report <run dir | results.jsonl> [--out dir]`: renders the
// reports of a finished (or interrupted) run again, into the run folder or
// --out.
import { resolve } from 'node:path';
import { writeReports } from '../report/write-reports.ts';
import { locateRun } from '../report/report-data.ts';
import { ensureOutputFolder } from '../results/output-paths.ts';

export async function reportCommand(input: string, opts: { out?: string }): Promise<{ outDir: string; files: string[] }> {
  if (opts.out != null) ensureOutputFolder(opts.out, '--out');
  const outDir = opts.out != null ? resolve(opts.out) : locateRun(input).runDir;
  const files = await writeReports(input, outDir);
  return { outDir, files };
}

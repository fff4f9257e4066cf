// Writes every report of a run — results.csv, summary.md, report.html and
// charts/*.png — from its results.jsonl (and run.json beside it). The runner
// calls it after every run; `mobius-bench report` on demand.
import { mkdir } from 'node:fs/promises';
import { csvExporter } from './csv.ts';
import type { Exporter } from './exporter.ts';
import { htmlExporter } from './html.ts';
import { markdownExporter } from './markdown.ts';
import { pngExporter } from './png.ts';
import { loadReportData } from './report-data.ts';

const EXPORTERS: readonly Exporter[] = [csvExporter, markdownExporter, htmlExporter, pngExporter];

/**
 * `runDir`: a run folder, or a results.jsonl path (run.json is read beside it).
 * `outDir` defaults to the run folder. Returns the paths written.
 * Throws UserError for a missing or damaged input, naming the path.
 */
export async function writeReports(runDir: string, outDir?: string): Promise<string[]> {
  const data = loadReportData(runDir);
  const out = outDir ?? data.runDir;
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  for (const exporter of EXPORTERS) files.push(...(await exporter.write(data, out)));
  return files;
}

// Writes every report of a run — results.csv, summary.md, report.html and
// charts/*.png — from its results.jsonl (and run.json beside it). The runner
// calls it after every run; `mobius-bench report` on demand. The one place in
// report/ that touches the disk: the exporters only return their files.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { csvExporter } from './csv.ts';
import type { Exporter, ReportFile } from './exporter.ts';
import { htmlExporter } from './html.ts';
import { markdownExporter } from './markdown.ts';
import { pngExporter } from './png.ts';
import { loadReportData } from './report-data.ts';

export const EXPORTERS: readonly Exporter[] = [csvExporter, markdownExporter, htmlExporter, pngExporter];

/**
 * `runDir`: a run folder, or a results.jsonl path (run.json is read beside it).
 * `outDir` defaults to the run folder. Returns the paths written.
 * Throws UserError for a missing or damaged input, naming the path.
 */
export async function writeReports(runDir: string, outDir?: string): Promise<string[]> {
  const data = loadReportData(runDir);
  const out = outDir ?? data.runDir;
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  for (const exporter of EXPORTERS) {
    const rendered = await exporter.render(data);
    if ('unavailable' in rendered) {
      process.stderr.write(`mobius-bench: ${rendered.unavailable}\n`);
      continue;
    }
    if (exporter.replaces) await removeEarlier(out, exporter.replaces);
    for (const file of rendered.files) written.push(await writeReportFile(out, file));
  }
  return written;
}

/** Empties a format's own folder of its files (a chart an earlier report drew may be gone now). */
async function removeEarlier(out: string, { folder, extension }: NonNullable<Exporter['replaces']>): Promise<void> {
  const dir = join(out, folder);
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) if (name.endsWith(extension)) await rm(join(dir, name));
}

async function writeReportFile(out: string, file: ReportFile): Promise<string> {
  const path = join(out, file.path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, file.contents);
  return path;
}

// The one interface every report format implements (as hyperfine's export/):
// it turns the analysed run into the files of its format — names and contents
// — and touches no disk; write-reports.ts alone writes them (as hyperfine's
// ExportManager). Formats never read results.jsonl themselves.
import type { ReportData } from './report-data.ts';

export interface ReportFile {
  /** Relative to the output folder: `summary.md`, `charts/<id>.png`. */
  path: string;
  contents: string | Uint8Array;
}

/** A format's files, or why it cannot make them here (printed; the other formats are still written). */
export type Rendered = { files: ReportFile[] } | { unavailable: string };

export interface Exporter {
  /** e.g. 'csv', for messages. */
  readonly name: string;
  /**
   * A folder this format fills alone: a report written again first removes
   * the files with this extension there, so none of an earlier report stays.
   */
  readonly replaces?: { folder: string; extension: string };
  /** Pure: from the data alone, the same files every time; writes nothing. */
  render(data: ReportData): Rendered | Promise<Rendered>;
}

/** A format of one text file. */
export function textExporter(name: string, path: string, toText: (data: ReportData) => string): Exporter {
  return { name, render: (data) => ({ files: [{ path, contents: toText(data) }] }) };
}

// The one interface every report format implements (as hyperfine's export/):
// it gets the analysed run and the folder to write to, and returns the paths
// it wrote. Formats never read results.jsonl themselves.
import type { ReportData } from './report-data.ts';

export interface Exporter {
  /** e.g. 'csv', for messages. */
  readonly name: string;
  write(data: ReportData, outDir: string): Promise<string[]>;
}

// results.jsonl: one line per finished cell, appended and flushed to disk the
// moment the cell ends, so that a crash or an interrupt loses no finished
// cell. Every line is read through the result schema (cell-result.ts).
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { UserError } from '../user-error.ts';
import { cellResultSchema, type CellResult } from './cell-result.ts';
import { parseJson, parseLine } from './parse-file.ts';

export function appendResult(file: string, result: CellResult): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, `${JSON.stringify(result)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface ReadResults {
  results: CellResult[];
  /** Each result's line as it is in the file (merge copies them unchanged). */
  lines: string[];
  /** A last line cut off by a crash mid-write (1-based line number), if any. */
  truncatedLine: number | null;
}

/** Reads results.jsonl; a cut-off last line is reported (on stderr, unless the caller says it itself: `warn: false`), any other bad line is a UserError naming it. */
export function readResults(file: string, opts: { warn?: boolean } = {}): ReadResults {
  if (!existsSync(file)) throw new UserError(`${file}: no such results file`);
  const text = readFileSync(file, 'utf8').split('\n');
  if (text.at(-1) === '') text.pop();
  const results: CellResult[] = [];
  const lines: string[] = [];
  let truncatedLine: number | null = null;
  text.forEach((line, i) => {
    let value: unknown;
    try {
      value = parseJson(line, `${file}:${i + 1}`);
    } catch (err) {
      // Only the last line can be cut off by a crash: it was being appended.
      if (i === text.length - 1) {
        truncatedLine = i + 1;
        return;
      }
      throw err;
    }
    results.push(parseLine(cellResultSchema, value, file, i + 1));
    lines.push(line);
  });
  if (truncatedLine != null && opts.warn !== false) warnTruncated(file, truncatedLine);
  return { results, lines, truncatedLine };
}

const warned = new Set<string>();

/** Every reader of a damaged file says so (once per file), so that a lost cell never goes unnoticed. */
function warnTruncated(file: string, line: number): void {
  if (warned.has(file)) return;
  warned.add(file);
  process.stderr.write(`mobius-bench: warning: ${truncatedLineText(file, line)}\n`);
}

/** The one wording of a cut-off last line, wherever it is reported. */
export function truncatedLineText(file: string, line: number): string {
  return `${file}:${line}: a cut-off last line (a crash mid-write) was skipped; that cell is missing`;
}

/** Rewrites the file without a cut-off last line, so that appends stay valid JSONL; the other lines stay as written. */
export function dropTruncatedLine(file: string, read: ReadResults): void {
  if (read.truncatedLine == null) return;
  writeFileSync(file, read.lines.map((l) => `${l}\n`).join(''));
}

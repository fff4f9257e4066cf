// results.jsonl: one line per finished cell, appended and flushed to disk the
// moment the cell ends, so that a crash or an interrupt loses no finished cell.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { UserError } from '../user-error.ts';
import { RESULT_SCHEMA, type CellResult } from './schema.ts';

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
  /** A last line cut off by a crash mid-write (1-based line number), if any. */
  truncatedLine: number | null;
}

/** Reads results.jsonl; a cut-off last line is reported, any other bad line is an error. */
export function readResults(file: string): ReadResults {
  if (!existsSync(file)) throw new UserError(`${file}: no such results file`);
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const results: CellResult[] = [];
  let truncatedLine: number | null = null;
  lines.forEach((line, i) => {
    let value: CellResult;
    try {
      value = JSON.parse(line) as CellResult;
    } catch {
      if (i === lines.length - 1) {
        truncatedLine = i + 1;
        return;
      }
      throw new UserError(`${file}:${i + 1}: not a JSON line; the file is damaged`);
    }
    if (value.schema !== RESULT_SCHEMA || typeof value.id !== 'string') {
      throw new UserError(`${file}:${i + 1}: result schema ${String(value.schema)}, this version reads schema ${RESULT_SCHEMA}`);
    }
    results.push(value);
  });
  return { results, truncatedLine };
}

/** Rewrites the file without a cut-off last line, so that appends stay valid JSONL. */
export function dropTruncatedLine(file: string, read: ReadResults): void {
  if (read.truncatedLine == null) return;
  writeFileSync(file, read.results.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

// A history folder: `history.json` says what the folder is, and
// `runs/<machine>/<date>-<commit>-<run id>.json` holds one filed run each.
// Reading it reads and validates every run file: one damaged file stops the
// command with its name and line (exit 2) rather than a chart that silently
// lacks a run.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, versionMismatch } from '../results/parse-file.ts';
import { UserError } from '../user-error.ts';
import { readFiledRun, type FiledRun } from './history-file.ts';
import { commandToType } from '../user-command.ts';

export const HISTORY_FORMAT = 'mobius-bench-history' as const;
export const HISTORY_SCHEMA = 1 as const;

const markerSchema = z.looseObject({
  format: z.literal(HISTORY_FORMAT, { error: 'not a mobius-bench history folder' }),
  schema: z.literal(HISTORY_SCHEMA, { error: versionMismatch('history schema', HISTORY_SCHEMA) }),
});

export function markerPath(dir: string): string {
  return join(dir, 'history.json');
}

export function markerText(): string {
  return `${JSON.stringify({
    format: HISTORY_FORMAT,
    schema: HISTORY_SCHEMA,
    about: 'Runs filed by `mobius-bench history add`, one file per run under runs/<machine>/; `mobius-bench history report` renders them.',
  }, null, 2)}\n`;
}

export function runsFolder(dir: string): string {
  return join(dir, 'runs');
}

export interface History {
  dir: string;
  /** Every filed run with its file, in no particular order. */
  runs: Array<{ file: string; run: FiledRun }>;
}

/** The run files: `*.json` one level under runs/ (a `.`-file is an unfinished write, never a run). */
function runFiles(dir: string): string[] {
  const root = runsFolder(dir);
  if (!existsSync(root)) return [];
  return readdirSync(root).sort().flatMap((machine) => {
    const folder = join(root, machine);
    if (machine.startsWith('.') || !statSync(folder).isDirectory()) return [];
    return readdirSync(folder).sort().filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => join(folder, f));
  });
}

/** Reads a history folder; a folder that is not one, or a damaged file, is a UserError naming it. */
export function readHistory(dir: string): History {
  if (!existsSync(dir)) throw new UserError(`${dir}: no such history folder; file a run into it with \`${commandToType(`history add <run dir> --history ${dir}`)}\``);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: is a file, not a history folder`);
  readJsonFile(markerSchema, markerPath(dir), `${dir}: no history.json — not a mobius-bench history folder`);
  return { dir, runs: runFiles(dir).map((file) => ({ file, run: readFiledRun(file) })) };
}

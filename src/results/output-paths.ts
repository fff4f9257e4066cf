// Output paths, checked before any work is spent: the folder a command writes
// into (run --out, report --out, merge --out) or the file (baseline save --to,
// compare --markdown). A path that cannot be written is a UserError that names
// the flag, the path and what is wrong; fsErrorMessage turns any later I/O
// failure into the same kind of line.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../user-error.ts';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  EISDIR: 'it is a folder, not a file',
  ENOENT: 'the path cannot be created there',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENAMETOOLONG: 'the name is too long',
};

/** An error from node:fs (it has a code and a path), as one line; null for anything else. */
export function fsErrorMessage(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string' || typeof e.path !== 'string') return null;
  const reason = REASONS[e.code];
  if (!reason) return null;
  return `cannot ${e.syscall === 'open' || e.syscall === 'read' ? 'open' : 'write'} ${e.path}: ${reason} (${e.code}); choose another path or fix its permissions`;
}

function fail(flag: string, given: string, err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  const reason = REASONS[e.code ?? ''] ?? (err as Error).message;
  throw new UserError(`${flag} ${given}: cannot write there: ${reason}${e.code ? ` (${e.code})` : ''}; choose another path`);
}

/**
 * mkdir -p one level at a time: Node's recursive mkdirSync loops forever where
 * a parent exists but refuses new entries with ENOENT (/proc).
 */
function makeFolders(abs: string): void {
  const missing: string[] = [];
  for (let p = abs; !existsSync(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) mkdirSync(p);
}

/** Creates the folder (and its parents) now, so that a bad path fails before the work. */
export function ensureOutputFolder(path: string, flag: string, given = path): void {
  const abs = resolve(path);
  if (existsSync(abs) && !statSync(abs).isDirectory()) {
    const what = given === path ? 'is a file' : `${path} is a file`;
    throw new UserError(`${flag} ${given}: ${what}, not a folder; give a path in a folder`);
  }
  try {
    makeFolders(abs);
    accessSync(abs, constants.W_OK);
  } catch (err) {
    fail(flag, given, err);
  }
}

/** Checks that the file can be written: its folder exists (created now) and is writable, and the path is no folder. */
export function ensureOutputFile(path: string, flag: string): void {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new UserError(`${flag} ${path}: is a folder, not a file; give a file path`);
  }
  ensureOutputFolder(dirname(path), flag, path);
  try {
    if (existsSync(abs)) accessSync(abs, constants.W_OK);
  } catch (err) {
    fail(flag, path, err);
  }
}

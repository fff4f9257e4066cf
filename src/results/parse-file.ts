// Reading the files mobius-bench writes (results.jsonl, run.json, baselines,
// plan.json) through their zod schemas. Text that is not JSON, or a value
// that does not fit its schema, is one UserError line naming the file, the
// line and the field — never a TypeError later, in a report.
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { UserError } from '../user-error.ts';

/** `cells[3].memory.peakBytes` */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole value)';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** The first problem of a failed parse, as `field: message` (and how many more there are). */
function describeIssues(error: z.ZodError): { path: PropertyKey[]; text: string } {
  const [first, ...rest] = error.issues;
  const path = first?.path ?? [];
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  return { path, text: `${fieldPath(path)}: ${first?.message ?? 'invalid'}${more}` };
}

/** The message of a wrong format version: `result schema 2, this version reads schema 1`, or that there is none. */
export function versionMismatch(what: string, reads: number, advice = ''): (issue: { input: unknown }) => string {
  return (issue) => (issue.input === undefined
    ? `no ${what} version: not a file mobius-bench wrote`
    : `${what} ${String(issue.input)}, this version reads schema ${reads}${advice}`);
}

/** Parses one JSON text; `where` (file or file:line) starts the error message. */
export function parseJson(text: string, where: string, lineOffset?: (position: number) => number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]!;
    const position = /at position (\d+)/.exec(message);
    const line = lineOffset ? (position ? lineOffset(Number(position[1])) : lineOffset(text.length)) : null;
    throw new UserError(`${where}${line != null ? `:${line}` : ''}: not valid JSON (${message}); the file is damaged or was cut off`);
  }
}

/** Validates one parsed line of a JSON-lines file: errors say `file:line: field: problem`. */
export function parseLine<S extends z.ZodType>(schema: S, value: unknown, file: string, line: number): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UserError(`${file}:${line}: ${describeIssues(parsed.error).text}`);
}

/** Reads and validates a whole JSON file: errors say `file:line: field: problem`, the line where that field is. */
export function readJsonFile<S extends z.ZodType>(schema: S, file: string, missing: string): z.output<S> {
  if (!existsSync(file)) throw new UserError(missing);
  const text = readFileSync(file, 'utf8');
  return parseJsonText(schema, text, file);
}

/** As readJsonFile, for text already read. */
function parseJsonText<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const value = parseJson(text, file, (position) => lineAt(text, position));
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { path, text: problem } = describeIssues(parsed.error);
  throw new UserError(`${file}:${lineAt(text, offsetOf(text, path))}: ${problem}`);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Where the value at `path` starts in valid JSON text, or where the deepest
 * existing part of the path starts (a missing field: its object). A small
 * scanner, because JSON.parse keeps no positions.
 */
function offsetOf(text: string, path: readonly PropertyKey[]): number {
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const skipString = () => {
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
  };
  const skipValue = () => {
    space();
    if (text[i] === '"') return skipString();
    if (text[i] !== '{' && text[i] !== '[') {
      while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
      return;
    }
    let depth = 0;
    do {
      if (text[i] === '"') {
        skipString();
        continue;
      }
      if (text[i] === '{' || text[i] === '[') depth++;
      else if (text[i] === '}' || text[i] === ']') depth--;
      i++;
    } while (depth > 0 && i < text.length);
  };
  space();
  for (const key of path) {
    const start = i;
    if (text[i] === '{' && typeof key === 'string') {
      i++;
      for (;;) {
        space();
        if (text[i] !== '"') return start;
        const keyStart = i;
        skipString();
        const name = JSON.parse(text.slice(keyStart, i)) as string;
        space();
        i++; // ':'
        space();
        if (name === key) break;
        skipValue();
        space();
        if (text[i] === ',') i++;
      }
    } else if (text[i] === '[' && typeof key === 'number') {
      i++;
      for (let n = 0; ; n++) {
        space();
        if (text[i] === ']' || i >= text.length) return start;
        if (n === key) break;
        skipValue();
        space();
        if (text[i] === ',') i++;
      }
    } else {
      return start;
    }
  }
  return i;
}

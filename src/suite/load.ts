// Loads a suite file (TypeScript, at run time, through tsx) and validates its
// default export. Every failure is a UserError naming the file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { UserError } from '../user-error.ts';
import { suiteSchema, type Suite } from './schema.ts';
import { resolveSelfImports } from './self-import.ts';

export interface LoadedSuite {
  suite: Suite;
  /** Absolute path of the file. */
  path: string;
  /** sha256 of the file's bytes. */
  sha256: string;
}

/** Checks an already imported value; `where` names its origin in messages. */
export function validateSuite(value: unknown, where: string): Suite {
  const parsed = suiteSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(the suite)';
    return `${path}: ${issue.message}`;
  });
  return failSuite(where, problems);
}

function failSuite(where: string, problems: string[]): never {
  throw new UserError(`${where}: invalid suite — ${problems.join('; ')}`);
}

/**
 * A file outside an ESM package loads as CommonJS: its namespace's `default`
 * is then `module.exports`, holding `default` (an `export default`) or only
 * the named exports (no default export at all).
 */
function defaultExport(mod: Record<string, unknown>): unknown {
  const value = mod['default'];
  if (value == null || typeof value !== 'object') return value;
  if ('default' in value) return (value as { default: unknown }).default;
  const named = Object.keys(mod).filter((k) => k !== 'default');
  const isExportsObject = named.length > 0 && named.every((k) => (value as Record<string, unknown>)[k] === mod[k]);
  return isExportsObject ? undefined : value;
}

/**
 * esbuild's syntax error ("Transform failed with 1 error:\n<file>:<line>:<col>:
 * ERROR: <text>") as the file, line and column, the offending line and a caret.
 */
function describeLoadError(err: Error): string {
  const m = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(err.message);
  if (!m) return err.message.split('\n')[0]!;
  const [, where, line, column, text] = m;
  const source = existsSync(where!) ? readFileSync(where!, 'utf8').split('\n')[Number(line) - 1] : undefined;
  const excerpt = source == null ? '' : `\n  ${source}\n  ${' '.repeat(Number(column))}^`;
  return `syntax error at ${where}:${line}:${column}: ${text}${excerpt}`;
}

export async function loadSuite(file: string): Promise<LoadedSuite> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UserError(`${file}: no such suite file (give the path of a .ts file that does \`export default defineSuite({...})\`)`);
  resolveSelfImports();
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`${file}: the suite file does not load: ${describeLoadError(err as Error)}`);
  }
  const value = defaultExport(mod);
  if (value == null) throw new UserError(`${file}: no default export: write \`export default defineSuite({...})\``);
  const suite = validateSuite(value, file);
  return { suite, path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

// The commands mobius-bench prints for the user to type ("resume with: …",
// "save a new baseline: …") must work as printed where the user stands. After
// `npm ci` the bin lives in node_modules/.bin, which is not on PATH: there it
// is `npx mobius-bench`; from the single-folder build it is `node <path>`.
import { existsSync, realpathSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, relative, sep } from 'node:path';

const NAME = 'mobius-bench';

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function onPath(script: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, NAME)) && sameFile(join(dir, NAME), script));
}

/** The bin link, bin/mobius-bench.js, the single-folder build's mobius-bench.mjs, or the sources' src/cli.ts. */
function isEntryPoint(script: string): boolean {
  return /^mobius-bench(\.js|\.mjs)?$/.test(basename(script)) || script.endsWith(`src${sep}cli.ts`);
}

/** How this process was started, as a user would type it again: `mobius-bench`, `npx mobius-bench`, `npm run mobius-bench --` or `node <script>`. */
export function cliInvocation(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (env.npm_command === 'exec') return `npx ${NAME}`;
  if (env.npm_lifecycle_event === NAME) return `npm run ${NAME} --`;
  const script = argv[1];
  // Called as a library (a test, a bench): the name a user would type.
  if (!script || !isEntryPoint(script)) return NAME;
  if (basename(script) === NAME) {
    if (onPath(script, env)) return NAME;
    // A bin link in some node_modules/.bin that PATH does not reach.
    if (script.split(sep).includes('node_modules')) return `npx ${NAME}`;
  }
  const shown = isAbsolute(script) ? relative(cwd, script) : script;
  const path = shown.startsWith('..') || isAbsolute(shown) ? script : shown;
  const quoted = /\s/.test(path) ? JSON.stringify(path) : path;
  // The sources run through tsx (`node --import tsx src/cli.ts`).
  return path.endsWith('.ts') ? `npx tsx ${quoted}` : `node ${quoted}`;
}

/** `args` (e.g. "report reports/cpu-…") as a command line the user can type here. */
export function commandToType(args: string): string {
  return `${cliInvocation()} ${args}`;
}

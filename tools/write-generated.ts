// Writes generated files that are checked in, or with `--check` only says
// which are stale: the one loop behind `npm run protocol` and `npm run tfjs-gradients`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');

/** `files`: repository-relative path → text; `command`: what regenerates them, for the stale message. */
export function writeGenerated(files: Record<string, string>, command: string): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const stale: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    const file = join(ROOT, path);
    let current: string | null = null;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = null;
    }
    if (current === text) console.log(`${path} is current`);
    else if (values.check) stale.push(path);
    else {
      writeFileSync(file, text);
      console.log(`wrote ${path}`);
    }
  }
  if (stale.length > 0) {
    console.error(`stale, regenerate with ${command}: ${stale.join(', ')}`);
    process.exitCode = 1;
  }
}

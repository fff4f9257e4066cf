// The rooms of src/ import downward only (docs/design.md, "Rooms"):
// cli → runner → report/gate/plan/history → suite, results, measure →
// protocol → train → model → backend. A room may import its own floor or lower ones.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const FLOOR: Record<string, number> = {
  'index.ts': 7, 'cli.ts': 6, cli: 6,
  runner: 5,
  report: 4, gate: 4, plan: 4, history: 4,
  suite: 3, results: 3, measure: 3,
  // Between train and suite/results: what travels to the workers imports neither side's rooms.
  protocol: 2.5,
  train: 2, model: 1, backend: 0, 'user-error.ts': 0, 'user-command.ts': 0,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

test('every import in src/ runs to its own floor or a lower one', () => {
  const room = (path: string) => relative(SRC, path).split('/')[0]!;
  const upward: string[] = [];
  const files = sources(SRC);
  for (const file of files) {
    const from = room(file);
    assert.ok(from in FLOOR, `${relative(SRC, file)}: room '${from}' has no floor; add it to this test and docs/design.md`);
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      const to = room(resolve(dirname(file), m[1]!));
      if (FLOOR[to]! > FLOOR[from]!) upward.push(`${relative(SRC, file)} imports ${m[1]} (${from} → ${to})`);
    }
  }
  assert.ok(files.length > 50);
  assert.deepEqual(upward, []);
});

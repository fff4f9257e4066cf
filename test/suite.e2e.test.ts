// Suites: validation of broken files, expansion into cells with stable ids,
// filters and shards.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expandSuite } from '../src/suite/expand.ts';
import { parseFilter, parseShard, shardCells } from '../src/suite/select.ts';
import { loadSuite, validateSuite } from '../src/suite/load.ts';
import { UserError } from '../src/user-error.ts';
import { tempDir } from './temp-dir.ts';

const dir = tempDir('mobius-suites-');
function suiteFile(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const BROKEN: Array<[string, string, RegExp]> = [
  ['unknown-mode.ts', `export default { name: 'x', presets: ['tiny'], modes: ['lora'] };`, /modes\[0\]: .*full.*delta-serial.*delta-parallel/],
  ['bad-batch.ts', `export default { name: 'x', presets: ['tiny'], sweep: { batch: [1, 0] } };`, /sweep\.batch\[1\]: .*(>0|positive|greater)/i],
  ['typo.ts', `export default { name: 'x', presets: ['tiny'], step: 3 };`, /step/],
  ['no-presets.ts', `export default { name: 'x' };`, /presets: /],
  ['bad-claim.ts', `export default { name: 'x', presets: ['tiny'], claims: [{ compare: ['delta-parallel', 'delta-parallel'], memory: { atMost: 0.8 } }] };`, /claims\[0\]\.compare: compare two different modes/],
  ['claim-without-limits.ts', `export default { name: 'x', presets: ['tiny'], claims: [{ compare: ['delta-parallel', 'full'] }] };`, /claims\[0\]: a claim needs memory or time/],
  ['no-default.ts', `export const suite = { name: 'x', presets: ['tiny'] };`, /no default export/],
  ['syntax.ts', `export default { name: 'x', presets: [ };`, /does not load/],
];

for (const [file, body, message] of BROKEN) {
  test(`a broken suite (${file}) is a UserError naming the file and the field`, async () => {
    const path = suiteFile(file, body);
    await assert.rejects(loadSuite(path), (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.ok(err.message.startsWith(path), err.message);
      assert.match(err.message, message);
      return true;
    });
  });
}

test('a missing suite file says so', async () => {
  await assert.rejects(loadSuite(join(dir, 'nope.ts')), /no such suite file/);
});

test('a size the UNet cannot take fails at expansion with the preset named', () => {
  const suite = validateSuite({ name: 'x', presets: ['small'], sweep: { size: [80] } }, 'inline');
  assert.throws(() => expandSuite(suite), /preset small: size 80 px .*multiple of 32/);
});

test('expansion: the product of presets, sweep axes and modes, with stable unique ids', async () => {
  const { suite } = await loadSuite('suites/cpu-full.ts');
  const cells = expandSuite(suite);
  assert.equal(cells.length, 2 * 2 * 2 * suite.modes.length);
  assert.equal(new Set(cells.map((c) => c.id)).size, cells.length);
  assert.ok(cells.every((c) => /^[0-9a-f]{12}$/.test(c.id)));
  // Same configuration → same id; measurement settings are not part of it.
  const again = expandSuite(suite, { steps: 9, warmup: 0 });
  assert.deepEqual(again.map((c) => c.id), cells.map((c) => c.id));
  assert.equal(again[0]!.config.steps, 9);
  // Another backend is another cell.
  const cpu = expandSuite(suite, { backend: 'cpu' });
  assert.ok(cpu.every((c, i) => c.id !== cells[i]!.id));
});

test('filters select by key=value with alternatives; an unknown key is a UserError', async () => {
  const cells = expandSuite((await loadSuite('suites/cpu-full.ts')).suite);
  const picked = cells.filter(parseFilter('mode=delta-parallel,batch=2'));
  assert.equal(picked.length, 2 * 2);
  assert.ok(picked.every((c) => c.config.mode === 'delta-parallel' && c.config.batch === 2));
  assert.equal(cells.filter(parseFilter('mode=full|delta-serial,preset=tiny')).length, 2 * 2 * 2);
  assert.equal(cells.filter(parseFilter(`id=${cells[5]!.id}`)).length, 1);
  assert.throws(() => parseFilter('colour=red'), UserError);
  assert.throws(() => parseFilter('batch'), UserError);
});

test('shards partition the cells: disjoint, complete, balanced, deterministic', async () => {
  const cells = expandSuite((await loadSuite('suites/cpu-full.ts')).suite);
  for (const n of [1, 2, 3, 5, 7]) {
    const parts = Array.from({ length: n }, (_, k) => shardCells(cells, parseShard(`${k + 1}/${n}`)));
    const ids = parts.flat().map((c) => c.id);
    assert.equal(ids.length, cells.length);
    assert.equal(new Set(ids).size, cells.length);
    const sizes = parts.map((p) => p.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, String(sizes));
    assert.deepEqual(shardCells(cells, parseShard(`1/${n}`)), parts[0]);
  }
  for (const bad of ['0/2', '3/2', 'a/b', '1']) assert.throws(() => parseShard(bad), UserError);
});

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));

test('a syntax error names the file, line and column and shows the offending line', async () => {
  const path = suiteFile('syntax-where.ts', `export default {\n  name: 'x'\n  presets: ['tiny'],\n};\n`);
  await assert.rejects(loadSuite(path), (err: Error) => {
    assert.ok(err instanceof UserError);
    assert.match(err.message, new RegExp(`syntax error at ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:2: Expected "}" but found "presets"`));
    assert.match(err.message, /\n {4}presets: \['tiny'\],\n {4}\^$/);
    return true;
  });
});

test("a suite in any folder imports { defineSuite } from 'mobius-bench' (the running copy)", () => {
  // A folder of its own, outside this repository and without node_modules, as a user's would be.
  const away = tempDir('mobius-suite-away-');
  try {
    const path = join(away, 'mine.ts');
    writeFileSync(path, `import { defineSuite } from 'mobius-bench';\nexport default defineSuite({ name: 'mine', presets: ['tiny'], modes: ['delta-serial'], sweep: { batch: [1], accum: [1], frames: [2], size: [32] } });\n`);
    const r = spawnSync(process.execPath, [BIN, 'list', path], { encoding: 'utf8', cwd: away, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trim(), /^[0-9a-f]{12} {2}tiny delta-serial b1 a1 2f 32px$/);
  } finally {
    rmSync(away, { recursive: true, force: true });
  }
});

// `mobius-bench fit` end to end, on wasm (tensor bytes are exact, so the cap's
// answer is deterministic): under a 28 MB cap the tiny cell trains at batch 1
// (22.1 MB planned) and runs out of memory at batch 2; the planner agrees.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const SUITE = fileURLToPath(new URL('./fixtures/suites/two-cell.ts', import.meta.url));

test('fit: the largest batch under --memory-cap, measured by one worker per probe, beside the plan; every probe on disk', { timeout: 120_000 }, () => {
  const out = join(tempDir('mobius-fit-'), 'fit');
  const r = spawnSync(process.execPath, [BIN, 'fit', SUITE, '--filter', 'mode=delta-serial', '--memory-cap', '28MB', '--max-batch', '2', '--out', out, '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const [found, ...rest] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  assert.equal(rest.length, 0);
  assert.deepEqual(found, { configuration: 'tiny a1 2f 32px', mode: 'delta-serial', backend: 'wasm', largestFit: 1, firstUnfit: 2, planned: 1, memoryBytes: 28e6, error: null });
  const probes = readFileSync(join(out, 'probes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(probes.map((p) => [p.config.batch, p.status, p.error?.reason ?? null]), [[1, 'ok', null], [2, 'failed', 'oom']]);
  assert.ok(probes[1].error.oom.allocatedBytes <= 28e6 && probes[1].error.oom.capBytes === 28e6);
  const fit = JSON.parse(readFileSync(join(out, 'fit.json'), 'utf8'));
  assert.equal(fit.schema, 'mobius-bench/fit@1');
  assert.equal(fit.interrupted, false);
  assert.equal(fit.configurations[0].probes.length, 2);
  // A second search into the same folder would mix two; it is refused before any probe.
  const again = spawnSync(process.execPath, [BIN, 'fit', SUITE, '--out', out], { encoding: 'utf8' });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already holds a search \(fit\.json\); give another folder/);
});

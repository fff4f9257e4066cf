// `run` ends with the line that names report.html, then the suite's claims:
// one line each with its verdict and ratios (--verbose: each group's under
// it); a failing claim makes the exit code 1 only under --strict-claims.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../src/cli/run-command.ts';
import { fakeExecutor } from './fake-executor.ts';
import { tempDir } from './temp-dir.ts';

const CLAIMS = fileURLToPath(new URL('./fixtures/suites/claims.ts', import.meta.url));

/** runCommand with the fake executor; what it printed on stderr, and its exit code. */
async function run(t: { mock: { method: typeof import('node:test').mock.method } }, strictClaims: boolean, out = join(tempDir('mobius-claims-'), 'run'), verbose = false): Promise<{ code: number; lines: string[]; out: string }> {
  const lines: string[] = [];
  t.mock.method(console, 'error', (line: string) => lines.push(line));
  // The progress lines (written to stderr directly) are not what this test reads.
  t.mock.method(process.stderr, 'write', () => true);
  const code = await runCommand({ suiteFile: CLAIMS, out, executor: fakeExecutor(), strictClaims, verbose });
  return { code, lines, out };
}

test('run names report.html, then prints each claim with its verdict and ratios; a failing claim alone keeps exit 0', async (t) => {
  const { code, lines, out } = await run(t, false);
  assert.equal(code, 0, lines.join('\n'));
  // What a person opens next, on the counts line: the report, not only the folder.
  const report = join(out, 'report.html');
  assert.equal(lines[0], `2 ok, 0 failed of 2 cells; report: ${report}`);
  assert.ok(existsSync(report));
  const claims = lines.filter((l) => l.startsWith('claim '));
  // The fake executor's parallel cells hold 60 % of serial's memory; median step times 81 and 101 ms.
  assert.deepEqual(claims, [
    'claim parallel saves memory: pass — tiny b1 a1 2f 32px: memory ×0.600 ≤ 0.7, time ×0.802',
    'claim parallel halves memory: fail — tiny b1 a1 2f 32px: memory ×0.600 > 0.5, time ×0.802',
  ]);
});

test('--strict-claims: a failing claim exits 1; --verbose: each group under its claim', async (t) => {
  const { code, lines } = await run(t, true, undefined, true);
  assert.equal(code, 1);
  assert.deepEqual(lines.slice(-4), [
    'claim parallel saves memory: pass — tiny b1 a1 2f 32px: memory ×0.600 ≤ 0.7, time ×0.802',
    '  pass: tiny b1 a1 2f 32px: memory ×0.600 ≤ 0.7, time ×0.802',
    'claim parallel halves memory: fail — tiny b1 a1 2f 32px: memory ×0.600 > 0.5, time ×0.802',
    '  fail: tiny b1 a1 2f 32px: memory ×0.600 > 0.5, time ×0.802',
  ]);
});

test('reports that could not be written: the error line, and the counts line names the folder, not a report.html', async (t) => {
  const out = join(tempDir('mobius-claims-'), 'run');
  // A folder where report.html would go: writing it fails.
  mkdirSync(join(out, 'report.html'), { recursive: true });
  const { code, lines } = await run(t, false, out);
  assert.equal(code, 0, lines.join('\n'));
  assert.match(lines[0]!, /^mobius-bench: the reports were not written: .* \(retry: mobius-bench report .*\)$/);
  assert.equal(lines[1], `2 ok, 0 failed of 2 cells; results in ${out}`);
});

// `run` ends with the suite's claims: one line each with its verdict and
// ratios; a failing claim makes the exit code 1 only under --strict-claims.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../src/cli/run-command.ts';
import { fakeExecutor } from './fake-executor.ts';
import { tempDir } from './temp-dir.ts';

const CLAIMS = fileURLToPath(new URL('./fixtures/suites/claims.ts', import.meta.url));

/** runCommand with the fake executor; what it printed on stderr, and its exit code. */
async function run(t: { mock: { method: typeof import('node:test').mock.method } }, strictClaims: boolean): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  t.mock.method(console, 'error', (line: string) => lines.push(line));
  // The progress lines (written to stderr directly) are not what this test reads.
  t.mock.method(process.stderr, 'write', () => true);
  const out = join(tempDir('mobius-claims-'), 'run');
  const code = await runCommand({ suiteFile: CLAIMS, out, executor: fakeExecutor(), strictClaims });
  return { code, lines };
}

test('run prints each claim with its verdict and ratios; a failing claim alone keeps exit 0', async (t) => {
  const { code, lines } = await run(t, false);
  assert.equal(code, 0, lines.join('\n'));
  const claims = lines.filter((l) => l.startsWith('claim '));
  // The fake executor's parallel cells hold 60 % of serial's memory; median step times 81 and 101 ms.
  assert.deepEqual(claims, [
    'claim parallel saves memory: pass — tiny b1 a1 2f 32px: memory ×0.600, time ×0.802',
    'claim parallel halves memory: fail — tiny b1 a1 2f 32px: memory ×0.600, time ×0.802',
  ]);
});

test('--strict-claims: a failing claim exits 1', async (t) => {
  const { code } = await run(t, true);
  assert.equal(code, 1);
});

// Tests that need a Python with torch skip, with their reason, where there is
// none. Where CI promises one (MOBIUS_REQUIRE_TORCH=1: .ci/run, ci.yml), a
// missing torch is a failing test of its own instead: a CI run that silently
// skipped the worker's and the parity tests would prove nothing about them.
import assert from 'node:assert/strict';
import { test } from 'node:test';

export const TORCH_REQUIRED = process.env['MOBIUS_REQUIRE_TORCH'] === '1';

/** `reason` (why the torch tests cannot run here) as a skip, or, where torch is required, a failure. */
export function torchSkip(reason: string | false, what: string): string | false {
  if (reason && TORCH_REQUIRED) {
    test(`${what}: torch is required here (MOBIUS_REQUIRE_TORCH=1)`, () => assert.fail(reason));
  }
  return reason;
}

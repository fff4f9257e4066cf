// The SD 2.1 noise schedule and the synthetic data that feeds the ε-objective.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alphasCumprod, scaledLinearBetas } from '../src/train/schedule.ts';
import { sampleTimestep } from '../src/train/synthetic-data.ts';

test('scaled-linear betas run from 0.00085 to 0.012, linear in √β', () => {
  const betas = scaledLinearBetas();
  assert.equal(betas.length, 1000);
  assert.ok(Math.abs(betas[0]! - 0.00085) < 1e-12);
  assert.ok(Math.abs(betas[999]! - 0.012) < 1e-12);
  const step = Math.sqrt(betas[1]!) - Math.sqrt(betas[0]!);
  assert.ok(Math.abs(Math.sqrt(betas[500]!) - Math.sqrt(betas[499]!) - step) < 1e-12);
  const abar = alphasCumprod(betas);
  // Lin et al., "Common Diffusion Noise Schedules and Sample Steps are Flawed" (Table 1):
  // Stable Diffusion's schedule ends at √ᾱ_T = 0.068265.
  assert.ok(Math.abs(Math.sqrt(abar[999]!) - 0.068265) < 1e-6, String(Math.sqrt(abar[999]!)));
  assert.ok(abar.every((a, i) => i === 0 || a < abar[i - 1]!));
});

test('timesteps are deterministic per (seed, sample) and spread over [0, 1000)', () => {
  assert.equal(sampleTimestep(3, 17), sampleTimestep(3, 17));
  const ts = Array.from({ length: 400 }, (_, k) => sampleTimestep(3, k));
  assert.ok(ts.every((t) => Number.isInteger(t) && t >= 0 && t < 1000));
  assert.ok(new Set(ts).size > 250);
  assert.ok(Math.min(...ts) < 100 && Math.max(...ts) > 900);
});

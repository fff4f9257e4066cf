// The torch worker's networks and the TypeScript ones are the same networks:
// the worker writes fixtures (python -m mobius_bench_checks.parity_fixture,
// all three from one process: weights moved off their initialisation, inputs,
// float64 output, the gradients of the trained weights), the TypeScript net of
// the same config loads one by name and reproduces it in float32 (wasm) — the
// parallel net with its own layers, on the tiny preset and on a deeper config.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { torchWorkerEnv } from '../src/backend/torch/python-locator.ts';
import { torchPython } from './torch-python.ts';
import { PRESETS, type UNetConfig } from '../src/model/config.ts';
import { ParallelUNet } from '../src/model/parallel-unet.ts';
import { SerialUNet } from '../src/model/serial-unet.ts';
import { cellOf } from '../src/protocol/cell-config.ts';
import { torchRunMessage } from '../src/protocol/torch-run-message.ts';
import { checkAgainstFixture } from './fixture-parity.ts';
import { torchSkip } from './torch-required.ts';
import { readNpz } from './npz.ts';
import { tempDir } from './temp-dir.ts';

const python = await torchPython();
const skip = torchSkip(python instanceof Error ? `no Python with torch: ${python.message}` : false, 'torch parity');
const dir = tempDir('mobius-torch-parity-');

/** Three levels, two layers per block, attention at the top two: every kind of skip, resampler and time-state channel change. */
const DEEPER: UNetConfig = { ...PRESETS.tiny.config, blockChannels: [16, 32, 32], attention: [true, true, false], layersPerBlock: 2, headDim: 8, crossDim: 16, groups: 4 };

type Network = 'serial' | 'parallel';
const fixtureName = (network: Network, unet: UNetConfig) => `${network}-${unet.blockChannels.join('-')}`;

function runMessage(network: Network, unet: UNetConfig, size: number) {
  return torchRunMessage(cellOf({
    preset: 'tiny', unet, mode: network === 'serial' ? 'delta-serial' : 'delta-parallel', batch: 2, accum: 1, frames: 3, size,
    textLength: 5, seed: 3, backend: 'torch', device: 'cpu', warmup: 0, steps: 1,
  }));
}

let written: Promise<void> | null = null;
/** Every test's fixture, from one worker process (torch is imported once): written at the first test that needs one. */
function torchFixture(network: Network, unet: UNetConfig) {
  written ??= new Promise<void>((resolve, reject) => {
    const args = FIXTURES.flatMap(([n, u, px]) => ['--message', JSON.stringify(runMessage(n, u, px)), '--out', join(dir, `${fixtureName(n, u)}.npz`)]);
    execFile((python as Exclude<typeof python, Error>).executable, ['-m', 'mobius_bench_checks.parity_fixture', ...args], { env: torchWorkerEnv(), timeout: 300_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`parity_fixture failed: ${stderr || err.message}`));
      else resolve();
    });
  });
  return written.then(() => readNpz(join(dir, `${fixtureName(network, unet)}.npz`)));
}

const CASES: Array<[string, UNetConfig, number]> = [['tiny', PRESETS.tiny.config, 32], ['deeper config', DEEPER, 32]];
const FIXTURES: Array<[Network, UNetConfig, number]> = [...CASES.map(([, unet, size]): [Network, UNetConfig, number] => ['parallel', unet, size]), ['serial', DEEPER, 32]];

for (const [label, unet] of CASES) {
  test(`${label}: the TypeScript parallel net reproduces the torch worker's: output and trained-weight gradients`, { skip }, async () => {
    await initBackend('wasm');
    const r = checkAgainstFixture(new ParallelUNet(unet), await torchFixture('parallel', unet), ['temporal', 'extra']);
    console.log(`parallel ${label}: output error ${r.outputError.toExponential(2)}, ${r.gradients} gradients, worst ${r.worstGradient.error.toExponential(2)} (${r.worstGradient.name})`);
    assert.ok(r.outputError <= 1e-4, `output: max |diff| / max |ref| = ${r.outputError}`);
    assert.ok(Math.abs(r.loss - r.fixtureLoss) <= 1e-5 * r.fixtureLoss, `loss ${r.loss} vs torch ${r.fixtureLoss}`);
    assert.ok(r.worstGradient.error <= 1e-3, `gradient of ${r.worstGradient.name}: relative error ${r.worstGradient.error}`);
  });
}

test('deeper config: the TypeScript serial net reproduces the torch worker’s', { skip }, async () => {
  await initBackend('wasm');
  const r = checkAgainstFixture(new SerialUNet(DEEPER), await torchFixture('serial', DEEPER), ['temporal']);
  console.log(`serial deeper config: output error ${r.outputError.toExponential(2)}, worst gradient ${r.worstGradient.error.toExponential(2)}`);
  assert.ok(r.outputError <= 1e-4, `output: max |diff| / max |ref| = ${r.outputError}`);
  assert.ok(r.worstGradient.error <= 1e-3, `gradient of ${r.worstGradient.name}: relative error ${r.worstGradient.error}`);
});

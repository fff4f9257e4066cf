// Suites and backends: what only the torch worker can do (mixed precision,
// a device choice) is refused on TensorFlow.js with the field that asked for
// it, in the file and under a --backend override; torch cells carry their
// precision.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expandSuite } from '../src/suite/expand.ts';
import { validateSuite } from '../src/suite/load.ts';
import { MODES } from '../src/train/modes.ts';
import { UserError } from '../src/user-error.ts';

const refused = (definition: object, path: RegExp) => {
  assert.throws(() => validateSuite(definition, 'suite.ts'), (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.match(err.message, path);
    return true;
  });
};

test('precision and device on a TensorFlow.js backend are refused with the field', () => {
  refused({ name: 'x', presets: ['tiny'], precision: 'bf16' }, /precision: precision 'bf16' needs backend 'torch'/);
  refused({ name: 'x', backend: 'cpu', presets: ['tiny'], device: 'cuda' }, /device: .*needs backend 'torch'/);
  refused({ name: 'x', backend: 'torch', presets: ['tiny'], frozenWeights: 'bf16' }, /frozenWeights: .*precision 'bf16'/);
});

test('torch cells carry precision, frozen weights and device; a --backend override to wasm is refused for them', () => {
  const suite = validateSuite({ name: 'x', backend: 'torch', presets: ['tiny'], precision: 'bf16', frozenWeights: 'bf16', device: 'cpu', learningRate: 1e-3 }, 'suite.ts');
  const cells = expandSuite(suite);
  assert.equal(cells.length, MODES.length);
  for (const c of cells) {
    assert.equal(c.config.backend, 'torch');
    assert.equal(c.config.precision, 'bf16');
    assert.equal(c.config.frozenWeights, 'bf16');
    assert.equal(c.config.device, 'cpu');
    assert.equal(c.config.learningRate, 1e-3);
  }
  assert.throws(() => expandSuite(suite, { backend: 'wasm' }), /backend 'wasm': precision: precision 'bf16' needs backend 'torch'/);
  // A TensorFlow.js cell has no torch fields: its id stays what it was before they existed.
  const tfjs = expandSuite(validateSuite({ name: 'x', presets: ['tiny'] }, 'suite.ts'));
  for (const c of tfjs) assert.equal('precision' in c.config || 'device' in c.config || 'learningRate' in c.config, false);
  const bf16 = new Set(cells.map((c) => c.id));
  const fp32 = expandSuite(validateSuite({ name: 'x', backend: 'torch', presets: ['tiny'], device: 'cpu', learningRate: 1e-3 }, 'suite.ts'));
  assert.equal(fp32.filter((c) => bf16.has(c.id)).length, 0, 'precision is part of a cell id');
});

test('run --device: cpu, cuda or auto moves the torch cells (new ids); a GPU name stays the planning device; cuda on a wasm suite is refused', () => {
  const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
  const dry = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'run', 'suites/h100.ts', '--dry-run', '--json', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Array<{ id: string; config: { device: string } }>;
  };
  const own = dry();
  const onCpu = dry('--device', 'cpu');
  assert.deepEqual([...new Set(own.map((c) => c.config.device))], ['cuda']);
  assert.deepEqual([...new Set(onCpu.map((c) => c.config.device))], ['cpu']);
  assert.equal(onCpu.length, own.length);
  assert.ok(onCpu.every((c, i) => c.id !== own[i]!.id), 'the device is part of the cell id');
  assert.deepEqual(dry('--device', 'h100-80gb').map((c) => c.id), own.map((c) => c.id));
  const refusedRun = spawnSync(process.execPath, [BIN, 'run', 'suites/smoke.ts', '--device', 'cuda', '--dry-run'], { encoding: 'utf8' });
  assert.equal(refusedRun.status, 2);
  assert.match(refusedRun.stderr, /--device cuda: suite smoke runs on backend 'wasm', which runs on the CPU; the device applies to torch cells \(add --backend torch\)/);
  // wasm runs on the CPU: --device cpu asks for nothing it does not do.
  assert.equal(spawnSync(process.execPath, [BIN, 'run', 'suites/smoke.ts', '--device', 'cpu', '--dry-run'], { encoding: 'utf8' }).status, 0);
});

// The environment capture: git commit and dirty state, nvidia-smi output
// parsed from a fake executable, a missing nvidia-smi, the suite hash, and
// which tfjs backends install and load here.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { envReport, formatEnv } from '../src/cli/env-command.ts';
import { captureEnvironment, probeBackends } from '../src/measure/environment.ts';
import { tempDir } from './temp-dir.ts';

const NO_TORCH = { unavailable: 'no python with torch' };

const REPO = fileURLToPath(new URL('..', import.meta.url));
const tmp = tempDir('mobius-env-');

const FAKE_SMI = `#!/bin/sh
case "$*" in
  *--query-gpu=*)
    echo "0, NVIDIA H100 80GB HBM3, GPU-5e2b1f3a-9c7d-4e8b-a1f2-0d3c4b5a6e7f, 81559, 550.54.15"
    echo "1, NVIDIA H100 80GB HBM3, GPU-11111111-2222-3333-4444-555555555555, [N/A], 550.54.15"
    ;;
  *)
    cat <<'EOF'
Tue Mar 12 10:15:02 2024
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
|=========================================+========================+======================|
|   0  NVIDIA H100 80GB HBM3          On  |   00000000:19:00.0 Off |                    0 |
+-----------------------------------------+------------------------+----------------------+
EOF
    ;;
esac
`;

test('in this repository: a 40-hex commit and a boolean dirty flag', async () => {
  const env = await captureEnvironment({ cwd: REPO, nvidiaSmi: path.join(tmp, 'absent-smi') });
  assert.match(env.git.commit ?? '', /^[0-9a-f]{40}$/);
  assert.equal(typeof env.git.dirty, 'boolean');
  assert.equal(env.git.note, null);
  assert.equal(env.node, process.version);
  assert.ok(env.cpu.cores > 0);
  assert.ok(env.memoryBytes > 0);
  assert.match(env.tfjs.core, /^\d+\.\d+\.\d+/);
  assert.match(env.tfjs.wasm ?? '', /^\d+\.\d+\.\d+/);
  assert.equal(env.suite, undefined);
});

test('a directory outside git: commit null, with a note', async () => {
  const dir = mkdtempSync(path.join(tmp, 'nogit-'));
  const env = await captureEnvironment({ cwd: dir, nvidiaSmi: path.join(tmp, 'absent-smi') });
  assert.equal(env.git.commit, null);
  assert.equal(typeof env.git.note, 'string');
  assert.ok(env.git.note!.length > 0);
});

test('nvidia-smi output: devices, [N/A] memory, driver and CUDA version', async () => {
  const smi = path.join(tmp, 'nvidia-smi');
  writeFileSync(smi, FAKE_SMI);
  chmodSync(smi, 0o755);
  const env = await captureEnvironment({ cwd: REPO, nvidiaSmi: smi });
  assert.deepEqual(env.gpu, {
    available: true,
    devices: [
      { index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-5e2b1f3a-9c7d-4e8b-a1f2-0d3c4b5a6e7f', memoryTotalMiB: 81559 },
      { index: 1, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-11111111-2222-3333-4444-555555555555', memoryTotalMiB: null },
    ],
    driver: '550.54.15',
    cuda: '12.4',
    note: null,
  });
  const text = formatEnv({ environment: env, backends: [], torch: NO_TORCH });
  assert.match(text, /gpu 0: NVIDIA H100 80GB HBM3, 81559 MiB \(driver 550\.54\.15, CUDA 12\.4\)/);
});

test('a missing nvidia-smi: no GPU, a note, no throw', async () => {
  const env = await captureEnvironment({ cwd: REPO, nvidiaSmi: path.join(tmp, 'no', 'such', 'nvidia-smi') });
  assert.equal(env.gpu.available, false);
  assert.deepEqual(env.gpu.devices, []);
  assert.equal(env.gpu.driver, null);
  assert.equal(env.gpu.cuda, null);
  assert.equal(env.gpu.note, 'nvidia-smi not found');
  assert.match(formatEnv({ environment: env, backends: [], torch: NO_TORCH }), /no GPU seen \(nvidia-smi not found\)/);
});

test('the suite file hash is its sha256', async () => {
  const suite = path.join(tmp, 'suite.ts');
  const content = 'export default { name: "demo", cells: [1, 2, 3] };\n';
  writeFileSync(suite, content);
  const env = await captureEnvironment({ cwd: REPO, suitePath: suite, nvidiaSmi: path.join(tmp, 'absent-smi') });
  assert.deepEqual(env.suite, { path: suite, sha256: createHash('sha256').update(content).digest('hex') });
});

test('backends: wasm and cpu install and load; tfjs-node-gpu is not installed here', async () => {
  const probes = await probeBackends();
  const by = new Map(probes.map((p) => [p.name, p]));
  assert.deepEqual([...by.keys()], ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  assert.deepEqual(by.get('wasm'), { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', installed: true, loads: true, error: null });
  assert.deepEqual(by.get('cpu'), { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', installed: true, loads: true, error: null });
  assert.deepEqual(by.get('tensorflow-gpu'), { name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', installed: false, loads: false, error: null });
  const text = formatEnv({ environment: await captureEnvironment({ cwd: REPO, nvidiaSmi: path.join(tmp, 'absent-smi') }), backends: probes, torch: NO_TORCH });
  assert.match(text, /wasm\s+@tensorflow\/tfjs-backend-wasm\s+installed, loads/);
});

test('env names the torch worker\'s Python, its CUDA and devices, or says why there is none', async () => {
  const environment = await captureEnvironment({ cwd: REPO, nvidiaSmi: path.join(tmp, 'absent-smi') });
  const cuda = formatEnv({
    environment, backends: [],
    torch: {
      executable: '/opt/venv/bin/python', source: 'flag',
      env: {
        python: '3.12.3', executable: '/opt/venv/bin/python', torch: '2.11.0', numpy: '2.2.0', cudaAvailable: true, cuda: '13.0', cudnn: 91000,
        devices: [{ name: 'NVIDIA H100 80GB HBM3', totalMemoryBytes: 85_520_809_984, capability: '9.0' }], sdpa: true, flash: true, tf32Capable: true,
      },
    },
  });
  assert.match(cuda, /torch 2\.11\.0 .* at \/opt\/venv\/bin\/python, Python 3\.12\.3; SDPA yes/);
  assert.match(cuda, /CUDA 13\.0, cuDNN 91000, flash attention enabled/);
  assert.match(cuda, /NVIDIA H100 80GB HBM3, 79\.6 GiB, compute capability 9\.0/);
  assert.match(formatEnv({ environment, backends: [], torch: NO_TORCH }), /torch\s+not available: no python/);
  // And the real probe of this machine: a Python with torch where one is installed, or the reason.
  const report = await envReport();
  assert.ok('unavailable' in report.torch ? report.torch.unavailable.length > 0 : report.torch.env.torch.length > 0);
});

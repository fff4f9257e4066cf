// The harness's own cost on a measured step: one cell run by the runner's
// worker with the GPU sampler (a fake nvidia-smi looping every interval, as
// the real one would) and the buffer tracker on, against both off —
// interleaved rounds, median step times, their ratio (target ≤ 1 %).
//   npx tsx bench/harness-overhead.ts [--rounds 6] [--suite suites/smoke.ts] [--filter mode=delta-serial]
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { GpuSampler } from '../src/measure/gpu-sampler.ts';
import { runCell } from '../src/runner/run-cell.ts';
import { tfjsWorkerExecutor } from '../src/runner/tfjs-executor.ts';
import { selectCells } from '../src/suite/select.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, suite: { type: 'string', default: 'suites/smoke.ts' }, filter: { type: 'string', default: 'mode=delta-serial' }, steps: { type: 'string', default: '8' } } });

const bin = mkdtempSync(join(tmpdir(), 'fake-smi-'));
symlinkSync(fileURLToPath(new URL('../test/fixtures/fake-nvidia-smi.mjs', import.meta.url)), join(bin, 'nvidia-smi'));
const command = join(bin, 'nvidia-smi');
const { selected } = await selectCells({ suiteFile: values.suite!, filter: values.filter, steps: Number(values.steps) });
const cell = selected[0]!;
console.log(`cell ${cell.id} ${cell.config.preset} ${cell.config.mode}, ${cell.config.steps} measured steps per run`);

const on: number[] = [];
const off: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  for (const instrumented of r % 2 === 0 ? [true, false] : [false, true]) {
    process.env['MOBIUS_BENCH_TRACKER'] = instrumented ? '1' : '0';
    const result = await runCell(cell, tfjsWorkerExecutor, { timeoutMs: 600_000, sampler: instrumented ? new GpuSampler({ command, intervalMs: 100 }) : null });
    if (result.status !== 'ok') throw new Error(`${result.error.reason}: ${result.error.message}`);
    (instrumented ? on : off).push(...result.stepMs);
  }
}
const mOn = median(on);
const mOff = median(off);
console.log(`median step: ${mOn.toFixed(1)} ms with sampler (100 ms) + tracker, ${mOff.toFixed(1)} ms without; ratio ${(mOn / mOff).toFixed(4)} (${on.length} steps each)`);

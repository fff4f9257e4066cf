// The nvidia-smi sampler driven by a fake nvidia-smi (fixtures/fake-nvidia-smi.mjs)
// that plays one scripted cell: baseline, device and process peaks, the
// fallback when the worker's pid is not seen, energy per step from known
// power, robustness to a child that dies or is deaf to SIGTERM, and no
// children left behind.
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GpuSampler, integrateEnergyJoules, nvidiaSmiAvailable, type GpuCellReport } from '../src/measure/gpu-sampler.ts';
import { tempDir } from './temp-dir.ts';

const FAKE = fileURLToPath(new URL('./fixtures/fake-nvidia-smi.mjs', import.meta.url));
const INTERVAL_MS = 40;
// The fake's script: two H100s, GPU 0 from 1024 MiB up to 9216 and back, GPU 1
// at 512; power 200.5 W + 99.5 W; the worker peaks at 8000 MiB.
const BASELINE = 1024 + 512;
const PEAK = 9216 + 512;
const WORKER_PEAK = 8000;
const POWER = 300;

// A wrapper named nvidia-smi, as on a real PATH; exec keeps the fake's pid the child's pid.
const binDir = tempDir('mobius-fake-smi-bin-');
const smi = join(binDir, 'nvidia-smi');
writeFileSync(smi, `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" "$@"\n`);
chmodSync(smi, 0o755);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs one cell against the fake with `env`, returning the report, its children's pids and the measured window. */
async function cell(env: Record<string, string>, opts: { workerPid: number | number[]; runMs?: number; steps?: number }) {
  const pidDir = tempDir('mobius-fake-smi-pids-');
  const vars = { ...env, FAKE_SMI_PIDDIR: pidDir };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    const sampler = new GpuSampler({ command: smi, intervalMs: INTERVAL_MS });
    await sampler.start();
    // The script runs by ticks from each child's start: wait for both, so a slow machine still sees the peak.
    for (let waited = 0; readdirSync(pidDir).length < 2 && waited < 5000; waited += 10) await sleep(10);
    await sleep(100);
    const start = Date.now();
    sampler.markMeasuredStart(start);
    await sleep(300);
    const end = Date.now();
    sampler.markMeasuredEnd(end, opts.steps ?? 3);
    await sleep(opts.runMs ?? 350);
    const stopped = Date.now();
    const report = await sampler.stop(opts.workerPid);
    const stopMs = Date.now() - stopped;
    const again = await sampler.stop(opts.workerPid);
    const children = readdirSync(pidDir).map(Number);
    return { report, again, children, start, end, stopMs };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(pidDir, { recursive: true, force: true });
  }
}

function assertTimeline(report: GpuCellReport): void {
  assert.ok(report.timeline.length >= 5, `a sample every ${INTERVAL_MS} ms, got ${report.timeline.length}`);
  for (let i = 1; i < report.timeline.length; i++) {
    assert.ok(report.timeline[i]!.t >= report.timeline[i - 1]!.t, 'timeline in time order');
  }
  assert.equal(Math.max(...report.timeline.map((e) => e.deviceMiB)), report.devicePeakMiB);
}

test('nvidiaSmiAvailable: false for a missing command, true for the fake on PATH', async () => {
  assert.equal(await nvidiaSmiAvailable(join(binDir, 'no-such-nvidia-smi')), false);
  const path = process.env.PATH;
  process.env.PATH = `${binDir}:${path}`;
  try {
    assert.equal(await nvidiaSmiAvailable(), true);
  } finally {
    process.env.PATH = path;
  }
  assert.equal(await nvidiaSmiAvailable(process.execPath + ' --no-such-flag'), false);
});

test('matched worker pid: baseline, device peak, process peak, energy per step, timeline, no children left', async () => {
  const workerPid = 31337;
  const { report, again, children, start, end } = await cell({ FAKE_SMI_PID: String(workerPid) }, { workerPid, steps: 3 });
  assert.equal(report.note, null);
  assert.deepEqual(
    report.devices.map((d) => [d.index, d.name, d.memoryTotalMiB]),
    [
      [0, 'NVIDIA H100 80GB HBM3', 81559],
      [1, 'NVIDIA H100 80GB HBM3', 81559],
    ],
  );
  assert.equal(report.devices[0]!.uuid, 'GPU-0c7f3d2e-8a41-4b6d-95e2-1f3a7c9b0d64');
  assert.equal(report.baselineMiB, BASELINE);
  assert.equal(report.devicePeakMiB, PEAK);
  assert.equal(report.devicePeakAboveBaselineMiB, PEAK - BASELINE);
  assert.equal(report.processMatched, true);
  assert.equal(report.processPeakMiB, WORKER_PEAK);

  const expected = (POWER * (end - start)) / 1000 / 3;
  assert.ok(report.energyJoulesPerStep !== null);
  assert.ok(Math.abs(report.energyJoulesPerStep - expected) < expected * 0.01, `${report.energyJoulesPerStep} J/step vs ${expected}`);

  assertTimeline(report);
  assert.ok(report.timeline.every((e) => e.powerW === POWER));
  const processValues = report.timeline.map((e) => e.processMiB);
  assert.ok(processValues.every((v) => v === null || [0, 900, 5000, 8000].includes(v)), `${processValues}`);
  assert.ok(processValues.some((v) => v !== null && v > 0));

  assert.equal(again, report, 'stop() again returns the same report');
  assert.equal(children.length, 2, 'a gpu loop and an apps loop');
  assert.deepEqual(children.filter(alive), [], 'children gone after stop()');
});

test('data-parallel ranks: each rank\'s process on its own GPU, the highest rank\'s peak is the cell\'s', async () => {
  const { report } = await cell({ FAKE_SMI_PID: '31337,31338' }, { workerPid: [31337, 31338] });
  assert.equal(report.note, null);
  assert.equal(report.processMatched, true);
  assert.deepEqual(report.ranks, [
    { pid: 31337, gpuUuid: 'GPU-0c7f3d2e-8a41-4b6d-95e2-1f3a7c9b0d64', peakMiB: WORKER_PEAK },
    { pid: 31338, gpuUuid: 'GPU-e2a94b17-6c3d-4f80-b1a5-3d9c8e7f2a05', peakMiB: WORKER_PEAK / 2 },
  ]);
  assert.equal(report.processPeakMiB, WORKER_PEAK);
  // The timeline holds both ranks' memory together.
  assert.equal(Math.max(...report.timeline.map((e) => e.processMiB ?? 0)), WORKER_PEAK * 1.5);
});

test('worker pid not among the compute apps: device memory above baseline instead, with a note', async () => {
  const { report } = await cell({ FAKE_SMI_PID: '1111' }, { workerPid: 2222 });
  assert.equal(report.processMatched, false);
  assert.equal(report.processPeakMiB, PEAK - BASELINE);
  assert.match(report.note ?? '', /per-process memory not matched to worker pid 2222 \(container pid namespace\?\): device memory above the pre-cell baseline instead/);
  assert.ok(report.timeline.every((e) => e.processMiB === null));
});

test('no compute-apps rows at all: the same fallback', async () => {
  const { report, children } = await cell({ FAKE_SMI_APPS: 'none', FAKE_SMI_GPUS: '1' }, { workerPid: 31337 });
  assert.equal(report.devices.length, 1);
  assert.equal(report.baselineMiB, 1024);
  assert.equal(report.devicePeakMiB, 9216);
  assert.equal(report.processMatched, false);
  assert.equal(report.processPeakMiB, 9216 - 1024);
  assert.match(report.note ?? '', /not matched to worker pid 31337/);
  assert.deepEqual(children.filter(alive), []);
});

test('children that print garbage and exit early: a report from what came, and a note', async () => {
  const { report } = await cell({ FAKE_SMI_MODE: 'garbage', FAKE_SMI_PID: '31337' }, { workerPid: 31337 });
  assert.equal(report.baselineMiB, BASELINE);
  // Ticks 0–2 came (1024, 1024, 2048 on GPU 0); nothing after the garbled block.
  assert.equal(report.timeline.length, 3);
  assert.equal(report.devicePeakMiB, 2048 + 512);
  assert.equal(report.processPeakMiB, 900);
  assert.match(report.note ?? '', /nvidia-smi --query-gpu exited early \(code 1\): Unable to determine the device handle/);
  assert.match(report.note ?? '', /nvidia-smi --query-compute-apps exited early/);
});

test('a child deaf to SIGTERM is killed after the grace period', async () => {
  const { report, children, stopMs } = await cell({ FAKE_SMI_NO_TERM: '1', FAKE_SMI_PID: '31337' }, { workerPid: 31337, runMs: 100 });
  assert.ok(stopMs >= 900 && stopMs < 3000, `stop took ${stopMs} ms`);
  assert.equal(report.baselineMiB, BASELINE);
  assert.equal(report.note, null);
  assert.deepEqual(children.filter(alive), []);
});

test('a missing nvidia-smi: start() and stop() do not throw, the note says why', async () => {
  const sampler = new GpuSampler({ command: join(binDir, 'no-such-nvidia-smi'), intervalMs: INTERVAL_MS });
  await sampler.start();
  sampler.markMeasuredStart(0);
  sampler.markMeasuredEnd(1000, 10);
  const report = await sampler.stop(1);
  assert.equal(report.processPeakMiB, null);
  assert.equal(report.energyJoulesPerStep, null);
  assert.deepEqual(report.timeline, []);
  assert.match(report.note ?? '', /baseline query failed: .*ENOENT/);
});

test('energy: trapezoids through the samples, interpolated at the window edges, held beyond the samples', () => {
  const samples = [
    { t: 0, powerW: 100 },
    { t: 1000, powerW: 300 },
    { t: 2000, powerW: null },
    { t: 3000, powerW: 300 },
  ];
  // Whole span: 200 J + 300 J + 300 J.
  assert.equal(integrateEnergyJoules(samples, 0, 3000), 800);
  // [500, 1500]: 200 W → 300 W over 0.5 s, then 300 W over 0.5 s (the null sample skipped).
  assert.equal(integrateEnergyJoules(samples, 500, 1500), 125 + 150);
  // Held at 100 W before the first sample and 300 W after the last.
  assert.equal(integrateEnergyJoules(samples, -1000, 0), 100);
  assert.equal(integrateEnergyJoules(samples, 3000, 4000), 300);
  assert.equal(integrateEnergyJoules(samples, 1000, 1000), null);
  assert.equal(integrateEnergyJoules([{ t: 0, powerW: null }], 0, 1000), null);
});

// The tables of a device session (bench/device/session.sh), as Markdown:
// 1. the torch worker against the reference script, cell by cell on one card:
//    peak allocated memory and median step time, and worker / reference
//    (issue 23's targets: peaks within 3 %, step times within 5 %), with each
//    side's spread over its measured steps;
// 2. the PyTorch planner against every measured peak, the direct worker runs
//    and the harness's own runs (target: within 5 %);
// 3. MFU: the planner's FLOPs per step / the measured median / the card's
//    dense peak at the cell's precision.
// The folder holds cells.jsonl (what prepare.ts wrote), pairs/ (the worker's
// JSON lines and the reference's JSON per cell) and the harness's run folders
// (run-*/results.jsonl); the device's tar file unpacks to out/ without the
// cells (take them from scratch/device/cells.jsonl).
//   npx tsx bench/device/summarize.ts reports/gpu/h200-2026-12-04
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { mfu, peakFlopsPerSecond } from '../../src/measure/peak-flops.ts';
import { parseDevice } from '../../src/plan/devices.ts';
import { Planner, type PlannedCell } from '../../src/plan/planner.ts';
import { cellOf, type CellConfig } from '../../src/protocol/cell-config.ts';
import { cellLabel } from '../../src/protocol/labels.ts';

const dir = process.argv[2] ?? 'scratch/device/out';
const PEAK_TARGET = 0.03;
const TIME_TARGET = 0.05;
const PLAN_TARGET = 0.05;
const GB = 1e9;
const gb = (bytes: number) => (bytes / GB).toFixed(2);
const pct = (ratio: number) => `${ratio >= 1 ? '+' : '−'}${(Math.abs(ratio - 1) * 100).toFixed(1)} %`;
const mark = (ratio: number, target: number) => (Math.abs(ratio - 1) <= target ? '✓' : '✗');
const spread = (ms: number[]) => `${Math.round(Math.min(...ms))}–${Math.round(Math.max(...ms))}`;

interface Measured { peakBytes: number; stepMs: number[]; deviceName: string; tf32: boolean; startupS: number | null }
interface Pair { name: string; config: CellConfig; worker: Measured | string; reference: Measured | string | null }

function workerRun(file: string): Measured | string {
  if (!existsSync(file)) return 'not run';
  const messages = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; message?: string; outcome?: { memory: { peakBytes: number }; stepMs: number[]; backend: { deviceName: string; tf32: boolean }; startup?: { importMs: number; buildMs: number } } });
  const done = messages.find((m) => m.type === 'done')?.outcome;
  if (!done) return messages.find((m) => m.type === 'error')?.message?.slice(0, 80) ?? 'no result (see .worker.stderr)';
  const startupS = done.startup ? (done.startup.importMs + done.startup.buildMs) / 1000 : null;
  return { peakBytes: done.memory.peakBytes, stepMs: done.stepMs, deviceName: done.backend.deviceName, tf32: done.backend.tf32, startupS };
}

function referenceRun(file: string): Measured | string | null {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
  try {
    const r = JSON.parse(text) as { ok: boolean; peakAllocatedBytes?: number; stepMs?: number[]; gpu?: string; error?: string };
    if (!r.ok) return (r.error ?? '').split('\n').at(-2) ?? 'failed';
    return { peakBytes: r.peakAllocatedBytes!, stepMs: r.stepMs!, deviceName: r.gpu ?? '', tf32: true, startupS: null };
  } catch {
    return 'no JSON (see .reference.stderr)';
  }
}

const pairsDir = join(dir, 'pairs');
const cellsFile = join(dir, 'cells.jsonl');
const pairs: Pair[] = existsSync(cellsFile)
  ? readFileSync(cellsFile, 'utf8').split('\n').filter(Boolean).map((line) => {
      const cell = JSON.parse(line) as { name: string; worker: { config: CellConfig } };
      return { name: cell.name, config: cell.worker.config, worker: workerRun(join(pairsDir, `${cell.name}.worker.jsonl`)), reference: referenceRun(join(pairsDir, `${cell.name}.reference.json`)) };
    })
  : [];

interface HarnessCell { run: string; config: CellConfig; measured: Measured }
const harness: HarnessCell[] = [];
for (const run of readdirSync(dir).filter((f) => f.startsWith('run-') && existsSync(join(dir, f, 'results.jsonl'))).sort()) {
  for (const line of readFileSync(join(dir, run, 'results.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as { status: string; config: CellConfig; stepMs: number[]; memory: { peakBytes: number }; backend: { deviceName: string; tf32: boolean }; startup?: { importMs: number; buildMs: number } };
    if (r.status !== 'ok') continue;
    const startupS = r.startup ? (r.startup.importMs + r.startup.buildMs) / 1000 : null;
    harness.push({ run, config: r.config, measured: { peakBytes: r.memory.peakBytes, stepMs: r.stepMs, deviceName: r.backend.deviceName, tf32: r.backend.tf32, startupS } });
  }
}

const planner = await Planner.create();
const device = parseDevice('140gib');
const plans = new Map<string, PlannedCell>();
async function planOf(config: CellConfig): Promise<PlannedCell> {
  const key = JSON.stringify(config);
  if (!plans.has(key)) plans.set(key, await planner.plan(cellOf(config), device));
  return plans.get(key)!;
}

if (existsSync(join(dir, 'machine.txt'))) console.log(`\`\`\`\n${readFileSync(join(dir, 'machine.txt'), 'utf8').trim()}\n\`\`\`\n`);

if (pairs.length > 0) {
  console.log(`### The worker against the reference (peaks within ${PEAK_TARGET * 100} %, step times within ${TIME_TARGET * 100} %)\n`);
  console.log('| cell | worker peak | reference peak | peak | worker median ms (range) | reference median ms (range) | time | worker start-up |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const p of pairs) {
    const w = p.worker;
    const r = p.reference;
    if (typeof w === 'string' || r == null || typeof r === 'string') {
      console.log(`| ${p.name} | ${typeof w === 'string' ? w : `${gb(w.peakBytes)} GB`} | ${r ?? 'no reference'} | | | | | |`);
      continue;
    }
    const peak = w.peakBytes / r.peakBytes;
    const time = median(w.stepMs) / median(r.stepMs);
    console.log(`| ${p.name} | ${gb(w.peakBytes)} GB | ${gb(r.peakBytes)} GB | ${pct(peak)} ${mark(peak, PEAK_TARGET)} | ${Math.round(median(w.stepMs))} (${spread(w.stepMs)}) | ${Math.round(median(r.stepMs))} (${spread(r.stepMs)}) | ${pct(time)} ${mark(time, TIME_TARGET)} | ${w.startupS == null ? '—' : `${w.startupS.toFixed(1)} s`} |`);
  }
  console.log('');
}

console.log(`### The planner against the worker's measured peak (within ${PLAN_TARGET * 100} %), and MFU\n`);
console.log('| cell | run | measured peak | planned peak | planner error | median step | FLOPs per step | MFU |');
console.log('|---|---|---|---|---|---|---|---|');
const measuredCells: Array<{ label: string; run: string; config: CellConfig; m: Measured }> = [
  ...pairs.flatMap((p) => (typeof p.worker === 'string' ? [] : [{ label: p.name, run: 'worker', config: p.config, m: p.worker }])),
  ...harness.map((h) => ({ label: cellLabel(h.config), run: h.run, config: h.config, m: h.measured })),
];
let worst = 0;
for (const { label, run, config, m } of measuredCells) {
  const plan = await planOf(config);
  const error = plan.memory.peakBytes / m.peakBytes;
  worst = Math.max(worst, Math.abs(error - 1));
  const medianMs = median(m.stepMs);
  const utilisation = mfu(plan.flops, medianMs, peakFlopsPerSecond(m.deviceName, config.precision ?? 'fp32', m.tf32));
  console.log(`| ${label} | ${run} | ${gb(m.peakBytes)} GB | ${gb(plan.memory.peakBytes)} GB | ${pct(error)} ${mark(error, PLAN_TARGET)} | ${Math.round(medianMs)} ms | ${(plan.flops / 1e12).toFixed(1)} T | ${utilisation == null ? '—' : `${(utilisation * 100).toFixed(1)} %`} |`);
}
console.log(`\nlargest planner error ${(worst * 100).toFixed(1)} % over ${measuredCells.length} measured cells`);

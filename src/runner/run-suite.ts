// The orchestrator: selects a suite's cells (filter, shard, resume), checks
// that their backend can run here, plans them and sets aside the cells that
// cannot fit this machine (unless --force), runs each through its executor
// with GPU sampling where nvidia-smi exists, and appends each result to
// results.jsonl the moment it ends. An aborted signal (the CLI's
// SIGINT/SIGTERM) stops the current worker; every finished cell stays on disk.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { captureEnvironment } from '../measure/environment.ts';
import { GpuSampler, nvidiaSmiAvailable } from '../measure/gpu-sampler.ts';
import { parseDevice } from '../plan/devices.ts';
import { planInChild } from '../plan/plan-in-child.ts';
import type { PlannedCell } from '../plan/planner.ts';
import type { CellResult } from '../results/cell-result.ts';
import { doesNotFit } from '../results/does-not-fit.ts';
import { appendResult, dropTruncatedLine, readResults } from '../results/jsonl.ts';
import { ensureOutputFolder } from '../results/output-paths.ts';
import { writePlanFile } from '../results/plan-file.ts';
import { readRunRecord, RUN_SCHEMA, writeRunRecord, type RunRecord } from '../results/run-record.ts';
import { formatGiB } from '../results/units.ts';
import { type Cell } from '../protocol/cell-config.ts';
import { cellLabel } from '../protocol/labels.ts';
import type { LoadedSuite } from '../suite/load.ts';
import type { Suite } from '../suite/schema.ts';
import type { TorchDevice } from '../backend/run-backends.ts';
import { selectCells } from '../suite/select.ts';
import { UserError } from '../user-error.ts';
import { efficiencyOf } from './efficiency.ts';
import { executorsFor, type Executors } from './executors.ts';
import { machineMemory, unfitCells, type UnfitCell } from './memory-budget.ts';
import { makeProgress } from './progress.ts';
import { recordedOptions, resumeOptions } from './resume.ts';
import { Interrupted, runCell } from './run-cell.ts';
import type { RunOptions } from './run-options.ts';

export type { RunOptions };

export interface RunSummary {
  out: string;
  selected: number;
  alreadyDone: number;
  /** Not run: the planner said they cannot fit this machine's backend, or --device with --skip-unfit. */
  skippedUnfit: number;
  /** Which, and why (also in run.json). */
  skipped: UnfitCell[];
  ran: number;
  ok: number;
  /** Ran out of memory: an answer, not a fault (results/does-not-fit.ts). */
  doesNotFit: number;
  /** Failed for any other reason. */
  failed: number;
  interrupted: boolean;
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
}

async function planCells(cells: Cell[], device: string): Promise<PlannedCell[]> {
  if (cells.length === 0) return [];
  try {
    return await planInChild(cells, device);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${(err as Error).message}; nothing ran (--force runs the cells without the fit check)`);
  }
}

/** A new run folder with its run.json, or the resumed one: the record and the cells already done. */
async function openRunFolder(opts: RunOptions, loaded: LoadedSuite, selected: Cell[]): Promise<{ out: string; resultsFile: string; record: RunRecord; done: Set<string> }> {
  const { suite } = loaded;
  const out = resolve(opts.resume ?? opts.out ?? join('reports', `${suite.name}-${timestamp()}`));
  const resultsFile = join(out, 'results.jsonl');
  const now = new Date().toISOString();
  if (opts.resume) {
    const record = readRunRecord(out);
    if (record.suite.name !== suite.name) {
      throw new UserError(`--resume ${opts.resume}: that run is of suite '${record.suite.name}', not '${suite.name}'`);
    }
    let done = new Set<string>();
    if (existsSync(resultsFile)) {
      const read = readResults(resultsFile);
      dropTruncatedLine(resultsFile, read);
      done = new Set(read.results.map((r) => r.id));
    }
    record.resumes.push({ startedAt: now, endedAt: null, cells: selected.filter((c) => !done.has(c.id)).length });
    record.interrupted = false;
    return { out, resultsFile, record, done };
  }
  if (existsSync(resultsFile)) throw new UserError(`${out} already holds results.jsonl: use --resume ${out}, or another --out`);
  ensureOutputFolder(out, '--out', opts.out ?? out);
  const environment = await captureEnvironment({ suitePath: loaded.path });
  const record: RunRecord = {
    schema: RUN_SCHEMA,
    suite: { name: suite.name, description: suite.description, path: loaded.path, sha256: loaded.sha256, definition: suite },
    environment,
    argv: process.argv.slice(2),
    cells: selected.map((c) => c.id),
    filter: opts.filter ?? null,
    shard: opts.shard ?? null,
    options: recordedOptions(opts),
    startedAt: now,
    endedAt: null,
    interrupted: false,
    notes: [],
    skipped: [],
    resumes: [],
  };
  return { out, resultsFile, record, done: new Set() };
}

/**
 * Plans the cells still to run (about a second each, unless --force and no plan is asked
 * for; torch cells always, for their MFU), writes plan.json where asked, and sets aside
 * the cells that cannot fit this machine (unless --force) or --device (--skip-unfit),
 * recording them in run.json. Returns the cells to run and each one's FLOPs.
 */
async function setAsideUnfit(opts: RunOptions, todo: Cell[], out: string, record: RunRecord, torch: Executors['torch']): Promise<{ torun: Cell[]; skipped: UnfitCell[]; flopsOf: Map<string, { model: number; hardware: number | undefined }> }> {
  const device = opts.device ?? 'a100-40gb';
  parseDevice(device);
  const plans = opts.force && !opts.plan && !opts.skipUnfit ? await planCells(todo.filter((c) => c.config.backend === 'torch'), device) : await planCells(todo, device);
  const flopsOf = new Map(plans.map((p) => [p.id, { model: p.flops, hardware: p.hardwareFlops }]));
  if (opts.plan || opts.skipUnfit) writePlanFile(out, { device, cells: plans });
  const skipped: UnfitCell[] = [];
  // Across machines every node runs every selected cell (they agree on no fit check): one that does not fit runs out of memory.
  if (!opts.force && !opts.nodes) {
    // On a resume the machine may differ: what is unfit now replaces what was.
    const environment = opts.resume ? await captureEnvironment() : record.environment;
    skipped.push(...unfitCells(plans, machineMemory(environment.gpu.devices, torch)));
  }
  if (opts.skipUnfit) {
    const already = new Set(skipped.map((u) => u.id));
    for (const p of plans.filter((p) => !p.fits && !already.has(p.id))) {
      skipped.push({ id: p.id, label: cellLabel(p.config), reason: `planned peak ${formatGiB(p.memory.peakBytes)} exceeds ${device} (--skip-unfit)` });
    }
  }
  let torun = todo;
  if (skipped.length > 0 || opts.resume) {
    const skippedIds = new Set(skipped.map((u) => u.id));
    const decidedNow = new Set(todo.map((c) => c.id));
    record.skipped = [...(record.skipped ?? []).filter((u) => !decidedNow.has(u.id)), ...skipped];
    torun = todo.filter((c) => !skippedIds.has(c.id));
    writeRunRecord(out, record);
    for (const u of skipped) opts.onNotice?.(`skipped ${u.label} ${u.id}: ${u.reason}`);
  }
  return { torun, skipped, flopsOf };
}

/** Runs the cells one by one, each result appended as it ends; run.json says how the run ended, whatever happens. */
async function runCells(cells: Cell[], ctx: { opts: RunOptions; suite: Suite; executors: Executors; gpu: boolean; flopsOf: Map<string, { model: number; hardware: number | undefined }>; out: string; resultsFile: string; record: RunRecord }): Promise<{ results: CellResult[]; interrupted: boolean }> {
  const { opts, record } = ctx;
  const progress = makeProgress({ json: opts.json ?? false });
  let interrupted = false;
  const results: CellResult[] = [];
  progress.start(cells.length);
  try {
    for (const cell of cells) {
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
      progress.cellStart(cellLabel(cell.config));
      let result: CellResult;
      try {
        result = await runCell(cell, ctx.executors.executorOf(cell), {
          timeoutMs: ctx.suite.timeoutSeconds * 1000,
          sampler: ctx.gpu ? new GpuSampler() : null,
          signal: opts.signal,
        });
      } catch (err) {
        if (err instanceof Interrupted) {
          interrupted = true;
          break;
        }
        throw err;
      }
      if (result.status === 'ok') result.efficiency = efficiencyOf(result, ctx.flopsOf.get(cell.id));
      appendResult(ctx.resultsFile, result);
      results.push(result);
      progress.cellEnd(result);
    }
  } finally {
    progress.stop();
    const ended = new Date().toISOString();
    if (opts.resume) record.resumes.at(-1)!.endedAt = ended;
    else record.endedAt = ended;
    record.interrupted = interrupted;
    writeRunRecord(ctx.out, record);
  }
  return { results, interrupted };
}

/** What `run --device` changes in the figures, where it moves the torch cells off the suite's own device. */
export function deviceOverrideNote(suite: Suite, cells: Cell[], device: TorchDevice | undefined): string | null {
  if (device === undefined || device === suite.device || !cells.some((c) => c.config.backend === 'torch')) return null;
  const moved = `--device ${device}: the torch cells run on ${device === 'auto' ? 'CUDA where torch sees a GPU, else the CPU' : device === 'cpu' ? 'the CPU' : 'the GPU'} instead of the suite's device (${suite.device})`;
  const meaning = device === 'cpu'
    ? 'step times are the CPU\'s and memory is the worker\'s RSS (no GPU memory, no MFU)'
    : device === 'cuda' ? 'step times and memory are the GPU\'s' : 'step times and memory are those of the device torch picks';
  return `${moved}: ${meaning}; the device is part of each cell, so these cells compare only with runs on the same device`;
}

export async function runSuite(given: RunOptions): Promise<RunSummary> {
  const opts = resumeOptions(given);
  const { loaded, selected } = await selectCells(opts);
  // Before anything is written: a backend that cannot run here fails at once.
  const fixed = opts.executor;
  const executors: Executors = fixed ? { executorOf: () => fixed, torch: null } : await executorsFor(selected, opts);
  const { out, resultsFile, record, done } = await openRunFolder(opts, loaded, selected);
  const gpu = await nvidiaSmiAvailable();
  const gpuNote = 'nvidia-smi not found: no GPU figures (gpu: null in every cell)';
  if (!gpu && !record.notes.includes(gpuNote)) record.notes.push(gpuNote);
  const deviceNote = deviceOverrideNote(loaded.suite, selected, opts.torchDevice);
  if (deviceNote) {
    if (!record.notes.includes(deviceNote)) record.notes.push(deviceNote);
    opts.onNotice?.(deviceNote);
  }
  writeRunRecord(out, record);

  const todo = selected.filter((c) => !done.has(c.id));
  const { torun, skipped, flopsOf } = await setAsideUnfit(opts, todo, out, record, executors.torch);
  const { results, interrupted } = await runCells(torun, { opts, suite: loaded.suite, executors, gpu, flopsOf, out, resultsFile, record });
  return {
    out,
    selected: selected.length,
    alreadyDone: selected.length - todo.length,
    skippedUnfit: todo.length - torun.length,
    skipped,
    ran: results.length,
    ok: results.filter((r) => r.status === 'ok').length,
    doesNotFit: results.filter(doesNotFit).length,
    failed: results.filter((r) => r.status === 'failed' && !doesNotFit(r)).length,
    interrupted,
  };
}

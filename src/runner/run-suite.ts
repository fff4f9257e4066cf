// The orchestrator: selects a suite's cells (filter, shard, resume), plans
// them when asked, runs each through its executor with GPU sampling where
// nvidia-smi exists, and appends each result to results.jsonl the moment it
// ends. An aborted signal (the CLI's SIGINT/SIGTERM) stops the current
// worker; every finished cell stays on disk.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { captureEnvironment } from '../measure/environment.ts';
import { GpuSampler, nvidiaSmiAvailable } from '../measure/gpu-sampler.ts';
import { parseDevice } from '../plan/devices.ts';
import { planInChild } from '../plan/plan-in-child.ts';
import type { CellResult } from '../results/cell-result.ts';
import { appendResult, dropTruncatedLine, readResults } from '../results/jsonl.ts';
import { writePlanFile } from '../results/plan-file.ts';
import { readRunRecord, RUN_SCHEMA, writeRunRecord, type RunRecord } from '../results/run-record.ts';
import { formatGiB } from '../results/units.ts';
import { cellLabel } from '../suite/expand.ts';
import { selectCells, type SelectOptions } from '../suite/select.ts';
import { UserError } from '../user-error.ts';
import type { CellExecutor } from './cell-executor.ts';
import { efficiencyOf } from './efficiency.ts';
import { executorsFor, type ExecutorOptions } from './executors.ts';
import { makeProgress } from './progress.ts';
import { Interrupted, runCell } from './run-cell.ts';

export interface RunOptions extends SelectOptions, ExecutorOptions {
  out?: string;
  resume?: string;
  json?: boolean;
  /** GPU sampling interval (ms). */
  gpuIntervalMs?: number;
  /** Plan every selected cell first (plan.json beside results.jsonl). */
  plan?: boolean;
  /** Plan first and do not run the cells whose planned peak exceeds `device`. */
  skipUnfit?: boolean;
  /** The device --plan / --skip-unfit check against (default a100-40gb). */
  device?: string;
  /** Aborting it interrupts the run. */
  signal?: AbortSignal;
  /** Runs every cell instead of the executor its backend calls for (tests). */
  executor?: CellExecutor;
}

export interface RunSummary {
  out: string;
  selected: number;
  alreadyDone: number;
  /** Not run: the planner said they cannot fit the device (--skip-unfit). */
  skippedUnfit: number;
  ran: number;
  ok: number;
  failed: number;
  interrupted: boolean;
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
}

export async function runSuite(opts: RunOptions): Promise<RunSummary> {
  const { loaded, selected } = await selectCells(opts);
  const { suite } = loaded;
  // Before anything is written: a backend that cannot run here fails at once.
  const fixed = opts.executor;
  const executorOf = fixed ? () => fixed : await executorsFor(selected, opts);
  const out = resolve(opts.resume ?? opts.out ?? join('reports', `${suite.name}-${timestamp()}`));
  const resultsFile = join(out, 'results.jsonl');

  let record: RunRecord;
  let done = new Set<string>();
  const now = new Date().toISOString();
  if (opts.resume) {
    record = readRunRecord(out);
    if (record.suite.name !== suite.name) {
      throw new UserError(`--resume ${opts.resume}: that run is of suite '${record.suite.name}', not '${suite.name}'`);
    }
    if (existsSync(resultsFile)) {
      const read = readResults(resultsFile);
      dropTruncatedLine(resultsFile, read);
      done = new Set(read.results.map((r) => r.id));
    }
    record.resumes.push({ startedAt: now, endedAt: null, cells: selected.filter((c) => !done.has(c.id)).length });
    record.interrupted = false;
  } else {
    if (existsSync(resultsFile)) throw new UserError(`${out} already holds results.jsonl: use --resume ${out}, or another --out`);
    mkdirSync(out, { recursive: true });
    const environment = await captureEnvironment({ suitePath: loaded.path });
    record = {
      schema: RUN_SCHEMA,
      suite: { name: suite.name, description: suite.description, path: loaded.path, sha256: loaded.sha256, definition: suite },
      environment,
      argv: process.argv.slice(2),
      cells: selected.map((c) => c.id),
      filter: opts.filter ?? null,
      shard: opts.shard ?? null,
      startedAt: now,
      endedAt: null,
      interrupted: false,
      notes: [],
      skipped: [],
      resumes: [],
    };
  }
  const gpu = await nvidiaSmiAvailable();
  const gpuNote = 'nvidia-smi not found: no GPU figures (gpu: null in every cell)';
  if (!gpu && !record.notes.includes(gpuNote)) record.notes.push(gpuNote);
  writeRunRecord(out, record);

  let todo = selected.filter((c) => !done.has(c.id));
  const notDone = todo.length;
  // torch cells carry the planner's FLOPs per step for their MFU.
  const flopsOf = new Map<string, number>();
  if (opts.plan || opts.skipUnfit) {
    const device = opts.device ?? 'a100-40gb';
    parseDevice(device);
    const plans = await planInChild(todo, device);
    for (const p of plans) flopsOf.set(p.id, p.flops);
    writePlanFile(out, { device, cells: plans });
    if (opts.skipUnfit) {
      const unfit = plans.filter((p) => !p.fits);
      record.skipped ??= [];
      for (const p of unfit) {
        record.skipped.push({ id: p.id, label: cellLabel(p.config), reason: `planned peak ${formatGiB(p.memory.peakBytes)} exceeds ${device}` });
      }
      const unfitIds = new Set(unfit.map((p) => p.id));
      todo = todo.filter((c) => !unfitIds.has(c.id));
      writeRunRecord(out, record);
    }
  }
  const unplannedTorch = todo.filter((c) => c.config.backend === 'torch' && !flopsOf.has(c.id));
  if (unplannedTorch.length > 0) {
    for (const p of await planInChild(unplannedTorch, opts.device ?? 'a100-40gb')) flopsOf.set(p.id, p.flops);
  }
  const progress = makeProgress({ json: opts.json ?? false });
  let interrupted = false;
  const results: CellResult[] = [];
  progress.start(todo.length);
  try {
    for (const cell of todo) {
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
      progress.cellStart(cellLabel(cell.config));
      let result: CellResult;
      try {
        result = await runCell(cell, executorOf(cell), {
          timeoutMs: suite.timeoutSeconds * 1000,
          sampler: gpu ? new GpuSampler({ intervalMs: opts.gpuIntervalMs ?? 200 }) : null,
          signal: opts.signal,
        });
      } catch (err) {
        if (err instanceof Interrupted) {
          interrupted = true;
          break;
        }
        throw err;
      }
      if (result.status === 'ok') result.efficiency = efficiencyOf(result, flopsOf.get(cell.id));
      appendResult(resultsFile, result);
      results.push(result);
      progress.cellEnd(result);
    }
  } finally {
    progress.stop();
    const ended = new Date().toISOString();
    if (opts.resume) record.resumes.at(-1)!.endedAt = ended;
    else record.endedAt = ended;
    record.interrupted = interrupted;
    writeRunRecord(out, record);
  }
  return {
    out,
    selected: selected.length,
    alreadyDone: selected.length - notDone,
    skippedUnfit: notDone - todo.length,
    ran: results.length,
    ok: results.filter((r) => r.status === 'ok').length,
    failed: results.filter((r) => r.status === 'failed').length,
    interrupted,
  };
}

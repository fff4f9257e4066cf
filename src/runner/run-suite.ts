// The orchestrator: expands a suite, selects cells (filter, shard, resume),
// runs each in its own worker with GPU sampling where nvidia-smi exists, and
// appends each result to results.jsonl the moment it ends. SIGINT/SIGTERM
// stop the current worker; every finished cell stays on disk.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BackendChoice } from '../backend/select.ts';
import { captureEnvironment } from '../measure/environment.ts';
import { GpuSampler, nvidiaSmiAvailable } from '../measure/gpu-sampler.ts';
import { parseDevice } from '../plan/devices.ts';
import { planInChild } from '../plan/plan-in-child.ts';
import { appendResult, dropTruncatedLine, readResults } from '../results/jsonl.ts';
import type { CellResult } from '../results/schema.ts';
import { cellLabel, expandSuite, parseFilter, parseShard, shardCells, type Cell } from '../suite/expand.ts';
import { loadSuite } from '../suite/load.ts';
import { UserError } from '../user-error.ts';
import { makeProgress } from './progress.ts';
import { interruptWorker, Interrupted, runCellInWorker } from './run-cell.ts';
import { readRunRecord, RUN_SCHEMA, writeRunRecord, type RunRecord } from './run-record.ts';

export interface RunOptions {
  suiteFile: string;
  out?: string;
  resume?: string;
  filter?: string;
  shard?: string;
  backend?: BackendChoice;
  steps?: number;
  warmup?: number;
  json?: boolean;
  /** GPU sampling interval (ms). */
  gpuIntervalMs?: number;
  /** Plan every selected cell first (plan.json beside results.jsonl). */
  plan?: boolean;
  /** Plan first and do not run the cells whose planned peak exceeds `device`. */
  skipUnfit?: boolean;
  /** The device --plan / --skip-unfit check against (default a100-40gb). */
  device?: string;
}

export interface SelectedCells {
  all: Cell[];
  selected: Cell[];
}

export async function selectCells(opts: RunOptions): Promise<SelectedCells & { loaded: Awaited<ReturnType<typeof loadSuite>> }> {
  const loaded = await loadSuite(opts.suiteFile);
  const all = expandSuite(loaded.suite, { backend: opts.backend, steps: opts.steps, warmup: opts.warmup });
  let selected = all;
  if (opts.filter) selected = selected.filter(parseFilter(opts.filter));
  if (opts.shard) selected = shardCells(selected, parseShard(opts.shard));
  return { loaded, all, selected };
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
  if (opts.plan || opts.skipUnfit) {
    const device = opts.device ?? 'a100-40gb';
    parseDevice(device);
    const plans = await planInChild(todo, device);
    writeFileSync(join(out, 'plan.json'), `${JSON.stringify({ device, cells: plans }, null, 2)}\n`);
    if (opts.skipUnfit) {
      const unfit = new Set(plans.filter((p) => !p.fits).map((p) => p.id));
      record.skipped ??= [];
      for (const p of plans.filter((x) => !x.fits)) {
        record.skipped.push({ id: p.id, label: cellLabel(p.config), reason: `planned peak ${(p.memory.peakBytes / 1024 ** 3).toFixed(2)} GiB exceeds ${device}` });
      }
      todo = todo.filter((c) => !unfit.has(c.id));
      writeRunRecord(out, record);
    }
  }
  const progress = makeProgress({ json: opts.json ?? false });
  let current: ChildProcess | null = null;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    if (current) interruptWorker(current);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results: CellResult[] = [];
  progress.start(todo.length);
  try {
    for (const cell of todo) {
      if (interrupted) break;
      progress.cellStart(cellLabel(cell.config));
      let result: CellResult;
      try {
        result = await runCellInWorker(cell, {
          timeoutMs: suite.timeoutSeconds * 1000,
          sampler: gpu ? new GpuSampler({ intervalMs: opts.gpuIntervalMs ?? 200 }) : null,
          onSpawn: (child) => {
            current = child;
          },
        });
      } catch (err) {
        if (err instanceof Interrupted) {
          interrupted = true;
          break;
        }
        throw err;
      } finally {
        current = null;
      }
      appendResult(resultsFile, result);
      results.push(result);
      progress.cellEnd(result);
    }
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
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

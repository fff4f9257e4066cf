// `mobius-bench fit SUITE`: for each configuration of the suite (preset ×
// mode × frames × size × accum; the suite's batches are ignored), the largest
// per-device batch that trains without running out of memory, found by
// probes of a warm-up and a measured step each in a worker of their own
// (batch-search.ts), beside the planner's prediction for the same memory.
// Every probe is appended to probes.jsonl the moment it ends, and fit.json is
// rewritten after each configuration: an interrupted search loses nothing.
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Planner, type PlannedFramework } from '../plan/planner.ts';
import { cellOf, type Cell, type CellConfig } from '../protocol/cell-config.ts';
import { searchLabel } from '../protocol/labels.ts';
import type { CellResult } from '../results/cell-result.ts';
import { doesNotFit } from '../results/does-not-fit.ts';
import { appendResult } from '../results/jsonl.ts';
import { ensureOutputFolder } from '../results/output-paths.ts';
import { trackedMemory } from '../protocol/worker-outcome.ts';
import { selectCells, type SelectOptions } from '../suite/select.ts';
import { UserError } from '../user-error.ts';
import type { Mode } from '../train/modes.ts';
import { searchLargestBatch, type ProbeOutcome } from './batch-search.ts';
import type { CellExecutor } from './cell-executor.ts';
import { executorsFor, type ExecutorOptions } from './executors.ts';
import { budgetFor, machineMemory, type MemoryBudget } from './memory-budget.ts';
import { Interrupted, runCell } from './run-cell.ts';

export const FIT_SCHEMA = 'mobius-bench/fit@1';
export const DEFAULT_FIT_MAX_BATCH = 64;

export interface FitOptions extends SelectOptions, ExecutorOptions {
  out?: string;
  /** No probe above this batch (default 64). */
  maxBatch?: number;
  /** Each probe prints a line through this. */
  onProbe?: (line: string) => void;
  signal?: AbortSignal;
  /** Runs every probe instead of the executor its backend calls for (tests). */
  executor?: CellExecutor;
}

export interface FitProbe {
  batch: number;
  id: string;
  outcome: 'fits' | 'does-not-fit' | 'error';
  /** The allocator's peak of a probe that fit; what was held when one ran out. */
  peakBytes: number | null;
  allocatedBytes: number | null;
  message: string | null;
}

export interface FitConfiguration {
  /** `tiny a1 2f 32px`: everything but the mode and the batch. */
  configuration: string;
  mode: Mode;
  backend: string;
  /** Largest batch that trained; 0 when batch 1 does not fit. */
  largestFit: number;
  /** The smallest batch that ran out of memory; null when all up to the bound fit. */
  firstUnfit: number | null;
  /** A probe failed for another reason: the search stopped there. */
  error: string | null;
  probes: FitProbe[];
  /** What the probes ran against: --memory-cap, or what the backend can use here. */
  memory: MemoryBudget;
  /** The planner's largest batch for the same memory. */
  planned: { largestFit: number; peakBytesAtLargest: number | null; framework: PlannedFramework } | null;
}

export interface FitReport {
  schema: typeof FIT_SCHEMA;
  suite: string;
  memoryCapBytes: number | null;
  maxBatch: number;
  warmup: number;
  steps: number;
  startedAt: string;
  endedAt: string | null;
  interrupted: boolean;
  configurations: FitConfiguration[];
}

/** One search per configuration and mode, from the first cell the suite has for it. */
function configurations(cells: readonly Cell[]): CellConfig[] {
  const first = new Map<string, CellConfig>();
  for (const { config } of cells) {
    const key = `${config.backend} ${config.mode} ${searchLabel(config)}`;
    if (!first.has(key)) first.set(key, config);
  }
  return [...first.values()];
}

function probeOf(result: CellResult, batch: number): FitProbe {
  if (result.status === 'ok') {
    return { batch, id: result.id, outcome: 'fits', peakBytes: trackedMemory(result.memory)?.peakBytes ?? null, allocatedBytes: null, message: null };
  }
  const oom = doesNotFit(result);
  return {
    batch, id: result.id, outcome: oom ? 'does-not-fit' : 'error', peakBytes: null,
    allocatedBytes: result.error.oom?.allocatedBytes ?? null, message: `${result.error.reason}: ${result.error.message.split('\n')[0]}`,
  };
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
}

export async function fitSuite(opts: FitOptions): Promise<{ out: string; report: FitReport }> {
  // A probe is a warm-up step and a measured one: the optimizer's state exists from the first.
  const probeOpts = { ...opts, warmup: opts.warmup ?? 1, steps: opts.steps ?? 1 };
  const { loaded, selected } = await selectCells(probeOpts);
  const fixed = opts.executor;
  const executors = fixed ? { executorOf: () => fixed, torch: null } : await executorsFor(selected, opts);
  const out = resolve(opts.out ?? join('reports', `fit-${loaded.suite.name}-${timestamp()}`));
  if (existsSync(join(out, 'fit.json'))) throw new UserError(`--out ${opts.out ?? out}: already holds a search (fit.json); give another folder`);
  ensureOutputFolder(out, '--out', opts.out ?? out);
  const probesFile = join(out, 'probes.jsonl');
  const maxBatch = opts.maxBatch ?? DEFAULT_FIT_MAX_BATCH;
  const cap = opts.memoryCapBytes ?? null;
  const report: FitReport = {
    schema: FIT_SCHEMA, suite: loaded.suite.name, memoryCapBytes: cap, maxBatch, warmup: probeOpts.warmup, steps: probeOpts.steps,
    startedAt: new Date().toISOString(), endedAt: null, interrupted: false, configurations: [],
  };
  const save = () => writeFileSync(join(out, 'fit.json'), `${JSON.stringify(report, null, 2)}\n`);
  const machine = machineMemory([], executors.torch);
  const planner = await Planner.create();
  try {
    for (const config of configurations(selected)) {
      const memory: MemoryBudget = cap !== null ? { bytes: cap, what: '--memory-cap' } : budgetFor(config, machine);
      const probes: FitProbe[] = [];
      const search = await searchLargestBatch(async (batch): Promise<ProbeOutcome> => {
        const cell = cellOf({ ...config, batch });
        const result = await runCell(cell, executors.executorOf(cell), { timeoutMs: loaded.suite.timeoutSeconds * 1000, sampler: null, signal: opts.signal });
        appendResult(probesFile, result);
        const probe = probeOf(result, batch);
        probes.push(probe);
        opts.onProbe?.(`${searchLabel(config)} ${config.mode} b${batch}: ${probe.outcome}${probe.message && probe.outcome === 'error' ? ` (${probe.message})` : ''}`);
        return probe.outcome === 'error' ? { error: probe.message! } : { fits: probe.outcome === 'fits' };
      }, maxBatch);
      const predicted = await planner.maxBatch(config, { name: memory.what, bytes: memory.bytes }, maxBatch);
      report.configurations.push({
        configuration: searchLabel(config), mode: config.mode, backend: config.backend,
        largestFit: search.largestFit, firstUnfit: search.firstUnfit, error: search.error, probes, memory,
        planned: { largestFit: predicted.maxBatch, peakBytesAtLargest: predicted.peakBytesAtMax, framework: config.backend === 'torch' ? 'pytorch' : 'tensorflow.js' },
      });
      save();
    }
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    report.interrupted = true;
  } finally {
    report.endedAt = new Date().toISOString();
    save();
  }
  return { out, report };
}

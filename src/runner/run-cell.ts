// Runs one cell through an executor and turns whatever happened into its
// result: ok with the worker's measurements (and their statistics, from
// results/stats.ts), or failed with the reason and the tail of the worker's
// output. The cell's timeout, the kill, interrupts, the GPU sampler around
// the worker's pid and the validation of every worker message live here
// once, for every executor.
import { hostname } from 'node:os';
import type { GpuCellReport, GpuSampler } from '../measure/gpu-sampler.ts';
import { RESULT_SCHEMA, samplesPerStep, type CellResult, type FailedCell, type FailureReason } from '../results/cell-result.ts';
import { fieldPath } from '../results/parse-file.ts';
import { stepTimeStats } from '../results/stats.ts';
import { type Cell } from '../protocol/cell-config.ts';
import { cellLabel } from '../protocol/labels.ts';
import type { CellExecutor, WorkerExit } from './cell-executor.ts';
import { workerMessageSchema, type WorkerOutcome } from '../protocol/worker-messages.ts';
import type { OutOfMemory } from '../protocol/out-of-memory.ts';

export interface CellRunOptions {
  timeoutMs: number;
  /** A GPU sampler for this cell (nvidia-smi present), or null. */
  sampler: GpuSampler | null;
  /** Aborted when the run is interrupted: the worker is killed and runCell throws Interrupted. */
  signal?: AbortSignal;
}

/** The run was interrupted during this cell: it is not recorded. */
export class Interrupted extends Error {}

/** What a worker did, as the runner saw it: its messages, how it ended, the GPU sampler's report. */
interface Supervised {
  startedAt: string;
  exit: WorkerExit;
  outcome: WorkerOutcome | null;
  workerError: string | null;
  workerOom: OutOfMemory | null;
  protocolError: string | null;
  timedOut: boolean;
  gpu: GpuCellReport | null;
  outputTail: string;
}

/** Starts the cell's worker and waits for its end: the timeout, the kill, interrupts and every message's validation. */
async function supervise(cell: Cell, executor: CellExecutor, opts: CellRunOptions): Promise<Supervised> {
  if (opts.signal?.aborted) throw new Interrupted(`cell ${cell.id} interrupted`);
  const startedAt = new Date().toISOString();
  await opts.sampler?.start();

  const seen: Pick<Supervised, 'outcome' | 'workerError' | 'workerOom' | 'protocolError'> = { outcome: null, workerError: null, workerOom: null, protocolError: null };
  const execution = executor.start(cell, (raw) => {
    const parsed = workerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      seen.protocolError ??= `the ${executor.name} sent a message that does not fit the protocol: ${fieldPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`;
      return;
    }
    const m = parsed.data;
    if (m.type === 'measure-start') opts.sampler?.markMeasuredStart(m.t);
    else if (m.type === 'measure-end') opts.sampler?.markMeasuredEnd(m.t, m.steps);
    else if (m.type === 'done') seen.outcome = m.outcome;
    else if (m.type === 'error' && seen.workerError === null) {
      // The first error is the cause: a data-parallel cell's other ranks then fail on the closed connection.
      seen.workerError = m.message;
      seen.workerOom = m.oom ?? null;
    }
    // 'progress' is informational: nothing draws it yet.
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    execution.kill();
  }, opts.timeoutMs);
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    execution.kill();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // Aborted while the worker was being started: the event has been and gone.
  if (opts.signal?.aborted) onAbort();
  const exit = await execution.exited;
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  // A data-parallel cell: its ranks on this machine (torchrun's pid holds no GPU memory).
  const here = seen.outcome?.distributed?.ranks.filter((r) => r.host === hostname()).map((r) => r.pid);
  const gpu: GpuCellReport | null = opts.sampler ? await opts.sampler.stop(here?.length ? here : execution.pid ?? -1) : null;
  // A Ctrl-C reaches the worker too (same process group): it may die of it
  // before the runner's own handler has run.
  if (interrupted || exit.signal === 'SIGINT' || exit.signal === 'SIGTERM') throw new Interrupted(`cell ${cell.id} interrupted`);
  return { startedAt, exit, ...seen, timedOut, gpu, outputTail: execution.outputTail() };
}

export async function runCell(cell: Cell, executor: CellExecutor, opts: CellRunOptions): Promise<CellResult> {
  const s = await supervise(cell, executor, opts);
  const base = {
    schema: RESULT_SCHEMA, id: cell.id, label: cellLabel(cell.config), config: cell.config, env: 'run.json' as const,
    startedAt: s.startedAt, endedAt: new Date().toISOString(), gpu: s.gpu,
  };
  const done = s.outcome;
  if (done && !s.protocolError) {
    return {
      ...base,
      status: 'ok',
      backend: done.backend,
      params: done.params,
      startup: done.startup,
      stepMs: done.stepMs,
      loss: done.loss,
      stepPeakBytes: done.stepPeakBytes,
      stats: stepTimeStats(done.stepMs, samplesPerStep(cell.config, done.distributed?.worldSize)),
      memory: done.memory,
      efficiency: null,
      ...(done.distributed ? { distributed: done.distributed } : {}),
    };
  }
  const { reason, message } = failure(s, executor.name, opts.timeoutMs);
  const failed: FailedCell = { ...base, status: 'failed', error: { reason, message, stderrTail: s.outputTail, ...(reason === 'oom' && s.workerOom ? { oom: s.workerOom } : {}) } };
  return failed;
}

/**
 * A cell on a machine other than node 0 of a multi-node run (runner/nodes.ts):
 * its ranks here send no outcome (node 0's harness records the cell), so a
 * clean exit is the answer; anything else fails as runCell would say.
 */
export async function followCell(cell: Cell, executor: CellExecutor, opts: CellRunOptions): Promise<{ ok: true } | { ok: false; reason: FailureReason; message: string }> {
  const s = await supervise(cell, executor, opts);
  if (!s.timedOut && !s.protocolError && s.workerError === null && s.exit.code === 0) return { ok: true };
  return { ok: false, ...failure(s, executor.name, opts.timeoutMs) };
}

/**
 * torchrun's summary of a failed rank (`rank      : 1 (local_rank: 1)` then
 * `exitcode  : -9 (pid: 4321)`), for a rank that died without saying why.
 */
export function failedRank(tail: string): string | null {
  const m = /^\s*rank\s*:\s*(\d+)[^\n]*\n\s*exitcode\s*:\s*(-?\d+)/m.exec(tail);
  if (!m) return null;
  const code = Number(m[2]);
  return `rank ${m[1]} ${code < 0 ? `was killed by signal ${-code}${code === -9 ? ' (SIGKILL: out of memory?)' : ''}` : `exited with code ${code}`}`;
}

function failure(s: Supervised, executor: string, timeoutMs: number): { reason: FailureReason; message: string } {
  const { exit } = s;
  const rank = failedRank(s.outputTail);
  if (s.timedOut) return { reason: 'timeout', message: `no result within the cell timeout of ${Number((timeoutMs / 1000).toPrecision(3))} s: the ${executor} was killed` };
  if (s.protocolError) return { reason: 'error', message: s.protocolError };
  if (s.workerError != null) return { reason: s.workerOom ? 'oom' : 'error', message: s.workerError };
  if (exit.startError) return { reason: 'crashed', message: `the ${executor} did not start: ${exit.startError}` };
  if (rank) return { reason: 'crashed', message: `the ${executor} ended: ${rank}, and torchrun stopped the other ranks` };
  if (exit.signal === 'SIGKILL') return { reason: 'killed', message: `the ${executor} was killed by SIGKILL (out of memory?)` };
  return { reason: 'crashed', message: `the ${executor} exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`} before reporting a result` };
}

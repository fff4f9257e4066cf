// One filed run in a history folder: the commit it measured (with the
// commit's date and subject, and whether the tree was dirty), the machine,
// and per cell what the trends need — its config, allocator memory, GPU
// peak, step samples and the FLOPs behind MFU (statistics and MFU are
// derived from the samples on reading, as results.jsonl's are). One file per run, written once and never
// rewritten: appending is adding a file, so two CI jobs filing at once never
// touch the same file, and a git branch holding the folder only ever gains
// files. Pretty at the top, one line per cell, like a baseline file, so that
// a damaged cell is named by its line.
import { z } from 'zod';
import { cellMemorySchema } from '../protocol/worker-outcome.ts';
import { cellConfigSchema, FAILURE_REASONS, samplesPerStep } from '../results/cell-result.ts';
import { mfu } from '../measure/peak-flops.ts';
import { readJsonFile, versionMismatch } from '../results/parse-file.ts';
import { stepTimeStats, type StepTimeStats } from '../results/stats.ts';

export const HISTORY_RUN_FORMAT = 'mobius-bench-history-run' as const;
export const HISTORY_RUN_SCHEMA = 1 as const;

const sha = z.string().regex(/^[0-9a-f]{40,64}$/, 'a full git commit hash (40 or 64 hex digits)');
const isoDate = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'an ISO date');

export const commitSchema = z.object({
  sha,
  /** Uncommitted changes when the run started: the figures are not quite the commit's. null: git could not tell. */
  dirty: z.boolean().nullable(),
  /** The committer date, which orders the history. */
  date: isoDate,
  /** Where the date came from: git where it knew the commit, else the run's start. */
  dateFrom: z.enum(['git', 'run-start']),
  /** The commit message's first line, where git knew the commit. Shown as text only. */
  subject: z.string().nullable(),
});
export type FiledCommit = z.output<typeof commitSchema>;

/** What a series is kept apart by: runs on one machine are comparable with each other. */
export const machineSchema = z.object({
  /** A hash of the fields below except `label`: equal machines, equal ids. */
  id: z.string().regex(/^[0-9a-f]{12}$/),
  label: z.string(),
  gpus: z.array(z.string()),
  driver: z.string().nullable(),
  cuda: z.string().nullable(),
  cpu: z.object({ model: z.string(), cores: z.number() }),
  arch: z.string(),
  /** The Node.js major version, e.g. "20" (a patch release should not start a new series). */
  node: z.string(),
  /** What ran the cells, with versions: "torch 2.11.0+cu130", "wasm 4.22.0". */
  backends: z.array(z.string()),
});
export type Machine = z.output<typeof machineSchema>;

const cellBase = {
  id: z.string().min(1),
  label: z.string(),
  config: cellConfigSchema,
};

const okCellSchema = z.object({
  ...cellBase,
  status: z.literal('ok'),
  /** Derived from stepMs on every parse, as in results.jsonl. */
  stats: z.unknown().optional(),
  memory: cellMemorySchema,
  /** nvidia-smi's peak for the worker (MiB), where a sampler ran. */
  gpu: z.object({ processPeakMiB: z.number().nullable() }).nullable(),
  /** Wall time of each measured step (ms, rounded to µs). */
  stepMs: z.array(z.number().nonnegative()).nonempty(),
  /** torch cells: the planner's FLOPs per step and the device's dense peak (null: unknown device); MFU is derived. */
  efficiency: z.object({ flopsPerStep: z.number().nonnegative(), peakFlopsPerSecond: z.number().positive().nullable() }).nullable(),
  /** Derived from efficiency and the median step on every parse; not stored. */
  mfu: z.unknown().optional(),
});

const failedCellSchema = z.object({
  ...cellBase,
  status: z.literal('failed'),
  reason: z.enum(FAILURE_REASONS),
});

export type FiledOkCell = Omit<z.output<typeof okCellSchema>, 'stats' | 'mfu'> & {
  stats: StepTimeStats;
  /** Model FLOPs utilisation against the device's dense peak, where the device is known. */
  mfu: number | null;
};
export type FiledFailedCell = z.output<typeof failedCellSchema>;
export type FiledCell = FiledOkCell | FiledFailedCell;

const cellSchema = z
  .discriminatedUnion('status', [okCellSchema, failedCellSchema])
  .transform((c): FiledCell => {
    if (c.status !== 'ok') return c;
    const stats = stepTimeStats(c.stepMs, samplesPerStep(c.config));
    return { ...c, stats, mfu: c.efficiency ? mfu(c.efficiency.flopsPerStep, stats.medianMs, c.efficiency.peakFlopsPerSecond) : null };
  });

const filedRunSchema = z.object({
  format: z.literal(HISTORY_RUN_FORMAT, { error: 'not a run filed by `mobius-bench history add`' }),
  schema: z.literal(HISTORY_RUN_SCHEMA, { error: versionMismatch('history run schema', HISTORY_RUN_SCHEMA) }),
  /** A hash of the suite, the run's start, the commit and the machine: the same run filed twice has the same id. */
  runId: z.string().regex(/^[0-9a-f]{16}$/),
  addedAt: isoDate,
  commit: commitSchema,
  suite: z.object({ name: z.string(), sha256: z.string() }),
  run: z.object({ startedAt: isoDate, endedAt: isoDate }),
  machine: machineSchema,
  cells: z.array(cellSchema),
});

export type FiledRun = z.output<typeof filedRunSchema>;

/** Reads one filed run: a damaged file is one line naming the file, the line and the field. */
export function readFiledRun(file: string): FiledRun {
  return readJsonFile(filedRunSchema, file, `${file}: no such history file`);
}

/** Pretty at the top, one line per cell: a diff shows which cells a run has. */
export function formatFiledRun(run: FiledRun): string {
  const { cells, ...head } = run;
  // Stats and MFU are derived on reading; the file keeps the samples only.
  const stored = cells.map((c) => (c.status === 'ok' ? { ...c, stats: undefined, mfu: undefined } : c));
  const headJson = JSON.stringify(head, null, 2);
  const cellLines = stored.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  return `${headJson.slice(0, -2)},\n  "cells": [\n${cellLines}\n  ]\n}\n`;
}

// A baseline file: one run's measurements, compact enough to commit — per
// cell its id, config, summary figures and step samples — with the suite,
// the run's dates and the machine. `compare` reads a run folder into the same
// shape (gate/baseline.ts), so that both of its sides are a CompactRun.
import { z } from 'zod';
import { cellConfigSchema, FAILURE_REASONS, RESULT_SCHEMA, samplesPerStep } from './cell-result.ts';
import { cellMemorySchema } from '../protocol/worker-outcome.ts';
import { outOfMemorySchema } from '../protocol/out-of-memory.ts';
import { readJsonFile, versionMismatch } from './parse-file.ts';
import { storedSuiteSchema } from './run-record.ts';
import { stepTimeStats, type StepTimeStats } from './stats.ts';
import { commandToType } from '../user-command.ts';

export const BASELINE_FORMAT = 'mobius-bench-baseline' as const;
export const BASELINE_SCHEMA = 1 as const;

const cellBase = {
  id: z.string().min(1),
  label: z.string(),
  config: cellConfigSchema,
};

/** The GPU figures the gate compares (nvidia-smi's, in MiB). */
const compactGpuSchema = z.object({
  processPeakMiB: z.number().nullable(),
  processMatched: z.boolean(),
  devicePeakAboveBaselineMiB: z.number(),
  energyJoulesPerStep: z.number().nullable(),
});

const okCellSchema = z.object({
  ...cellBase,
  status: z.literal('ok'),
  /** The backend that ran (tensor memory is only comparable on the same one). */
  backend: z.object({ name: z.string(), version: z.string(), gpu: z.boolean() }),
  /** Derived from stepMs on every parse (as in results.jsonl). */
  stats: z.unknown().optional(),
  memory: cellMemorySchema,
  gpu: compactGpuSchema.nullable(),
  /** Wall time of each measured step (ms, rounded to µs). */
  stepMs: z.array(z.number().nonnegative()).nonempty(),
});

const failedCellSchema = z.object({
  ...cellBase,
  status: z.literal('failed'),
  error: z.object({ reason: z.enum(FAILURE_REASONS), message: z.string(), oom: outOfMemorySchema.optional() }),
});

export type OkBaselineCell = Omit<z.output<typeof okCellSchema>, 'stats'> & { stats: StepTimeStats };
export type FailedBaselineCell = z.output<typeof failedCellSchema>;
export type BaselineCell = OkBaselineCell | FailedBaselineCell;

const baselineCellSchema = z
  .discriminatedUnion('status', [okCellSchema, failedCellSchema])
  .transform((c): BaselineCell => (c.status === 'ok' ? { ...c, stats: stepTimeStats(c.stepMs, samplesPerStep(c.config)) } : c));

/** Where the figures were measured: enough to tell whether timings are comparable. */
const environmentSchema = z.object({
  node: z.string(),
  os: z.string(),
  cpu: z.object({ model: z.string(), cores: z.number() }),
  gpus: z.array(z.string()),
  driver: z.string().nullable(),
  cuda: z.string().nullable(),
  tfjs: z.object({ core: z.string(), wasm: z.string().nullable(), node: z.string().nullable(), nodeGpu: z.string().nullable() }),
  commit: z.string().nullable(),
  dirty: z.boolean().nullable(),
});

const compactRunSchema = z.object({
  format: z.literal(BASELINE_FORMAT, { error: () => `not a mobius-bench baseline (make one with \`${commandToType('baseline save <run dir>')}\`)` }),
  schema: z.literal(BASELINE_SCHEMA, { error: versionMismatch('baseline schema', BASELINE_SCHEMA, '; save the baseline again') }),
  /** The results.jsonl schema the cells came from. */
  resultSchema: z.literal(RESULT_SCHEMA, { error: versionMismatch('cells of result schema', RESULT_SCHEMA, '; save the baseline again') }),
  createdAt: z.string(),
  suite: z.object({ name: z.string(), sha256: z.string(), definition: storedSuiteSchema }),
  run: z.object({ startedAt: z.string(), endedAt: z.string().nullable(), shard: z.string().nullable(), filter: z.string().nullable(), interrupted: z.boolean(), notes: z.array(z.string()) }),
  environment: environmentSchema,
  cells: z.array(baselineCellSchema),
});

/** One run's measurements in compact form: what a baseline file holds. */
export type CompactRun = z.output<typeof compactRunSchema>;

/** Reads a saved baseline file: a damaged or foreign file is one line naming the file, the line and the field. */
export function readBaselineFile(file: string): CompactRun {
  return readJsonFile(compactRunSchema, file, `${file}: no such baseline file`);
}

/** Pretty at the top, one line per cell: small, and a diff shows which cells changed. */
export function formatBaseline(b: CompactRun): string {
  const { cells, ...head } = b;
  const headJson = JSON.stringify(head, null, 2);
  const cellLines = cells.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  return `${headJson.slice(0, -2)},\n  "cells": [\n${cellLines}\n  ]\n}\n`;
}

// The worker protocol: the cell a worker is given, and the messages it sends
// back — over Node's IPC channel (the tfjs worker) or as one JSON object per
// stdout line (the torch worker). Nobody parses human text; every message
// from a worker is validated here, whichever executor ran it.
//
//   progress       { phase, step?, of? }     what the worker is doing (informational)
//   measure-start  { t }                     t: Unix epoch ms (Date.now's clock), just before the first measured step
//   measure-end    { t, steps }              just after the last; the GPU sampler integrates power between them
//   done           { outcome }               the raw measurements: no statistics, no formatting
//   error          { message, oom? }         the cell failed (a worker that dies sends nothing);
//                                            with `oom` it ran out of memory: it does not fit
import { z } from 'zod';
import { backendSchema, cellMemorySchema, distributedSchema, paramsSchema, startupSchema } from './worker-outcome.ts';
import type { CellConfig } from './cell-config.ts';
import { outOfMemorySchema } from './out-of-memory.ts';

export interface RunCellMessage {
  type: 'run';
  id: string;
  config: CellConfig;
  /** --memory-cap: live tensor bytes past this fail as an allocation would (measure/tensor-memory.ts). */
  memoryCapBytes: number | null;
}

/** What a worker measured: per-step samples, memory, and what ran. */
const workerOutcomeSchema = z.object({
  backend: backendSchema,
  params: paramsSchema,
  stepMs: z.array(z.number().nonnegative()).nonempty(),
  loss: z.array(z.number().nullable()),
  stepPeakBytes: z.array(z.number().nonnegative()),
  memory: cellMemorySchema,
  startup: startupSchema,
  /** Data-parallel cells: every rank's figures (the ones above are the slowest / highest rank's). */
  distributed: distributedSchema.optional(),
});
export type WorkerOutcome = z.output<typeof workerOutcomeSchema>;

export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), phase: z.string(), step: z.number().optional(), of: z.number().optional() }),
  z.object({ type: z.literal('measure-start'), t: z.number() }),
  z.object({ type: z.literal('measure-end'), t: z.number(), steps: z.number().int().nonnegative() }),
  z.object({ type: z.literal('done'), outcome: workerOutcomeSchema }),
  z.object({ type: z.literal('error'), message: z.string(), oom: outOfMemorySchema.optional(), rank: z.number().int().nonnegative().optional() }),
]);
export type WorkerMessage = z.output<typeof workerMessageSchema>;

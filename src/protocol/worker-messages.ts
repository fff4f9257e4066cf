// The worker protocol: the cell a worker is given, and the messages it sends
// back — over Node's IPC channel (the tfjs worker) or as one JSON object per
// stdout line (the torch worker). Nobody parses human text; every message
// from a worker is validated here, whichever executor ran it.
//
//   progress       { phase, step?, of? }     what the worker is doing (informational)
//   measure-start  { t }                     t: Unix epoch ms (Date.now's clock), just before the first measured step
//   measure-end    { t, steps }              just after the last; the GPU sampler integrates power between them
//   done           { outcome }               the raw measurements: no statistics, no formatting
//   error          { message }               the cell failed (a worker that dies sends nothing)
import { z } from 'zod';
import { backendSchema, cellMemorySchema, paramsSchema, startupSchema } from './worker-outcome.ts';
import type { CellConfig } from './cell-config.ts';

export interface RunCellMessage {
  type: 'run';
  id: string;
  config: CellConfig;
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
});
export type WorkerOutcome = z.output<typeof workerOutcomeSchema>;

export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), phase: z.string(), step: z.number().optional(), of: z.number().optional() }),
  z.object({ type: z.literal('measure-start'), t: z.number() }),
  z.object({ type: z.literal('measure-end'), t: z.number(), steps: z.number().int().nonnegative() }),
  z.object({ type: z.literal('done'), outcome: workerOutcomeSchema }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type WorkerMessage = z.output<typeof workerMessageSchema>;

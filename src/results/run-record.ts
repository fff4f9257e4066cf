// run.json: what a run was — the suite, the environment, when it started and
// ended, whether it was interrupted — written at the start and updated at the
// end, beside results.jsonl. Read through its schema: a damaged run.json is
// one line naming the file, the line and the field.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Environment } from '../measure/environment.ts';
import { claimSchema } from '../suite/schema.ts';
import { readJsonFile, versionMismatch } from './parse-file.ts';

export const RUN_SCHEMA = 1 as const;

const nullableString = z.string().nullable();

/** The environment as measure/environment.ts records it; fields a later version adds are kept. */
const environmentSchema = z.looseObject({
  node: z.string(),
  platform: z.string(),
  os: z.string(),
  arch: z.string(),
  cpu: z.object({ model: z.string(), cores: z.number() }),
  memoryBytes: z.number(),
  tfjs: z.object({ core: z.string(), wasm: nullableString, node: nullableString, nodeGpu: nullableString }),
  gpu: z.object({
    available: z.boolean(),
    devices: z.array(z.object({ index: z.number(), name: z.string(), uuid: z.string(), memoryTotalMiB: z.number().nullable() })),
    driver: nullableString,
    cuda: nullableString,
    note: nullableString,
  }),
  git: z.object({ commit: nullableString, dirty: z.boolean().nullable(), note: nullableString }),
  suite: z.object({ path: z.string(), sha256: z.string() }).optional(),
}).transform((e): Environment => e);

/**
 * The suite as the run validated it (suite/schema.ts's output). Only what
 * readers use is checked again — its name and claims — so that a run stays
 * readable when a later version's suite schema is stricter.
 */
export const storedSuiteSchema = z.looseObject({
  name: z.string(),
  description: z.string().default(''),
  claims: z.array(claimSchema).default([]),
});

const runRecordSchema = z.looseObject({
  schema: z.literal(RUN_SCHEMA, { error: versionMismatch('run schema', RUN_SCHEMA) }),
  suite: z.object({ name: z.string(), description: z.string(), path: z.string(), sha256: z.string(), definition: storedSuiteSchema }),
  environment: environmentSchema,
  argv: z.array(z.string()),
  /** Cells selected for this run (after filter and shard), ids in order. */
  cells: z.array(z.string()),
  filter: nullableString,
  shard: nullableString,
  /**
   * The other command-line choices that decide which cells run and how they
   * are measured, so that --resume repeats them. Absent in runs recorded
   * before they were.
   */
  options: z.object({
    backend: nullableString,
    steps: z.number().nullable(),
    warmup: z.number().nullable(),
    plan: z.boolean(),
    skipUnfit: z.boolean(),
    device: nullableString,
    /** --device cpu|cuda|auto: where the torch cells ran instead of the suite's device (absent before it existed). */
    torchDevice: nullableString.optional(),
    /** --memory-cap in bytes (absent before it existed). */
    memoryCapBytes: z.number().nullable().optional(),
    /** --nnodes and --rdzv-endpoint: the machines every cell ran across (absent or null: this one). */
    nodes: z.object({ count: z.number().int().min(2), endpoint: z.string() }).nullable().optional(),
  }).optional(),
  startedAt: z.string(),
  endedAt: nullableString,
  interrupted: z.boolean(),
  /** Things a reader must know: no nvidia-smi, resumed runs, … */
  notes: z.array(z.string()),
  /** Cells not run because the planner said they cannot fit this machine's backend (or --device with --skip-unfit): never passed, never failed. */
  skipped: z.array(z.object({ id: z.string(), label: z.string(), reason: z.string() })).optional(),
  /** Each later `--resume` of this run. */
  resumes: z.array(z.object({ startedAt: z.string(), endedAt: nullableString, cells: z.number() })),
});

export type RunRecord = z.output<typeof runRecordSchema>;

export function runJsonPath(outDir: string): string {
  return join(outDir, 'run.json');
}

export function writeRunRecord(outDir: string, record: RunRecord): void {
  // Write then rename: a crash never leaves half a run.json.
  const path = runJsonPath(outDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function readRunRecord(outDir: string): RunRecord {
  return readJsonFile(runRecordSchema, runJsonPath(outDir), `${outDir}: no run.json — not a mobius-bench run folder`);
}

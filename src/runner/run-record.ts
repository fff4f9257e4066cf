// run.json: what a run was — the suite, the environment, when it started and
// ended, whether it was interrupted — written at the start and updated at the
// end, beside results.jsonl.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../measure/environment.ts';
import type { Suite } from '../suite/schema.ts';
import { UserError } from '../user-error.ts';

export const RUN_SCHEMA = 1 as const;

export interface RunRecord {
  schema: typeof RUN_SCHEMA;
  suite: { name: string; description: string; path: string; sha256: string; definition: Suite };
  environment: Environment;
  argv: string[];
  /** Cells selected for this run (after filter and shard), ids in order. */
  cells: string[];
  filter: string | null;
  shard: string | null;
  startedAt: string;
  endedAt: string | null;
  interrupted: boolean;
  /** Things a reader must know: no nvidia-smi, resumed runs, … */
  notes: string[];
  /** Cells not run because the planner said they cannot fit (--skip-unfit): never passed, never failed. */
  skipped?: Array<{ id: string; label: string; reason: string }>;
  /** Each later `--resume` of this run. */
  resumes: Array<{ startedAt: string; endedAt: string | null; cells: number }>;
}

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
  const path = runJsonPath(outDir);
  if (!existsSync(path)) throw new UserError(`${outDir}: no run.json — not a mobius-bench run folder`);
  let record: RunRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  } catch {
    throw new UserError(`${path}: not valid JSON`);
  }
  if (record.schema !== RUN_SCHEMA) throw new UserError(`${path}: run schema ${String(record.schema)}, this version reads ${RUN_SCHEMA}`);
  return record;
}

// What `run` is asked: the suite and which of its cells (select.ts), where the
// results go, how they are measured and run. Its own file: run-suite.ts and
// resume.ts both read it, and resume.ts is a step of run-suite.ts.
import type { SelectOptions } from '../suite/select.ts';
import type { CellExecutor } from './cell-executor.ts';
import type { ExecutorOptions } from './executors.ts';

export interface RunOptions extends SelectOptions, ExecutorOptions {
  out?: string;
  resume?: string;
  json?: boolean;
  /** Plan every selected cell first (plan.json beside results.jsonl). */
  plan?: boolean;
  /** Plan first and do not run the cells whose planned peak exceeds `device`. */
  skipUnfit?: boolean;
  /** The device --plan / --skip-unfit check against (default a100-40gb). */
  device?: string;
  /** Run the cells the planner says cannot fit this machine's backend too. */
  force?: boolean;
  /** Lines a person should see before the cells run (skipped cells); the CLI prints them unless --json. */
  onNotice?: (line: string) => void;
  /** Aborting it interrupts the run. */
  signal?: AbortSignal;
  /** Runs every cell instead of the executor its backend calls for (tests). */
  executor?: CellExecutor;
}

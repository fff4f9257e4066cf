// The structured messages between the runner (parent) and a cell's worker
// process, over Node's IPC channel. Nobody parses human text.
import type { BackendInfo } from '../backend/select.ts';
import type { NetworkParams } from '../model/params-report.ts';
import type { CellMemory, StepTimeStats } from '../results/schema.ts';
import type { CellConfig } from '../suite/expand.ts';

export interface RunCellMessage {
  type: 'run';
  id: string;
  config: CellConfig;
}

/** What a worker measured. */
export interface WorkerOutcome {
  backend: BackendInfo;
  params: NetworkParams;
  stepMs: number[];
  loss: number[];
  stepPeakBytes: number[];
  stats: StepTimeStats;
  /** null when the tracker was switched off (overhead measurement only). */
  memory: CellMemory | null;
}

export type WorkerMessage =
  | { type: 'measure-start'; t: number }
  | { type: 'measure-end'; t: number; steps: number }
  | { type: 'done'; outcome: WorkerOutcome }
  | { type: 'error'; message: string; userError: boolean };

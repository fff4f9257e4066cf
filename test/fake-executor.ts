// An in-process CellExecutor for the runner's tests: a cell "runs" in a few
// milliseconds with no process and no TensorFlow.js, and does what its
// behaviour says — reports a canned outcome, throws, crashes, is killed,
// hangs until the runner kills it, or breaks the protocol. The runner's
// handling of each (run-cell.ts) is the same code a real worker goes through.
import type { CellExecution, CellExecutor, WorkerExit } from '../src/runner/cell-executor.ts';
import type { WorkerMessage, WorkerOutcome } from '../src/protocol/worker-messages.ts';
import type { Cell } from '../src/protocol/cell-config.ts';

export type FakeBehaviour = 'ok' | 'throw' | 'crash' | 'killed' | 'hang' | 'malformed';

export interface FakeExecutor extends CellExecutor {
  /** Ids of the cells started, in order. */
  readonly started: string[];
}

/** Deterministic figures from the cell: parallel needs 60 % of serial's memory and 80 % of its time. */
export function fakeOutcome(cell: Cell): WorkerOutcome {
  const c = cell.config;
  const parallel = c.mode.startsWith('delta-parallel');
  const scale = c.batch * c.accum;
  const stepMs = Array.from({ length: c.steps }, (_, i) => (parallel ? 80 : 100) * scale + i) as WorkerOutcome['stepMs'];
  const peakBytes = (parallel ? 6e6 : 10e6) * scale;
  return {
    backend: { requested: 'wasm', name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: '0.0.0-fake', gpu: false, patches: [] },
    params: { spatial: 100, temporal: 40, extra: parallel ? 5 : 0, total: parallel ? 145 : 140, trainable: 40, frozen: parallel ? 105 : 100 },
    stepMs,
    loss: stepMs.map((_, i) => 1 - i / 100),
    stepPeakBytes: stepMs.map(() => peakBytes),
    memory: { source: 'tensors', startBytes: 1e6, peakBytes, weightsBytes: 5e5, optimizerBytes: 5e5, peakAboveStartBytes: peakBytes - 1e6, rssPeakBytes: 2 * peakBytes },
    startup: { importMs: 1, buildMs: 1 },
  };
}

export function fakeExecutor(behaviour: (cell: Cell) => FakeBehaviour = () => 'ok', opts: { onStart?: (cell: Cell) => void } = {}): FakeExecutor {
  const started: string[] = [];
  return {
    name: 'fake worker',
    started,
    start(cell, onMessage): CellExecution {
      started.push(cell.id);
      let finish!: (exit: WorkerExit) => void;
      let over = false;
      const exited = new Promise<WorkerExit>((resolve) => {
        finish = (exit) => {
          if (over) return;
          over = true;
          resolve(exit);
        };
      });
      const send = (m: WorkerMessage | Record<string, unknown>) => {
        if (!over) onMessage(m);
      };
      const what = behaviour(cell);
      // Later, as a process would: the runner is listening by then.
      setTimeout(() => {
        if (what === 'hang') return;
        if (what === 'killed') return finish({ code: null, signal: 'SIGKILL' });
        if (what === 'crash') return finish({ code: 1, signal: null });
        if (what === 'throw') {
          send({ type: 'error', message: `fault in cell ${cell.id}` });
          return finish({ code: 0, signal: null });
        }
        if (what === 'malformed') {
          send({ type: 'done', outcome: { ...fakeOutcome(cell), stepMs: 'fast' } });
          return finish({ code: 0, signal: null });
        }
        send({ type: 'measure-start', t: Date.now() });
        send({ type: 'measure-end', t: Date.now(), steps: cell.config.steps });
        send({ type: 'done', outcome: fakeOutcome(cell) });
        finish({ code: 0, signal: null });
      }, 5);
      opts.onStart?.(cell);
      return {
        pid: undefined,
        exited,
        kill: () => finish({ code: null, signal: 'SIGKILL' }),
        outputTail: () => (what === 'crash' ? 'Traceback: the fake worker crashed\n' : ''),
      };
    },
  };
}

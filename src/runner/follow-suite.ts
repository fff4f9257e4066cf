// `run --nnodes M --node-rank K` on a machine other than node 0: the same
// cells in the same order, each one torchrun here joining node 0's rendezvous.
// Node 0's harness records every cell (its ranks gather every rank's figures);
// this one writes nothing and says where it is, a line per cell start and end.
import { cellLabel } from '../protocol/labels.ts';
import { gpusOf } from '../protocol/cell-config.ts';
import { selectCells } from '../suite/select.ts';
import { executorsFor } from './executors.ts';
import type { NodeSpan } from './nodes.ts';
import { followCell, Interrupted } from './run-cell.ts';
import type { RunOptions } from './run-options.ts';

export interface FollowSummary {
  ran: number;
  failed: number;
  interrupted: boolean;
}

export async function followSuite(opts: RunOptions & { nodes: NodeSpan }, say: (line: string) => void): Promise<FollowSummary> {
  const { nodes } = opts;
  const { loaded, selected } = await selectCells(opts);
  const executors = await executorsFor(selected, opts);
  const where = `node ${nodes.rank} of ${nodes.count}`;
  say(`${where}: ${selected.length} cells of suite '${loaded.suite.name}', each joining node 0 at ${nodes.endpoint}; node 0 writes the results`);
  const summary: FollowSummary = { ran: 0, failed: 0, interrupted: false };
  for (const [i, cell] of selected.entries()) {
    if (opts.signal?.aborted) {
      summary.interrupted = true;
      break;
    }
    const gpus = gpusOf(cell.config);
    say(`${where}: cell ${i + 1}/${selected.length} ${cellLabel(cell.config)}: ${gpus} rank${gpus > 1 ? 's' : ''} here`);
    try {
      const ended = await followCell(cell, executors.executorOf(cell), { timeoutMs: loaded.suite.timeoutSeconds * 1000, sampler: null, signal: opts.signal });
      summary.ran++;
      if (ended.ok) say(`${where}: cell ${i + 1}/${selected.length} done`);
      else {
        summary.failed++;
        say(`${where}: cell ${i + 1}/${selected.length} failed (${ended.reason}): ${ended.message}`);
      }
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      summary.interrupted = true;
      break;
    }
  }
  return summary;
}

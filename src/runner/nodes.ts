// A run across several machines: torchrun's c10d rendezvous, passed through.
// Every machine runs `mobius-bench run SUITE --nnodes M --node-rank K
// --rdzv-endpoint HOST:PORT` with the same suite and filter; each cell is one
// torchrun per machine, `gpus` ranks on each, joined at HOST:PORT. Node 0
// hosts the rendezvous (PyTorch's TCPStore, on every interface of node 0 while
// a cell runs), and its harness writes the results; the others run their ranks
// and print where they are.
import { UserError } from '../user-error.ts';

export interface NodeSpan {
  /** Machines in every cell (--nnodes). */
  count: number;
  /** This machine's place (--node-rank): 0 writes the results and hosts the rendezvous. */
  rank: number;
  /** HOST:PORT of node 0, which every node can reach (--rdzv-endpoint). */
  endpoint: string;
}

/** The three flags together, checked; null for a run on this machine alone. */
export function nodeSpan(flags: { nnodes?: string; nodeRank?: string; rdzvEndpoint?: string }): NodeSpan | null {
  const { nnodes, nodeRank, rdzvEndpoint } = flags;
  if (nnodes === undefined && nodeRank === undefined && rdzvEndpoint === undefined) return null;
  const count = Number(nnodes);
  if (nnodes === undefined || !Number.isInteger(count) || count < 2) {
    throw new UserError(`--nnodes ${nnodes ?? '(missing)'}: give the number of machines, 2 or more, with --node-rank and --rdzv-endpoint (a run on one machine needs none of them)`);
  }
  const rank = Number(nodeRank);
  if (nodeRank === undefined || !/^\d+$/.test(nodeRank) || rank >= count) {
    throw new UserError(`--node-rank ${nodeRank ?? '(missing)'}: give this machine's number, 0 to ${count - 1} (0 on the machine that writes the results)`);
  }
  const m = rdzvEndpoint === undefined ? null : /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(rdzvEndpoint);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new UserError(`--rdzv-endpoint ${rdzvEndpoint ?? '(missing)'}: give HOST:PORT of node 0, which every machine can reach (e.g. 10.0.0.1:29500)`);
  }
  return { count, rank, endpoint: rdzvEndpoint! };
}

/** torchrun's arguments for one cell's ranks on this machine, joining the others at the endpoint. */
export function multiNodeTorchrunArgs(gpus: number, nodes: NodeSpan, rendezvousId: string): string[] {
  return [
    '--nnodes', String(nodes.count), '--node_rank', String(nodes.rank), '--nproc_per_node', String(gpus),
    '--rdzv_backend', 'c10d', '--rdzv_endpoint', nodes.endpoint, '--rdzv_id', rendezvousId,
    // Node 0 hosts the store; the others only connect (without it, torchrun guesses from the host name).
    '--rdzv_conf', `is_host=${nodes.rank === 0 ? 1 : 0}`,
  ];
}

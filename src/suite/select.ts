// Which cells a command works on: the suite file loaded and expanded (with
// the command line's backend and step counts), then narrowed by --filter and
// --shard. `run`, `list`, `plan` and the benches all select through here.
import type { RunBackend, TorchDevice } from '../backend/run-backends.ts';
import { UserError } from '../user-error.ts';
import { gpusOf, type Cell } from '../protocol/cell-config.ts';
import { expandSuite } from './expand.ts';
import { loadSuite, type LoadedSuite } from './load.ts';
import { commandToType } from '../user-command.ts';

export interface SelectOptions {
  suiteFile: string;
  filter?: string;
  shard?: string;
  /** Overrides of the suite's own. */
  backend?: RunBackend;
  steps?: number;
  warmup?: number;
  /** Where the torch cells run (run --device cpu|cuda|auto). */
  torchDevice?: TorchDevice;
}

export interface SelectedCells {
  loaded: LoadedSuite;
  /** Every cell of the suite, in expansion order. */
  all: Cell[];
  /** Those the filter and shard leave, in the same order. */
  selected: Cell[];
}

export async function selectCells(opts: SelectOptions): Promise<SelectedCells> {
  const loaded = await loadSuite(opts.suiteFile);
  const all = expandSuite(loaded.suite, { backend: opts.backend, steps: opts.steps, warmup: opts.warmup, device: opts.torchDevice });
  let selected = all;
  if (opts.filter) {
    selected = selected.filter(parseFilter(opts.filter));
    // Not a run folder that holds only run.json: the filter is wrong, say so.
    if (selected.length === 0) {
      throw new UserError(`--filter '${opts.filter}': no cell of suite '${loaded.suite.name}' matches (${commandToType(`list ${opts.suiteFile}`)} shows its cells)`);
    }
  }
  if (opts.shard) selected = shardCells(selected, parseShard(opts.shard));
  return { loaded, all, selected };
}

const FILTER_KEYS = ['id', 'preset', 'mode', 'batch', 'accum', 'gpus', 'frames', 'size'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** `mode=delta-parallel,batch=2` (AND of keys; `a|b` for alternatives) → a predicate. */
export function parseFilter(text: string): (cell: Cell) => boolean {
  const clauses: Array<[FilterKey, Set<string>]> = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq < 1 || !(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new UserError(`--filter '${part}': write key=value with a key among ${FILTER_KEYS.join(', ')} (e.g. mode=delta-parallel,batch=2)`);
    }
    clauses.push([key as FilterKey, new Set(part.slice(eq + 1).split('|').map((v) => v.trim()))]);
  }
  return (cell) => clauses.every(([key, values]) => values.has(String(key === 'id' ? cell.id : key === 'gpus' ? gpusOf(cell.config) : cell.config[key])));
}

/** `k/n` → the k-th of n deterministic, balanced parts (round-robin over the expansion order). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard '${text}': write k/n with 1 ≤ k ≤ n (e.g. 2/4)`);
  }
  return { index, count };
}

export function shardCells(cells: Cell[], shard: { index: number; count: number }): Cell[] {
  return cells.filter((_, i) => i % shard.count === shard.index - 1);
}

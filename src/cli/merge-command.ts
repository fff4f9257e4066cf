// `mobius-bench merge <run dir>… --out <dir>`: the shards of one suite
// (`run --shard k/n`, e.g. one per CI runner) as one run folder that report,
// baseline and compare read like an unsharded run. Returns a line to print.
import { mergeRuns } from '../results/merge-runs.ts';

export async function mergeCommand(runDirs: string[], opts: { out: string }): Promise<string> {
  const s = mergeRuns(runDirs, opts.out);
  const missing = s.missingShards.length ? ` (shards missing: ${s.missingShards.join(', ')})` : '';
  return `merged ${s.cells} cells from ${s.parts} run folder${s.parts === 1 ? '' : 's'} into ${s.out}${missing}`;
}

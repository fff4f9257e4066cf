// Merges the run folders of one suite's shards (`run --shard k/n`) into one
// run folder: results.jsonl in the unsharded order and a run.json that says
// where each part came from. A cell found twice, shards of another suite or
// of another split are errors: a merged run must mean what an unsharded one does.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canonicalJson } from '../protocol/canonical-json.ts';
import type { CellResult } from './cell-result.ts';
import { readResults } from './jsonl.ts';
import { readRunRecord, RUN_SCHEMA, writeRunRecord, type RunRecord } from './run-record.ts';
import { parseShard } from '../suite/select.ts';
import { UserError } from '../user-error.ts';
import { commandToType } from '../user-command.ts';

interface Part {
  dir: string;
  record: RunRecord;
  results: CellResult[];
  /** results' lines as the shard wrote them: the merged run copies them unchanged. */
  lines: string[];
  shard: { index: number; count: number } | null;
}

function readPart(dir: string): Part {
  const record = readRunRecord(dir);
  const file = join(dir, 'results.jsonl');
  const read = existsSync(file) ? readResults(file) : { results: [], lines: [], truncatedLine: null };
  if (read.truncatedLine != null) {
    throw new UserError(`${file}:${read.truncatedLine}: a cut-off last line; finish that shard first (${commandToType(`run ${record.suite.path} --resume ${dir}`)})`);
  }
  return { dir, record, results: read.results, lines: read.lines, shard: record.shard ? parseShard(record.shard) : null };
}

function machine(r: RunRecord): string {
  const e = r.environment;
  return `${e.cpu.model} ×${e.cpu.cores}${e.gpu.devices.length ? `, ${e.gpu.devices.map((d) => d.name).join(' + ')}` : ''}, node ${e.node}, tfjs ${e.tfjs.core}`;
}

/** Measurement settings that must agree for two results to belong to one run. */
function measuredAs(r: CellResult): string {
  return canonicalJson({ warmup: r.config.warmup, steps: r.config.steps, backend: r.config.backend });
}

export interface MergeSummary {
  out: string;
  parts: number;
  cells: number;
  missingShards: string[];
}

/** Merges shard run folders into `out` (which must not hold a run yet). */
/** The inputs and the output folder: refused before anything is read. */
function checkFolders(runDirs: string[], out: string): { dirs: string[]; outDir: string } {
  if (runDirs.length === 0) throw new UserError('merge: give the run folders of the shards to merge');
  const dirs = runDirs.map((d) => resolve(d));
  const outDir = resolve(out);
  if (dirs.includes(outDir)) throw new UserError(`merge: --out ${out} is one of the inputs; write the merged run to a new folder`);
  if (existsSync(join(outDir, 'results.jsonl')) || existsSync(join(outDir, 'run.json'))) {
    throw new UserError(`merge: ${out} already holds a run; choose another --out`);
  }
  if (new Set(dirs).size !== dirs.length) throw new UserError('merge: a run folder is given twice');
  return { dirs, outDir };
}

/** One suite, one definition, one filter, one split with each shard once. Returns the split's shard count and the shards present. */
function checkOneSuiteOneSplit(parts: Part[]): { count: number | undefined; indexes: Map<number, string> } {
  const first = parts[0]!;
  for (const p of parts.slice(1)) {
    if (p.record.suite.name !== first.record.suite.name) {
      throw new UserError(`merge: ${p.dir} is a run of suite '${p.record.suite.name}', ${first.dir} of '${first.record.suite.name}'`);
    }
    if (canonicalJson(p.record.suite.definition) !== canonicalJson(first.record.suite.definition)) {
      throw new UserError(`merge: ${p.dir} and ${first.dir} ran different definitions of suite '${first.record.suite.name}' (sha256 ${p.record.suite.sha256.slice(0, 12)} vs ${first.record.suite.sha256.slice(0, 12)})`);
    }
    if (p.record.filter !== first.record.filter) {
      throw new UserError(`merge: ${p.dir} was filtered by ${JSON.stringify(p.record.filter)}, ${first.dir} by ${JSON.stringify(first.record.filter)}`);
    }
  }
  const sharded = parts.filter((p) => p.shard);
  const counts = new Set(sharded.map((p) => p.shard!.count));
  if (counts.size > 1) throw new UserError(`merge: shards of different splits (${[...counts].map((n) => `/${n}`).join(', ')}); merge the shards of one split`);
  const indexes = new Map<number, string>();
  for (const p of sharded) {
    const other = indexes.get(p.shard!.index);
    if (other) throw new UserError(`merge: ${p.dir} and ${other} are both shard ${p.record.shard}`);
    indexes.set(p.shard!.index, p.dir);
  }
  return { count: [...counts][0], indexes };
}

/** Every cell once; the same measurement settings everywhere. */
function checkEachCellOnce(parts: Part[]): void {
  const owner = new Map<string, string>();
  const reference = parts.flatMap((p) => p.results.map((r) => ({ r, dir: p.dir })))[0];
  for (const p of parts) {
    for (const r of p.results) {
      const seen = owner.get(r.id);
      if (seen) throw new UserError(`merge: cell ${r.id} (${r.label}) is in ${seen} and in ${p.dir}; a merged run holds each cell once`);
      owner.set(r.id, p.dir);
      if (reference && measuredAs(r) !== measuredAs(reference.r)) {
        throw new UserError(`merge: cell ${r.id} (${r.label}) in ${p.dir} was measured with ${measuredAs(r)}, cell ${reference.r.id} in ${reference.dir} with ${measuredAs(reference.r)}`);
      }
    }
  }
}

/** The unsharded order: shard k of n holds positions k−1, k−1+n, … of the selection. Returns the lines in it and the cell ids. */
function inUnshardedOrder(parts: Part[]): { lines: string[]; cells: string[] } {
  const position = new Map<string, number>();
  let unsharded = 0;
  for (const p of parts) {
    p.record.cells.forEach((id, j) => {
      if (position.has(id)) return;
      position.set(id, p.shard ? j * p.shard.count + (p.shard.index - 1) : 1e9 + unsharded++);
    });
  }
  const results = parts.flatMap((p) => p.results.map((result, i) => ({ result, line: p.lines[i]! })));
  const order = (r: CellResult) => position.get(r.id) ?? 2e9;
  results.sort((a, b) => order(a.result) - order(b.result));
  return { lines: results.map((r) => r.line), cells: [...position.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id) };
}

/** The merged run.json: the first shard's suite and environment, notes on where each part came from and what is missing. */
function mergedRecord(parts: Part[], outDir: string, cells: string[], missingShards: string[]): RunRecord {
  const first = parts[0]!;
  const notes = [...new Set(parts.flatMap((p) => p.record.notes))];
  notes.push(`merged from ${parts.length} run folder${parts.length === 1 ? '' : 's'}: ${parts.map((p) => `${p.dir}${p.record.shard ? ` (shard ${p.record.shard})` : ''}`).join(', ')}`);
  if (missingShards.length) notes.push(`shards missing from the merge: ${missingShards.join(', ')}; their cells are not in this run`);
  const machines = [...new Set(parts.map((p) => machine(p.record)))];
  if (machines.length > 1) notes.push(`the shards ran on different machines (${machines.join('; ')}); environment is the first shard's`);
  const starts = parts.map((p) => p.record.startedAt).sort();
  const ends = parts.map((p) => p.record.resumes.at(-1)?.endedAt ?? p.record.endedAt);
  return {
    schema: RUN_SCHEMA,
    suite: first.record.suite,
    environment: first.record.environment,
    argv: ['merge', ...parts.map((p) => p.dir), '--out', outDir],
    cells,
    filter: first.record.filter,
    shard: null,
    startedAt: starts[0]!,
    endedAt: ends.some((e) => e == null) ? null : (ends as string[]).sort().at(-1)!,
    interrupted: parts.some((p) => p.record.interrupted),
    notes,
    resumes: [],
  };
}

export function mergeRuns(runDirs: string[], out: string): MergeSummary {
  const { dirs, outDir } = checkFolders(runDirs, out);
  const parts = dirs.map(readPart);
  const { count, indexes } = checkOneSuiteOneSplit(parts);
  checkEachCellOnce(parts);
  const { lines, cells } = inUnshardedOrder(parts);
  const missingShards = count != null ? Array.from({ length: count }, (_, i) => i + 1).filter((k) => !indexes.has(k)).map((k) => `${k}/${count}`) : [];
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.jsonl'), lines.map((l) => `${l}\n`).join(''));
  writeRunRecord(outDir, mergedRecord(parts, outDir, cells, missingShards));
  return { out: outDir, parts: parts.length, cells: lines.length, missingShards };
}

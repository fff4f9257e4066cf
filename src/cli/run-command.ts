// `mobius-bench run` (and its --dry-run) and `mobius-bench list`.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeReports } from '../report/write-reports.ts';
import { DOES_NOT_FIT } from '../results/does-not-fit.ts';
import { checkClaims, type ClaimCheck } from '../results/analysis.ts';
import { claimVerdict, groupLines } from '../results/claim-summary.ts';
import { readResults } from '../results/jsonl.ts';
import { readRunRecord } from '../results/run-record.ts';
import { doneCellIds, resumeOptions } from '../runner/resume.ts';
import { followSuite } from '../runner/follow-suite.ts';
import type { NodeSpan } from '../runner/nodes.ts';
import { runSuite, type RunOptions } from '../runner/run-suite.ts';
import { UserError } from '../user-error.ts';
import { type Cell } from '../protocol/cell-config.ts';
import { cellLabel } from '../protocol/labels.ts';
import { selectCells } from '../suite/select.ts';
import { commandToType } from '../user-command.ts';

function formatCells(cells: Cell[]): string {
  return cells.map((c) => `${c.id}  ${cellLabel(c.config)}`).join('\n');
}

/** Runs `work`; Ctrl-C or SIGTERM aborts its signal (the current worker is stopped, the finished cells stay). */
async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(interrupt.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A machine other than node 0 (--node-rank K > 0): its ranks of every cell, a line per cell; node 0 writes the results. */
async function followCommand(opts: RunOptions & { nodes: NodeSpan }): Promise<number> {
  const say = opts.json ? (line: string) => console.log(JSON.stringify({ node: opts.nodes.rank, message: line })) : (line: string) => console.error(line);
  const summary = await untilInterrupted((signal) => followSuite({ ...opts, signal }, say));
  if (opts.json) console.log(JSON.stringify({ node: opts.nodes.rank, ...summary }));
  return summary.interrupted ? 130 : summary.failed > 0 ? 1 : 0;
}

/** The suite's claims on the run's cells, a line each (its verdict and the group that decides it); verbose: each group's line under it. */
export function claimLines(checks: ClaimCheck[], verbose = false): string[] {
  return checks.flatMap((c) => {
    const groups = c.comparisons.length + c.skippedGroups.length;
    const hint = !verbose && groups > 1 ? ' (--verbose: every group)' : '';
    return [`claim ${c.label}: ${claimVerdict(c)}${hint}`, ...(verbose ? groupLines(c).map((l) => `  ${l}`) : [])];
  });
}

function claimsOfRun(out: string): ClaimCheck[] {
  const claims = readRunRecord(out).suite.definition.claims ?? [];
  if (claims.length === 0) return [];
  return checkClaims(claims, readResults(join(out, 'results.jsonl')).results);
}

/** --dry-run: the cells a run would start; with --resume, those the run folder still lacks. */
async function cellsToRun(opts: RunOptions): Promise<Cell[]> {
  const resumed = resumeOptions(opts);
  const { selected } = await selectCells(resumed);
  if (!resumed.resume) return selected;
  const done = doneCellIds(resumed.resume);
  return selected.filter((c) => !done.has(c.id));
}

export async function runCommand(opts: RunOptions & { dryRun?: boolean; strictClaims?: boolean; verbose?: boolean }): Promise<number> {
  if (opts.dryRun) {
    const cells = await cellsToRun(opts);
    console.log(opts.json ? JSON.stringify(cells.map((c) => ({ id: c.id, config: c.config })), null, 2) : formatCells(cells));
    return 0;
  }
  const { nodes } = opts;
  if (nodes) {
    if (opts.resume || opts.skipUnfit) {
      throw new UserError(`${opts.resume ? '--resume' : '--skip-unfit'} with --nnodes: every machine must run the same cells, and only node 0 would know which; give every machine the same --filter (e.g. id=<a>|<b>) instead`);
    }
    if (nodes.rank > 0) return followCommand({ ...opts, nodes });
  }
  if (!opts.json) opts = { ...opts, onNotice: (line) => console.error(line) };
  const summary = await untilInterrupted((signal) => runSuite({ ...opts, signal }));
  // The results are on disk already; a report that fails loses nothing.
  let reportError: string | null = null;
  let report: string | null = null;
  if (summary.ran + summary.alreadyDone > 0) {
    try {
      report = (await writeReports(summary.out)).find((f) => basename(f) === 'report.html') ?? null;
    } catch (err) {
      reportError = `the reports were not written: ${(err as Error).message} (retry: ${commandToType(`report ${summary.out}`)})`;
    }
  }
  if (reportError) console.error(`mobius-bench: ${reportError}`);
  const claims = summary.ran + summary.alreadyDone > 0 ? claimsOfRun(summary.out) : [];
  const claimFailed = claims.some((c) => c.status === 'fail');
  if (opts.json) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    const skipped = (summary.alreadyDone ? `, ${summary.alreadyDone} already done` : '') + (summary.skippedUnfit ? `, ${summary.skippedUnfit} skipped as unfit (run.json)` : '');
    const unfit = summary.doesNotFit ? `, ${summary.doesNotFit} ${DOES_NOT_FIT} (out of memory)` : '';
    console.error(`${summary.ok} ok${unfit}, ${summary.failed} failed of ${summary.selected} cells${skipped}${summary.interrupted ? ' — interrupted' : ''}; ${report ? `report: ${report}` : `results in ${summary.out}`}`);
    for (const line of claimLines(claims, opts.verbose)) console.error(line);
    // The run folder remembers its filter, shard, backend and step counts; only the interpreter is this invocation's.
    if (summary.interrupted) console.error(`resume with: ${commandToType(`run ${opts.suiteFile} --resume ${summary.out}${opts.python ? ` --python ${opts.python}` : ''}`)}`);
  }
  // 130: interrupted (as a shell reports SIGINT); 1: some cell failed, or a claim failed under --strict-claims.
  // A cell that does not fit is an answer, not a failure: the gate compares it with the baseline.
  return summary.interrupted ? 130 : summary.failed > 0 || (opts.strictClaims && claimFailed) ? 1 : 0;
}

/** Suite files in ./suites, or the cells of one suite. */
export async function listCommand(suiteFile: string | undefined): Promise<string> {
  if (suiteFile) return formatCells((await selectCells({ suiteFile })).selected);
  const dir = 'suites';
  if (!existsSync(dir)) return 'no ./suites folder here: give a suite file';
  const lines: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const path = join(dir, file);
    const { loaded, all } = await selectCells({ suiteFile: path });
    lines.push(`${path.padEnd(22)} ${loaded.suite.name.padEnd(10)} ${String(all.length).padStart(3)} cells  ${loaded.suite.description}`);
  }
  return lines.join('\n');
}

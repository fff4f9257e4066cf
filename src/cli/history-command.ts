// `mobius-bench history add <run dir> --history <dir>` files a finished run
// by commit and machine; `mobius-bench history report <dir> [--out site]
// [--json]` renders the trends and prints the change points.
import { relative, resolve } from 'node:path';
import { addRun } from '../history/add-run.ts';
import { changePointRecords } from '../history/change-point-report.ts';
import { readHistory } from '../history/history-folder.ts';
import { buildSeries } from '../history/series.ts';
import { commitLinks, writeSite } from '../history/write-site.ts';
import { ensureOutputFolder } from '../results/output-paths.ts';
import { UserError } from '../user-error.ts';

/** Files the run; git is asked about its commit in `cwd`. Returns the line to print. */
export function historyAddCommand(runDir: string, opts: { history: string }, cwd = process.cwd()): string {
  const { file, run } = addRun(runDir, opts.history, cwd);
  const dirty = run.commit.dirty ? ' (a dirty tree: uncommitted changes)' : '';
  const date = run.commit.dateFrom === 'git' ? `committed ${run.commit.date.slice(0, 10)}` : `dated by the run's start, ${run.commit.date.slice(0, 10)}, as git here does not know the commit`;
  return `filed the ${run.suite.name} run of ${run.commit.sha.slice(0, 12)}${dirty}, ${date}, on ${run.machine.label}: ${relative(process.cwd(), file) || file}`;
}

export interface HistoryReportOptions {
  out?: string;
  json?: boolean;
  commitUrl?: string;
}

export async function historyReportCommand(dir: string, opts: HistoryReportOptions): Promise<string> {
  if (opts.out == null && !opts.json) throw new UserError('history report: give --out <site folder>, --json, or both');
  // Bad flags before any work.
  commitLinks(opts.commitUrl);
  if (opts.out != null) ensureOutputFolder(opts.out, '--out');
  const h = buildSeries(readHistory(dir));
  const records = changePointRecords(h.series);
  const lines: string[] = [];
  if (opts.out != null) {
    const files = await writeSite(h, records, resolve(opts.out), { commitUrl: opts.commitUrl });
    // With --json, stdout is the document.
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    const summary = `${files.length} files in ${resolve(opts.out)}: ${count(h.runs.length, 'run')}, ${count(h.commits.length, 'commit')}, ${count(h.machines.length, 'machine')}, ${count(records.length, 'change point')}`;
    if (opts.json) process.stderr.write(`${summary}\n`);
    else lines.push(summary);
  }
  if (opts.json) lines.push(JSON.stringify({ history: dir, runs: h.runs.length, commits: h.commits.length, machines: h.machines.length, changePoints: records }, null, 2));
  return lines.join('\n');
}

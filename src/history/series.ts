// The history as series: for every subject (a cell, or a matched group's
// Mobius-against-serial pair), every metric and every machine, the readings
// of its runs in commit order, with their change points. Computed once from
// the filed runs; the site and the JSON output only present it.
import { createHash } from 'node:crypto';
import type { MatchedGroup } from '../results/analysis.ts';
import { findChanges, type Change, type Level } from './change-points.ts';
import type { FiledCell, FiledCommit, FiledRun, Machine } from './history-file.ts';
import type { History } from './history-folder.ts';
import { CELL_METRICS, cellReadings, METRICS, RATIO_METRICS, ratioReadings, type MetricSpec, type ModePair, type Reading } from './metrics.ts';

export interface Subject {
  kind: 'cell' | 'group';
  /** A cell's id; a group's `g-` and a hash of its configuration. File-name safe. */
  id: string;
  label: string;
  suites: string[];
}

export interface Point extends Reading {
  run: FiledRun;
  commit: FiledCommit;
}

export interface Series {
  subject: Subject;
  metric: MetricSpec;
  /** For a group's ratios: [Mobius mode, serial mode]. */
  pair: ModePair | null;
  machine: Machine;
  points: Point[];
  /** Every point exact: change points are sought with the exact settings. */
  exact: boolean;
  levels: Level[];
  changes: Change[];
}

export interface HistorySeries {
  /** Every filed run, in commit order (commit date, then the run's start). */
  runs: FiledRun[];
  /** Each commit once, in that order. */
  commits: FiledCommit[];
  /** Each commit's shortest unique prefix of at least 7 digits, as git abbreviates. */
  short: Map<string, string>;
  machines: Machine[];
  subjects: Subject[];
  series: Series[];
}

function shortNames(shas: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const sha of shas) {
    let k = 7;
    while (shas.some((o) => o !== sha && o.startsWith(sha.slice(0, k)))) k++;
    out.set(sha, sha.slice(0, k));
  }
  return out;
}

/**
 * One account of each commit: runs filed where git knew it and where it did
 * not carry different dates; git's wins (else the earliest run's start), so
 * that a commit's runs sit together in the order.
 */
function commitsOf(runs: readonly FiledRun[]): Map<string, FiledCommit> {
  const out = new Map<string, FiledCommit>();
  for (const { commit } of runs) {
    const known = out.get(commit.sha);
    const better = !known || (commit.dateFrom === 'git' ? known.dateFrom !== 'git' : known.dateFrom !== 'git' && commit.date < known.date);
    if (better) out.set(commit.sha, commit);
  }
  return out;
}

function byCommitOrder(commits: Map<string, FiledCommit>) {
  const date = (r: FiledRun) => Date.parse(commits.get(r.commit.sha)!.date);
  return (a: FiledRun, b: FiledRun) => date(a) - date(b) || (a.commit.sha !== b.commit.sha ? (a.commit.sha < b.commit.sha ? -1 : 1) : 0)
    || Date.parse(a.run.startedAt) - Date.parse(b.run.startedAt) || (a.runId < b.runId ? -1 : 1);
}

export function groupId(group: MatchedGroup<FiledCell>): string {
  return `g-${createHash('sha256').update(group.key).digest('hex').slice(0, 12)}`;
}

/** Every filed run in commit order (commit date, then the run's start); each keeps its own `dirty`, date and message are the commit's. */
export function inCommitOrder(filed: History['runs']): { runs: FiledRun[]; known: Map<string, FiledCommit> } {
  const known = commitsOf(filed.map((h) => h.run));
  const runs = filed.map((h) => ({ ...h.run, commit: { ...known.get(h.run.commit.sha)!, dirty: h.run.commit.dirty } })).sort(byCommitOrder(known));
  return { runs, known };
}

export function buildSeries(history: History): HistorySeries {
  const { runs, known } = inCommitOrder(history.runs);
  const commits = [...new Set(runs.map((r) => r.commit.sha))].map((sha) => known.get(sha)!);
  const machines = [...new Map(runs.map((r) => [r.machine.id, r.machine])).values()];
  const subjects = new Map<string, Subject>();
  const series = new Map<string, Series>();

  const subjectOf = (kind: Subject['kind'], id: string, label: string, suite: string): Subject => {
    let s = subjects.get(id);
    if (!s) subjects.set(id, (s = { kind, id, label, suites: [] }));
    if (!s.suites.includes(suite)) s.suites.push(suite);
    // The latest run names it (a label may have been reworded).
    s.label = label;
    return s;
  };
  const add = (subject: Subject, metric: MetricSpec, pair: ModePair | null, run: FiledRun, reading: Reading) => {
    const key = `${subject.id}|${metric.id}|${pair?.join('/') ?? ''}|${run.machine.id}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { subject, metric, pair, machine: run.machine, points: [], exact: true, levels: [], changes: [] }));
    s.points.push({ ...reading, run, commit: run.commit });
    s.exact &&= reading.exact;
  };

  for (const run of runs) {
    for (const cell of run.cells) {
      const subject = subjectOf('cell', cell.id, cell.label, run.suite.name);
      if (cell.status !== 'ok') continue;
      const readings = cellReadings(cell);
      for (const metric of CELL_METRICS) {
        const r = readings[metric];
        if (r) add(subject, METRICS[metric], null, run, r);
      }
    }
    for (const { group, pair, readings } of ratioReadings(run)) {
      const subject = subjectOf('group', groupId(group), group.label, run.suite.name);
      for (const metric of RATIO_METRICS) add(subject, METRICS[metric], pair, run, readings[metric]);
    }
  }
  for (const s of series.values()) Object.assign(s, findChanges(s.points.map((p) => p.value), s.exact));
  return { runs, commits, short: shortNames(commits.map((c) => c.sha)), machines, subjects: [...subjects.values()], series: [...series.values()] };
}

// The change points of a history as records, for `history report --json`
// (scripts and CI) and the site's tables: which cell and metric, on which
// machine, at which commit (the first run at the new level, and the last run
// before it), the levels before and after, and whether that is a regression.
import type { MetricId, MetricSpec } from './metrics.ts';
import type { Series } from './series.ts';

export interface ChangePointRecord {
  /** The cell's id, or a matched group's (`g-…`) for the Mobius/serial ratios. */
  cell: string;
  label: string;
  kind: 'cell' | 'group';
  /** For ratios: `delta-parallel / delta-serial`. */
  pair: string | null;
  metric: MetricId;
  unit: MetricSpec['unit'];
  machine: string;
  machineLabel: string;
  /** The first commit measured at the new level, and the last one before it: the change is in between. */
  commit: string;
  previousCommit: string;
  date: string;
  message: string | null;
  /** Medians of the runs between change points, in `unit`. */
  before: number;
  after: number;
  /** after / before − 1. */
  change: number;
  direction: 'regression' | 'improvement';
  pValue: number;
  runsBefore: number;
  runsAfter: number;
  /** Found with the exact settings (counted memory) or the noisy ones. */
  exact: boolean;
}

export function changePointRecords(series: readonly Series[]): ChangePointRecord[] {
  return series.flatMap((s) => s.changes.map((c): ChangePointRecord => {
    const first = s.points[c.index]!;
    const last = s.points[c.index - 1]!;
    return {
      cell: s.subject.id,
      label: s.subject.label,
      kind: s.subject.kind,
      pair: s.pair ? `${s.pair[0]} / ${s.pair[1]}` : null,
      metric: s.metric.id,
      unit: s.metric.unit,
      machine: s.machine.id,
      machineLabel: s.machine.label,
      commit: first.commit.sha,
      previousCommit: last.commit.sha,
      date: first.commit.date,
      message: first.commit.subject,
      before: c.before.value,
      after: c.after.value,
      change: c.change,
      direction: (c.after.value > c.before.value) === s.metric.higherIsWorse ? 'regression' : 'improvement',
      pValue: c.pValue,
      runsBefore: c.before.end - c.before.start,
      runsAfter: c.after.end - c.after.start,
      exact: s.exact,
    };
  }));
}

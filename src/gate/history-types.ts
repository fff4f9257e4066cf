// What a comparison against the history adds to a Comparison (compare.ts):
// which history, machine and window it used, and per metric the runs it was
// judged against. Plain data, for the formats and for --json.

/** The runs one metric of one cell was judged against. */
export interface WindowInfo {
  /** Runs in the window (the last K of the series since its last change point). */
  runs: number;
  /** Their first and last commits, in commit order. */
  firstCommit: string;
  lastCommit: string;
  /**
   * Where the window restarted: the series' last change point (confirmed), or
   * the newest runs in a row at another level that the change-point test
   * cannot confirm yet (not confirmed). change: the new level / the old − 1.
   */
  since: { commit: string; previousCommit: string; change: number; confirmed: boolean } | null;
  /** Exact figures: judged against the newest run's value; constant: whether every run in the window agrees. */
  exact: boolean;
  constant?: boolean;
  /** Noisy figures: the window's band at the test's alpha (values outside it have p < alpha) and the slow runs set aside. */
  low?: number;
  high?: number;
  outliers?: number;
}

export interface HistoryGateInfo {
  /** The history folder. */
  dir: string;
  machine: { id: string; label: string };
  /** --window: at most this many runs per series. */
  window: number;
  /** The fewest runs a noisy figure's window needs. */
  minRuns: number;
  /** Runs of the suite on this machine in the history (the current run left out). */
  runs: number;
}

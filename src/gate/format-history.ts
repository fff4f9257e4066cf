// What a comparison against the history compared with, in words, for the
// terminal table and the Markdown: the window, the machine, how exact and
// noisy figures were judged. Empty for a comparison with one baseline.
import type { Comparison } from './compare.ts';

export function historyLines(c: Comparison): string[] {
  const h = c.history;
  if (!h) return [];
  return [
    `against the history: per cell and metric, the last ${h.window} runs of suite ${c.suite} on this machine since the series' last change point (${h.runs} runs filed)`,
    `memory counted exactly against the newest run; step time, GPU memory and RSS outside the window's band (Student-t prediction interval, slow runs set aside) at p < ${c.thresholds.alpha} and beyond the threshold; a band needs ${h.minRuns} runs`,
  ];
}

/** The p-value column's title: Mann-Whitney against one baseline, the window's band against the history. */
export function pColumnTitle(c: Comparison): string {
  return c.history ? 'p (window)' : 'Mann-Whitney';
}

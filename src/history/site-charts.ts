// The site's charts as plain Chart.js configurations (data only: the page
// script adds the tooltip and click handlers): per subject and metric, one
// chart over the commits that measured it, and per machine the readings
// (a triangle where the tree was dirty), the step times' interquartile
// range as floating bars, and the levels between change points as a dashed
// step line. Every point carries its tooltip text and its commit's link.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { GB, MB } from '../results/units.ts';
import { REPORT_COMPARISONS } from '../report/report-data.ts';
import { CELL_METRICS, RATIO_METRICS, type MetricId, type MetricSpec } from './metrics.ts';

const METRIC_ORDER: readonly MetricId[] = [...CELL_METRICS, ...RATIO_METRICS];
import type { HistorySeries, Point, Series } from './series.ts';

export interface HistoryChart {
  /** Subject id and metric: unique on a page, file-name safe. */
  id: string;
  title: string;
  series: Series[];
  config: ChartConfiguration;
}

/** Where a commit's link goes from a page `depth` folders down: the forge's page for it, or the site's list of commits. */
export type CommitLink = (sha: string, depth: 0 | 1) => string;

const COLORS = ['#1f77b4', '#e8710a', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif";

export function machineColor(index: number): string {
  return COLORS[index % COLORS.length]!;
}

/** How a metric's values are drawn: memory in GB or MB by its size, MFU in percent. */
function scaleOf(metric: MetricSpec, values: number[]): { factor: number; axis: string } {
  if (metric.unit === 'B') {
    const big = Math.max(...values) >= GB;
    return { factor: big ? 1 / GB : 1 / MB, axis: `${metric.title} (${big ? 'GB' : 'MB'})` };
  }
  if (metric.unit === 'fraction') return { factor: 100, axis: `${metric.title} (%)` };
  return { factor: 1, axis: metric.unit === 'ratio' ? metric.title : `${metric.title} (${metric.unit})` };
}

/** The tooltip text of one point: its value, spread, machine, run and commit. */
function tipOf(p: Point, s: Series): string[] {
  const lines = [`${s.machine.label}: ${s.metric.format(p.value)}`];
  if (p.low != null && p.high != null) lines.push(`interquartile range ${s.metric.format(p.low)} – ${s.metric.format(p.high)}`);
  if (p.source) lines.push(`measured as ${p.source}`);
  lines.push(`suite ${p.run.suite.name}, run of ${p.run.run.startedAt.slice(0, 16).replace('T', ' ')} UTC${p.commit.dirty ? ', DIRTY TREE (uncommitted changes)' : ''}`);
  return lines;
}

export function buildChart(h: HistorySeries, series: Series[], machineIndex: Map<string, number>, link: CommitLink): HistoryChart {
  const first = series[0]!;
  const metric = first.metric;
  const pair = first.pair ? ` — ${first.pair[0]} / ${first.pair[1]}` : '';
  const title = `${metric.title}${pair}`;
  const { factor, axis } = scaleOf(metric, series.flatMap((s) => s.points.map((p) => p.high ?? p.value)));
  const measured = new Set(series.flatMap((s) => s.points.map((p) => p.commit.sha)));
  const labels = h.commits.filter((c) => measured.has(c.sha)).map((c) => h.short.get(c.sha)!);
  const datasets: ChartDataset[] = [];
  for (const s of series) {
    const color = machineColor(machineIndex.get(s.machine.id) ?? 0);
    const x = (p: Point) => h.short.get(p.commit.sha)!;
    datasets.push({
      type: 'line',
      label: s.machine.label,
      data: s.points.map((p) => ({
        x: x(p),
        y: p.value * factor,
        title: `${h.short.get(p.commit.sha)} · ${p.commit.date.slice(0, 10)}${p.commit.subject != null ? ` · ${p.commit.subject}` : ''}`,
        tip: tipOf(p, s),
        url: link(p.commit.sha, 1),
      })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1.5,
      pointRadius: 3.5,
      pointHoverRadius: 6,
      pointStyle: s.points.map((p) => (p.commit.dirty ? 'triangle' : 'circle')),
      order: 1,
      // The legend shows the runs only; clicking a machine there hides its spread and level too (history.js).
      role: 'runs',
      machine: s.machine.id,
    } as unknown as ChartDataset);
    if (s.points.some((p) => p.low != null)) {
      datasets.push({
        type: 'bar',
        label: `${s.machine.label} (interquartile range)`,
        data: s.points.map((p) => ({ x: x(p), y: [(p.low ?? p.value) * factor, (p.high ?? p.value) * factor] })),
        backgroundColor: `${color}40`,
        borderColor: `${color}80`,
        borderWidth: 1,
        grouped: false,
        barPercentage: 0.35,
        order: 2,
        role: 'spread',
        machine: s.machine.id,
      } as unknown as ChartDataset);
    }
    datasets.push({
      type: 'line',
      label: `${s.machine.label} (level between change points)`,
      data: s.points.map((p, i) => ({ x: x(p), y: s.levels.find((l) => i >= l.start && i < l.end)!.value * factor })),
      borderColor: color,
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
      pointHitRadius: 0,
      stepped: 'middle',
      fill: false,
      order: 0,
      role: 'level',
      machine: s.machine.id,
    } as unknown as ChartDataset);
  }
  const config = {
    type: 'line',
    data: { labels, datasets },
    options: {
      animation: false,
      font: { family: FONT_FAMILY },
      plugins: {
        title: { display: true, text: title, font: { family: FONT_FAMILY, size: 13, weight: 'bold' }, color: '#222' },
        legend: { display: true, labels: { font: { family: FONT_FAMILY } } },
      },
      scales: {
        x: { type: 'category', title: { display: true, text: 'commit (oldest first)' }, ticks: { font: { family: "ui-monospace, 'DejaVu Sans Mono', monospace" } } },
        y: { title: { display: true, text: axis }, beginAtZero: false },
      },
    },
  } as unknown as ChartConfiguration;
  return { id: `${first.subject.id}-${metric.id}${first.pair ? `-${first.pair.join('-vs-')}` : ''}`, title, series, config };
}

/** The charts of one subject: one per metric (and per pair for a group), machines as series. */
export function subjectCharts(h: HistorySeries, subjectId: string, link: CommitLink): HistoryChart[] {
  const machineIndex = new Map(h.machines.map((m, i) => [m.id, i]));
  const byChart = new Map<string, Series[]>();
  for (const s of h.series) {
    if (s.subject.id !== subjectId) continue;
    const key = `${s.metric.id}|${s.pair?.join('/') ?? ''}`;
    byChart.set(key, [...(byChart.get(key) ?? []), s]);
  }
  const order = (s: Series) => METRIC_ORDER.indexOf(s.metric.id) * 100 + (s.pair ? REPORT_COMPARISONS.findIndex((p) => p.join() === s.pair!.join()) : 0);
  return [...byChart.values()].sort((a, b) => order(a[0]!) - order(b[0]!)).map((series) => buildChart(h, series, machineIndex, link));
}

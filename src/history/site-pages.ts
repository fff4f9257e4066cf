// The history site's pages as HTML: the index (every cell and group per
// machine with its latest value, its last change point and sparklines, and
// the recent change points), one page per cell or group with its charts,
// and the list of commits. Every string from a history — commit messages,
// labels, machine names — is escaped; chart data sits in a JSON <script>
// element escaped so that it cannot close it; the only scripts are the two
// files in assets/, and the Content-Security-Policy allows nothing else.
import { esc, scriptJson } from '../report/html.ts';
import { formatChange } from '../results/units.ts';
import type { ChangePointRecord } from './change-point-report.ts';
import { METRICS, type CellMetric, type RatioMetric } from './metrics.ts';
import type { HistorySeries, Series, Subject } from './series.ts';
import { machineColor, type CommitLink, type HistoryChart } from './site-charts.ts';

export const CHART_JS_ASSET = 'assets/chart.umd.js';
export const PAGE_SCRIPT_ASSET = 'assets/history.js';

// Draws the charts of a page from its JSON: tooltips and clicks read each
// point's own text and link (Chart.js configurations in JSON cannot hold functions).
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var data = document.getElementById('history-charts');
  var specs = data ? JSON.parse(data.textContent) : [];
  // Only the links the site makes: a forge's https page or the site's list of commits.
  function safeUrl(u) { return typeof u === 'string' && /^(https?:\\/\\/|(\\.\\.\\/)?commits\\.html#[0-9a-f]+$)/.test(u) ? u : null; }
  function pointAt(chart, elements) {
    for (var i = 0; i < elements.length; i++) {
      var p = chart.data.datasets[elements[i].datasetIndex].data[elements[i].index];
      if (p && safeUrl(p.url)) return p;
    }
    return null;
  }
  var drawn = 0;
  specs.forEach(function (spec) {
    var canvas = document.getElementById('chart-' + spec.id);
    if (!canvas) return;
    var config = spec.config;
    var legend = config.options.plugins.legend || {};
    var plugins = Object.assign({}, config.options.plugins, {
      legend: Object.assign({}, legend, {
        labels: Object.assign({}, legend.labels, { filter: function (item, d) { return d.datasets[item.datasetIndex].role === 'runs'; } }),
        onClick: function (event, item, l) {
          var chart = l.chart;
          var machine = chart.data.datasets[item.datasetIndex].machine;
          var show = !chart.isDatasetVisible(item.datasetIndex);
          chart.data.datasets.forEach(function (d, i) { if (d.machine === machine) chart.setDatasetVisibility(i, show); });
          chart.update();
        }
      }),
      tooltip: {
        filter: function (item) { return !!(item.raw && item.raw.tip); },
        callbacks: {
          title: function (items) { return items.length ? items[0].raw.title : ''; },
          label: function (item) { return item.raw.tip; }
        }
      }
    });
    config.options = Object.assign({}, config.options, {
      responsive: true, maintainAspectRatio: false, animation: false, plugins: plugins,
      onClick: function (event, elements, chart) { var p = pointAt(chart, elements); if (p) window.location.href = safeUrl(p.url); },
      onHover: function (event, elements, chart) { event.native.target.style.cursor = pointAt(chart, elements) ? 'pointer' : 'default'; }
    });
    new Chart(canvas, config);
    drawn++;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;

const STYLE = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #dadce0; --bg-alt: #f6f8fa; --bad: #cf222e; --good: #1a7f37; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1320px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted { color: var(--muted); } nav a { margin-right: 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: middle; }
th { background: var(--bg-alt); } td.num { text-align: right; white-space: nowrap; }
.table-wrap { overflow-x: auto; }
.regression { color: var(--bad); font-weight: 600; } .improvement { color: var(--good); font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; width: 640px; max-width: 100%; }
.chart > div { position: relative; height: 300px; }
svg.sparkline { display: block; }
code { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; }
`;

function page(title: string, depth: 0 | 1, body: string, charts: HistoryChart[] = []): string {
  const up = depth === 1 ? '../' : '';
  // 'self' covers the two asset files, opened from disk or served.
  const csp = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
  const scripts = charts.length
    ? `<script type="application/json" id="history-charts">${scriptJson(charts.map((c) => ({ id: c.id, config: c.config })))}</script>
<script src="${up}${CHART_JS_ASSET}"></script>
<script src="${up}${PAGE_SCRIPT_ASSET}"></script>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body${charts.length ? '' : ' data-charts-drawn="0"'}>
<nav><a href="${up}index.html">all cells</a><a href="${up}commits.html">commits</a></nav>
${body}
${scripts}
</body>
</html>
`;
}

function table(header: string[], rows: string[], id?: string): string {
  return `<div class="table-wrap"><table${id ? ` id="${esc(id)}"` : ''}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

export function subjectHref(s: Subject, depth: 0 | 1): string {
  return `${depth === 1 ? '../' : ''}${s.kind === 'cell' ? 'cells' : 'groups'}/${s.id}.html`;
}

function commitCode(h: HistorySeries, sha: string, link: CommitLink, depth: 0 | 1): string {
  return `<a href="${esc(link(sha, depth))}"><code>${esc(h.short.get(sha) ?? sha.slice(0, 7))}</code></a>`;
}

/** A small line of a series's values, with a tick at each change point. */
function sparkline(s: Series | undefined, color: string): string {
  if (!s || s.points.length === 0) return '<td class="muted">–</td>';
  const w = 120;
  const hgt = 28;
  const pad = 3;
  const values = s.points.map((p) => p.value);
  // At least 1 % of the values' size tall: a change of a few bytes, or of the last bits of a ratio, stays flat.
  const top = Math.max(...values);
  const bottom = Math.min(...values);
  const floor = 0.01 * Math.max(Math.abs(top), Math.abs(bottom));
  const lo = top - bottom >= floor ? bottom : (top + bottom) / 2 - floor / 2;
  const hi = top - bottom >= floor ? top : (top + bottom) / 2 + floor / 2;
  const xAt = (i: number) => pad + (values.length > 1 ? (i * (w - 2 * pad)) / (values.length - 1) : (w - 2 * pad) / 2);
  const yAt = (v: number) => (hi === lo ? hgt / 2 : hgt - pad - ((v - lo) * (hgt - 2 * pad)) / (hi - lo));
  const line = values.map((v, i) => `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`).join(' ');
  const ticks = s.changes.map((c) => {
    const x = ((xAt(c.index - 1) + xAt(c.index)) / 2).toFixed(1);
    return `<line x1="${x}" x2="${x}" y1="0" y2="${hgt}" stroke="#cf222e" stroke-width="1" stroke-dasharray="2,2"/>`;
  }).join('');
  const last = values.length - 1;
  const label = `${s.metric.title} over ${values.length} run${values.length === 1 ? '' : 's'}, ${s.changes.length} change point${s.changes.length === 1 ? '' : 's'}`;
  return `<td><svg class="sparkline" width="${w}" height="${hgt}" viewBox="0 0 ${w} ${hgt}" role="img" aria-label="${esc(label)}">${ticks}`
    + `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${line}"/><circle cx="${xAt(last).toFixed(1)}" cy="${yAt(values[last]!).toFixed(1)}" r="2.5" fill="${color}"/></svg></td>`;
}

function latest(s: Series | undefined): string {
  const p = s?.points.at(-1);
  return p ? `<td class="num">${esc(s!.metric.format(p.value))}</td>` : '<td class="muted">–</td>';
}

/** The index's last change point of a series: its change and commit; or how many runs showed none. */
function lastChange(h: HistorySeries, s: Series | undefined, link: CommitLink): string {
  if (!s) return '<td class="muted">–</td>';
  const c = s.changes.at(-1);
  if (!c) return `<td class="muted">none in ${s.points.length} run${s.points.length === 1 ? '' : 's'}</td>`;
  const worse = (c.after.value > c.before.value) === s.metric.higherIsWorse;
  return `<td class="num"><span class="${worse ? 'regression' : 'improvement'}">${esc(formatChange(c.change))}</span> at ${commitCode(h, s.points[c.index]!.commit.sha, link, 0)}</td>`;
}

export interface IndexOptions {
  title: string;
  records: ChangePointRecord[];
}

export function indexPage(h: HistorySeries, link: CommitLink, opts: IndexOptions): string {
  const find = (subject: string, machine: string, metric: CellMetric | RatioMetric, pair?: string) =>
    h.series.find((s) => s.subject.id === subject && s.machine.id === machine && s.metric.id === metric && (pair == null || s.pair?.join(' / ') === pair));
  const byLabel = (a: Subject, b: Subject) => a.label.localeCompare(b.label);
  const cellRows: string[] = [];
  for (const subject of h.subjects.filter((s) => s.kind === 'cell').sort(byLabel)) {
    const machines = h.machines.filter((m) => h.series.some((s) => s.subject.id === subject.id && s.machine.id === m.id));
    if (machines.length === 0) cellRows.push(`<tr><td><a href="${esc(subjectHref(subject, 0))}">${esc(subject.label)}</a></td><td colspan="10" class="muted">never finished</td></tr>`);
    for (const m of machines) {
      const color = machineColor(h.machines.indexOf(m));
      const mem = find(subject.id, m.id, 'peak-memory');
      const time = find(subject.id, m.id, 'step-time');
      cellRows.push(`<tr><td><a href="${esc(subjectHref(subject, 0))}">${esc(subject.label)}</a></td><td>${esc(m.label)}</td><td class="num">${time?.points.length ?? 0}</td>`
        + `${latest(mem)}${lastChange(h, mem, link)}${sparkline(mem, color)}${latest(time)}${lastChange(h, time, link)}${sparkline(time, color)}${latest(find(subject.id, m.id, 'throughput'))}${latest(find(subject.id, m.id, 'mfu'))}</tr>`);
    }
  }
  const groupRows: string[] = [];
  for (const subject of h.subjects.filter((s) => s.kind === 'group').sort(byLabel)) {
    const keys = [...new Set(h.series.filter((s) => s.subject.id === subject.id).map((s) => `${s.machine.id}|${s.pair!.join(' / ')}`))];
    for (const key of keys) {
      const [machine, pair] = key.split('|') as [string, string];
      const mem = find(subject.id, machine, 'memory-ratio', pair);
      const time = find(subject.id, machine, 'time-ratio', pair);
      const m = h.machines.find((x) => x.id === machine)!;
      const color = machineColor(h.machines.indexOf(m));
      groupRows.push(`<tr><td><a href="${esc(subjectHref(subject, 0))}">${esc(subject.label)}</a></td><td>${esc(pair)}</td><td>${esc(m.label)}</td>`
        + `${latest(mem)}${lastChange(h, mem, link)}${sparkline(mem, color)}${latest(time)}${lastChange(h, time, link)}${sparkline(time, color)}</tr>`);
    }
  }
  const recent = [...opts.records].sort((a, b) => b.date.localeCompare(a.date)).slice(0, 50).map((r) => {
    const subject = h.subjects.find((s) => s.id === r.cell)!;
    return `<tr><td>${esc(r.date.slice(0, 10))}</td><td>${commitCode(h, r.commit, link, 0)}</td><td>${esc(r.message ?? '')}</td><td><a href="${esc(subjectHref(subject, 0))}">${esc(r.label)}</a>${r.pair ? ` ${esc(r.pair)}` : ''}</td>`
      + `<td>${esc(METRICS[r.metric].title)}</td><td>${esc(r.machineLabel)}</td><td class="num"><span class="${r.direction}">${esc(formatChange(r.change))}</span></td></tr>`;
  });
  const first = h.commits[0];
  const last = h.commits.at(-1);
  const body = `<h1>${esc(opts.title)}</h1>
<p>${h.runs.length} run${h.runs.length === 1 ? '' : 's'} of ${h.commits.length} commit${h.commits.length === 1 ? '' : 's'} on ${h.machines.length} machine${h.machines.length === 1 ? '' : 's'}${first && last ? `, ${esc(first.date.slice(0, 10))} to ${esc(last.date.slice(0, 10))}` : ''}.</p>
<p class="muted">Change points: E-Divisive means with a permutation test, per cell, metric and machine (allocator memory: exact settings; times, throughput, MFU and sampled memory: noisy settings). Latest: the newest run's figure; last change: the newest change point's level after against before, at the first commit at the new level.</p>
<section id="changes"><h2>Recent change points</h2>${recent.length ? table(['date', 'commit', 'message', 'cell', 'metric', 'machine', 'change'], recent, 'changes-table') : '<p class="muted">None found.</p>'}</section>
<section id="cells"><h2>Cells</h2>${table(['cell', 'machine', 'runs', 'peak memory', 'last change', 'memory', 'median step', 'last change', 'step time', 'throughput', 'MFU'], cellRows, 'cells-table')}</section>
<section id="groups"><h2>Mobius against serial</h2>${groupRows.length ? table(['group', 'pair', 'machine', 'memory ratio', 'last change', 'memory', 'time ratio', 'last change', 'time'], groupRows, 'groups-table') : '<p class="muted">No run had a Mobius mode and its serial counterpart both finished.</p>'}</section>
<section id="machines"><h2>Machines</h2>${table(['machine', 'id', 'runs', 'GPUs', 'driver', 'CUDA', 'CPU', 'backends', 'Node'], h.machines.map((m) =>
    `<tr><td>${esc(m.label)}</td><td><code>${esc(m.id)}</code></td><td class="num">${h.runs.filter((r) => r.machine.id === m.id).length}</td><td>${esc(m.gpus.join(', ') || 'none')}</td><td>${esc(m.driver ?? '–')}</td><td>${esc(m.cuda ?? '–')}</td><td>${esc(`${m.cpu.model} ×${m.cpu.cores}`)}</td><td>${esc(m.backends.join(', '))}</td><td>${esc(m.node)}</td></tr>`), 'machines-table')}</section>`;
  return page(opts.title, 0, body);
}

export function subjectPage(h: HistorySeries, subject: Subject, charts: HistoryChart[], link: CommitLink, records: ChangePointRecord[]): string {
  const figures = charts.map((c) => `<figure class="chart"><div><canvas id="chart-${esc(c.id)}" role="img" aria-label="${esc(c.title)}"></canvas></div></figure>`).join('\n');
  const mine = records.filter((r) => r.cell === subject.id).map((r) =>
    `<tr><td>${esc(METRICS[r.metric].title)}${r.pair ? ` (${esc(r.pair)})` : ''}</td><td>${esc(r.machineLabel)}</td><td>${commitCode(h, r.previousCommit, link, 1)} → ${commitCode(h, r.commit, link, 1)}</td><td>${esc(r.message ?? '')}</td>`
    + `<td class="num">${esc(String(r.runsBefore))} → ${esc(String(r.runsAfter))}</td><td class="num"><span class="${r.direction}">${esc(formatChange(r.change))}</span></td><td class="num">${esc(r.pValue.toPrecision(2))}</td></tr>`);
  const failures = subject.kind === 'cell'
    ? h.runs.flatMap((run) => run.cells.filter((c) => c.id === subject.id && c.status === 'failed').map((c) =>
      `<li>${commitCode(h, run.commit.sha, link, 1)} on ${esc(run.machine.label)}: ${esc(c.status === 'failed' ? c.reason : '')}</li>`))
    : [];
  const body = `<h1>${esc(subject.label)}</h1>
<p class="muted">${subject.kind === 'cell' ? `cell <code>${esc(subject.id)}</code>` : 'matched group: Mobius against serial in the same configuration'} · suite${subject.suites.length === 1 ? '' : 's'} ${esc(subject.suites.join(', '))}</p>
<p class="muted">One series per machine, oldest commit first; a triangle is a run from a dirty tree; the dashed line is the level between detected change points; bars are the interquartile range of a run's measured steps. Click a point for its commit.</p>
${charts.length ? `<div class="charts">${figures}</div>` : '<p class="muted">No finished run.</p>'}
<h2>Change points</h2>${mine.length ? table(['metric', 'machine', 'commits', 'message', 'runs before → after', 'change', 'p'], mine) : '<p class="muted">None found.</p>'}
${failures.length ? `<h2>Failed runs</h2><ul>${failures.join('')}</ul>` : ''}`;
  return page(`${subject.label} — mobius-bench history`, 1, body, charts);
}

export function commitsPage(h: HistorySeries, link: CommitLink, records: ChangePointRecord[], forge: boolean): string {
  const rows = [...h.commits].reverse().map((c) => {
    const runs = h.runs.filter((r) => r.commit.sha === c.sha).map((r) => `<li>${esc(`${r.suite.name} on ${r.machine.label}`)}${r.commit.dirty ? ' <span class="regression">(dirty tree)</span>' : ''}</li>`);
    const changes = records.filter((r) => r.commit === c.sha).map((r) => `<li><span class="${r.direction}">${esc(formatChange(r.change))}</span> ${esc(r.label)}: ${esc(METRICS[r.metric].title)}</li>`);
    const sha = forge ? `<a href="${esc(link(c.sha, 0))}"><code>${esc(c.sha)}</code></a>` : `<code>${esc(c.sha)}</code>`;
    return `<tr id="${esc(c.sha)}"><td>${sha}</td><td>${esc(c.date.slice(0, 16).replace('T', ' '))}${c.dateFrom === 'run-start' ? ' <span class="muted">(run start: git did not know the commit)</span>' : ''}</td>`
      + `<td>${esc(c.subject ?? '')}</td><td><ul>${runs.join('')}</ul></td><td>${changes.length ? `<ul>${changes.join('')}</ul>` : ''}</td></tr>`;
  });
  return page('commits — mobius-bench history', 0, `<h1>Commits</h1><p class="muted">Newest first. A run from a dirty tree had uncommitted changes: its figures are not quite the commit's.</p>${table(['commit', 'date (UTC)', 'message', 'runs', 'change points here'], rows, 'commits-table')}`);
}

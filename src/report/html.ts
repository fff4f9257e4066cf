// report.html: one self-contained page that works opened from disk with no
// network — Chart.js inlined from node_modules, the page's script and style
// inlined from assets/, the chart definitions of charts.ts embedded as JSON,
// a Content-Security-Policy that allows only those inline scripts. Every
// string from a run is escaped; the embedded JSON cannot close its <script>.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED, bundleFolder } from '../backend/runtime-files.ts';
import { claimVerdict, groupLines, INCONCLUSIVE_REASON } from '../results/claim-summary.ts';
import { doesNotFitText, reasonText } from '../results/does-not-fit.ts';
import { formatDuration, formatMs, formatNumber, formatRatio } from '../results/units.ts';
import { MODE_SPECS } from '../train/modes.ts';
import { buildCharts, hasTimeline, MIN_TIMELINE_SAMPLES, noSweepReason, type ChartSection, type ChartSpec } from './charts.ts';
import { csvRecord, type CsvColumn } from './csv.ts';
import { textExporter } from './exporter.ts';
import {
  comparisonTitle, countsLine, environmentLine, environmentRows, formatInterval, formatMemory, formatRatioChange, memoryMetricName, nothingSucceeded, suiteName,
} from './format.ts';
import { REPORT_COMPARISONS, type ReportData } from './report-data.ts';
import { SCALING_NOTE, scalingTable } from './scaling-table.ts';

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON for a <script> element: no `<`, `>`, `&` or line separators survive as such, so it cannot end the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const inlined = new Map<string, string>();

/**
 * A file's text for one of the page's own elements, read once. Refused if it
 * could end its element early: the page would run or show what follows it.
 */
function inlineText(file: string, element: 'script' | 'style', clean: (text: string) => string = (t) => t): string {
  let text = inlined.get(file);
  if (text == null) {
    text = clean(readFileSync(file, 'utf8'));
    if (new RegExp(`</${element}|<!--|<${element}`, 'i').test(text)) throw new Error(`${file}: cannot be inlined in a <${element}> element`);
    inlined.set(file, text);
  }
  return text;
}

/** Chart.js's UMD build from node_modules, without its source-map comment (no request for a .map). */
export function chartJs(): string {
  // The bundle carries the browser build beside itself.
  const file = BUNDLED ? join(bundleFolder(), 'chart.umd.js') : join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
  return inlineText(file, 'script', (src) => src.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n'));
}

/**
 * The page's own script (draws the embedded charts, makes tables sortable)
 * and style sheet: plain files in assets/ that editors and linters read,
 * inlined here; the bundle carries them in report-assets/.
 */
function pageAsset(name: 'report.js' | 'report.css'): string {
  const file = BUNDLED ? join(bundleFolder(), 'report-assets', name) : fileURLToPath(new URL(`./assets/${name}`, import.meta.url));
  // Each starts on a line of its own inside its element.
  return `\n${inlineText(file, name.endsWith('.js') ? 'script' : 'style')}`;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

function td(value: unknown, opts: { num?: number | null; cls?: string } = {}): string {
  const cls = opts.cls ? ` class="${esc(opts.cls)}"` : '';
  if (opts.num !== undefined) return `<td class="num${opts.cls ? ` ${esc(opts.cls)}` : ''}" data-v="${opts.num == null ? '' : esc(opts.num)}">${esc(value)}</td>`;
  return `<td${cls}>${esc(value)}</td>`;
}

function table(header: string[], rows: string[], attrs: { id?: string; cls?: string } = {}): string {
  const a = `${attrs.id ? ` id="${esc(attrs.id)}"` : ''}${attrs.cls ? ` class="${esc(attrs.cls)}"` : ''}`;
  return `<div class="table-wrap"><table${a}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

function charts(specs: ChartSpec[], all: ChartSpec[], section: ChartSection): string {
  const figs = specs.filter((s) => s.section === section).map((s) => {
    const i = all.indexOf(s);
    return `<figure class="chart" style="width:${s.width + 18}px"><div style="height:${s.height}px"><canvas id="chart-${i}" role="img" aria-label="${esc(s.title)}"></canvas></div></figure>`;
  });
  return `<div class="charts">${figs.join('\n')}</div>`;
}

function worst(values: number[]): number | null {
  return values.length ? Math.max(...values) : null;
}

/** A claim's status; an inconclusive one says why, as `run` does. */
function claimStatus(c: ReportData['claims'][number]): string {
  const reason = c.status === 'inconclusive' ? `<div class="reason">${esc(INCONCLUSIVE_REASON)}</div>` : '';
  return `<td class="status-${esc(c.status)}">${esc(c.status)}${reason}</td>`;
}

function claimsSection(data: ReportData): string {
  if (data.claims.length === 0) return `<p class="muted">The suite makes no claims.</p>`;
  const rows = data.claims.map((c) => {
    // Folded: the claim in run's one line (the group that decides it); open: every group's line.
    const detail = groupLines(c).map((line) => `<li>${esc(line)}</li>`);
    return `<tr>${td(c.label)}${td(`${c.claim.compare[0]} / ${c.claim.compare[1]}`)}${claimStatus(c)}`
      + `${td(c.claim.memory ? `≤ ${c.claim.memory.atMost}` : '–')}${td(c.claim.memory ? formatRatio(worst(c.comparisons.map((x) => x.memoryRatio))) : '–')}`
      + `${td(c.claim.time ? `≤ ${c.claim.time.atMost}` : '–')}${td(c.claim.time ? formatRatio(worst(c.comparisons.map((x) => x.timeRatio))) : '–')}`
      + `<td class="claim-groups"><details><summary>${esc(claimVerdict(c))}</summary><ul>${detail.join('')}</ul></details></td></tr>`;
  });
  return table(['claim', 'candidate / baseline', 'status', 'memory limit', 'worst memory ratio', 'time limit', 'worst time ratio', 'groups'], rows)
    + `<p class="muted">A claim passes when every matched group with both cells measured meets it; a group with a failed or missing cell is not evaluated, and a claim with no group evaluated does not pass. A time ratio over its limit whose 95 % interval (bootstrap over the measured steps) reaches below the limit is inconclusive: too few steps to tell.</p>`;
}

function comparisonTables(data: ReportData): string {
  const parts: string[] = [];
  for (const [candidate, baseline] of REPORT_COMPARISONS) {
    const cmps = data.comparisons.filter((c) => c.candidateMode === candidate && c.baselineMode === baseline);
    if (cmps.length === 0) continue;
    const rows = cmps.map((c) => `<tr>${td(c.group.label)}${td(memoryMetricName(c))}${td(formatMemory(c.baseline, c.memoryMetric), { num: null })}${td(formatMemory(c.candidate, c.memoryMetric), { num: null })}`
      + `${td(formatRatioChange(c.memoryRatio), { num: c.memoryRatio })}${td(formatMs(c.baseline.stats.medianMs), { num: c.baseline.stats.medianMs })}${td(formatMs(c.candidate.stats.medianMs), { num: c.candidate.stats.medianMs })}`
      + `${td(formatRatioChange(c.time?.ratio ?? c.timeRatio), { num: c.time?.ratio ?? c.timeRatio })}${td(formatInterval(c.time), { num: c.time?.ratio ?? null })}</tr>`);
    parts.push(`<h3>${esc(comparisonTitle({ candidateMode: candidate, baselineMode: baseline }))}</h3>`
      + table(['group', 'memory figure', baseline, candidate, 'memory', `${baseline} step`, `${candidate} step`, 'time', 'time ratio [95 % CI]'], rows));
  }
  for (const skip of data.skippedComparisons) {
    parts.push(`<p class="warn">${esc(`${comparisonTitle(skip)}: not compared in ${skip.groups.length} group${skip.groups.length === 1 ? '' : 's'} (a cell failed or is missing): ${skip.groups.join(', ')}`)}</p>`);
  }
  if (data.comparisons.length === 0) parts.unshift(`<p class="muted">No matched group has a parallel (Mobius) mode and its serial counterpart both measured.</p>`);
  const t = data.comparisons[0]?.time;
  return parts.join('\n') + `<p class="muted">Memory: GPU process peak where both cells have one, else the peak of live tensor bytes (unique buffers). Time ratio: median step time over the measured steps, candidate / baseline, with a percentile-bootstrap 95 % interval${t ? ` (${esc(t.resamples.toLocaleString('en-US'))} resamples, seed ${esc(t.seed)})` : ''}; with a few steps the interval is coarse.</p>`;
}

function paramsSection(data: ReportData): string {
  const seen = new Set<string>();
  const rows: string[] = [];
  for (const cell of data.cells) {
    const r = cell.result;
    if (r.status !== 'ok') continue;
    const key = `${r.config.preset}|${r.config.mode}|${JSON.stringify(r.config.unet)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const p = r.params;
    const n = (x: number) => td(formatNumber(x), { num: x });
    rows.push(`<tr>${td(r.config.preset)}${td(r.config.mode)}${td(MODE_SPECS[r.config.mode].network)}${n(p.spatial)}${n(p.temporal)}${n(p.extra)}${n(p.total)}${n(p.trainable)}${n(p.frozen)}</tr>`);
  }
  if (rows.length === 0) return `<p class="muted">No cell recorded its parameter counts.</p>`;
  return table(['preset', 'mode', 'network', 'spatial', 'temporal', 'parallel-only', 'total', 'trainable', 'frozen'], rows)
    + `<p class="muted">spatial: the 2D UNet (frozen in delta modes); temporal: temp_convs, temp_attentions, transformer_in; parallel-only: what only the parallel net adds (time-state projections, fusion conv).</p>`;
}

/** Present only where the run swept GPUs. */
function scalingHtml(data: ReportData, specs: ChartSpec[]): string {
  const t = scalingTable(data);
  if (!t) return '';
  return `<section id="scaling"><h2>Data-parallel scaling</h2><p class="muted">${esc(SCALING_NOTE)}</p>${charts(specs, specs, 'scaling')}${table(t.header, t.rows.map((r) => `<tr>${r.map((v) => td(v)).join('')}</tr>`))}</section>\n`;
}

function failedSection(data: ReportData): string {
  const failed = data.cells.flatMap(({ result }) => (result.status === 'failed' ? [result] : []));
  if (failed.length === 0) return `<p class="muted">No cell failed.</p>`;
  const rows = failed.map((r) => `<tr>${td(r.label)}<td><code>${esc(r.id)}</code></td><td class="status-failed">${esc(reasonText(r.error.reason))}</td>`
    + `<td>${r.error.reason === 'oom' ? `<p>${esc(doesNotFitText(r.error))}</p>` : ''}<pre>${esc(r.error.message)}</pre>${r.error.stderrTail ? `<details><summary>stderr (tail)</summary><pre>${esc(r.error.stderrTail)}</pre></details>` : ''}</td></tr>`);
  return table(['cell', 'id', 'reason', 'message'], rows);
}

/** Cells the planner said cannot fit: not run, so neither passed nor failed. */
function skippedSection(data: ReportData): string {
  const rows = data.skipped.map((s) => `<tr>${td(s.label)}<td><code>${esc(s.id)}</code></td>${td(s.reason)}</tr>`);
  return table(['cell', 'id', 'why it was not run'], rows)
    + `<p class="muted">The planner said these cells cannot fit the memory the backend can use; they were not run (<code>--force</code> runs them).</p>`;
}

/** What the timeline section says: which cells have no chart, or why none has. */
function timelineNote(data: ReportData): string {
  const without = data.cells.filter((c) => !hasTimeline(c.result));
  if (without.length === 0) return '';
  if (without.length === data.cells.length) {
    if (data.cells.length === 0) return '<p class="muted">No cell ran.</p>';
    // One sentence for the run, not an empty chart per cell.
    if (data.cells.every((c) => c.result.gpu == null)) {
      const note = data.run?.environment.gpu.note;
      return `<p class="muted">${esc(`No memory timeline: no sampler ran on the run's machine (${note ?? 'no nvidia-smi'}).`)}</p>`;
    }
    return `<p class="muted">${esc(`No memory timeline: nvidia-smi recorded fewer than ${MIN_TIMELINE_SAMPLES} samples in every cell.`)}</p>`;
  }
  return `<p class="muted">${esc(`Not drawn (fewer than ${MIN_TIMELINE_SAMPLES} nvidia-smi samples): ${without.map((c) => c.result.label).join(', ')}.`)}</p>`;
}

const CELL_COLUMNS: Array<[CsvColumn, string]> = [
  ['id', 'id'], ['preset', 'preset'], ['mode', 'mode'], ['batch', 'batch'], ['accum', 'accum'], ['frames', 'frames'], ['size', 'size (px)'],
  ['status', 'status'], ['steps', 'steps'], ['step_ms_median', 'median step (ms)'], ['step_ms_p95', 'p95 step (ms)'], ['step_ms_mad', 'MAD (ms)'], ['samples_per_s', 'samples/s'],
  ['tensor_start_mb', 'tensor at start (MB)'], ['tensor_peak_mb', 'tensor peak (MB)'], ['tensor_peak_planned_mb', 'planned peak (MB)'], ['mfu', 'MFU'], ['hfu', 'HFU'], ['rss_peak_mb', 'RSS peak (MB)'],
  ['gpu_process_peak_mib', 'GPU process peak (MiB)'], ['gpu_device_peak_mib', 'GPU device peak (MiB)'], ['params_trainable', 'trainable params'], ['loss_final', 'final loss'],
];

/**
 * Every cell, one row each. A column that holds one value in every row
 * (the frames, the steps, `ok` where nothing failed) says it once in a line
 * above instead, so that the table fits the page; the wrapper scrolls only
 * a run that varies more columns than a page is wide.
 */
function cellsTable(data: ReportData): string {
  const digits: Partial<Record<CsvColumn, number>> = { step_ms_median: 1, step_ms_p95: 1, step_ms_mad: 1, samples_per_s: 3, tensor_start_mb: 1, tensor_peak_mb: 1, tensor_peak_planned_mb: 1, mfu: 3, hfu: 3, rss_peak_mb: 1, loss_final: 4 };
  const gpu = data.cells.some((c) => c.result.gpu != null);
  const planned = data.cells.some((c) => c.planned != null);
  const utilisation = data.cells.some((c) => c.result.status === 'ok' && c.result.efficiency?.mfu != null);
  const shown = CELL_COLUMNS.filter(([col]) => (gpu || !col.startsWith('gpu_')) && (planned || col !== 'tensor_peak_planned_mb') && (utilisation || (col !== 'mfu' && col !== 'hfu')));
  const records = data.cells.map((cell) => csvRecord(cell));
  const text = (col: CsvColumn, v: unknown) => (typeof v === 'number' || v == null ? formatNumber(v as number | null, digits[col] ?? 0) : String(v));
  const constant = ([col]: [CsvColumn, string]) => col !== 'id' && records.length > 1 && records.every((r) => r[col] === records[0]![col]) && records[0]![col] != null;
  const columns = shown.filter((c) => !constant(c));
  const same = shown.filter(constant).map(([col, header]) => `${header} ${text(col, records[0]![col])}`);
  const rows = data.cells.map((cell, i) => {
    const rec = records[i]!;
    const tds = columns.map(([col]) => {
      const v = rec[col];
      if (col === 'status') return `<td class="status-${esc(v)}">${esc(v)}</td>`;
      if (col === 'id') return `<td><code>${esc(v)}</code></td>`;
      if (typeof v === 'number' || v == null) return td(formatNumber(v, digits[col] ?? 0), { num: v });
      return td(v);
    });
    return `<tr title="${esc(cell.result.label)}">${tds.join('')}</tr>`;
  });
  return (same.length ? `<p id="cells-same">${esc(`The same in every cell: ${same.join(' · ')}.`)}</p>` : '')
    + table(columns.map(([, h]) => h), rows, { id: 'cells-table', cls: 'sortable' });
}

/** The sampler's notes per cell (an unmatched pid, a failing nvidia-smi). */
function gpuNotes(data: ReportData): string {
  const items = data.cells.filter((c) => c.result.gpu?.note).map((c) => `<li>${esc(c.result.label)}: ${esc(c.result.gpu!.note)}</li>`);
  return items.length ? `<ul class="notes">${items.join('')}</ul>` : '';
}

function duration(data: ReportData): string | null {
  const start = Date.parse(data.run?.startedAt ?? '');
  const end = Date.parse(data.run?.endedAt ?? '');
  if (!Number.isFinite(start) || !Number.isFinite(end)) return null;
  return formatDuration((end - start) / 1000);
}

export function toHtml(data: ReportData): string {
  const specs = buildCharts(data);
  const chartData = scriptJson(specs.map((s) => ({ id: s.id, config: s.config, ...(s.tooltipFooters ? { tooltipFooters: s.tooltipFooters } : {}) })));
  const lib = chartJs();
  const pageScript = pageAsset('report.js');
  const name = suiteName(data);
  const description = data.run?.suite.description ?? '';
  const has = (section: ChartSection) => specs.some((s) => s.section === section);
  // Said once where no cell succeeded, in place of each section's own reason.
  const empty = (reason: string) => `<p class="muted">${esc(nothingSucceeded(data) ?? reason)}</p>`;
  const csp = `default-src 'none'; script-src ${sha256(lib)} ${sha256(pageScript)}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  const envRows = environmentRows(data).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`mobius-bench: ${name}`)}</title>
<style>${pageAsset('report.css')}</style>
</head>
<body>
<header>
<h1>mobius-bench: <span id="suite-name">${esc(name)}</span></h1>
${description ? `<p id="suite-description">${esc(description)}</p>` : ''}
<p><strong>${esc(countsLine(data))}</strong> · ${esc(environmentLine(data))}${duration(data) ? ` · took ${esc(duration(data))}` : ''}</p>
${data.notes.length ? `<ul class="notes">${data.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<nav><a href="#claims">claims</a><a href="#fig6">Fig. 6</a><a href="#pareto">memory vs time</a><a href="#sweeps">sweeps</a><a href="#loss">loss</a><a href="#timelines">memory timelines</a><a href="#params">parameters</a><a href="#environment">environment</a><a href="#failed">failed cells</a>${data.skipped.length ? '<a href="#skipped">skipped cells</a>' : ''}<a href="#cells">all cells</a></nav>
</header>
<main>
<section id="claims"><h2>Claims</h2>${claimsSection(data)}</section>
<section id="fig6"><h2>Memory and time per step, Mobius against serial (paper Fig. 6)</h2>
${has('fig6') ? charts(specs, specs, 'fig6') : empty('No cell finished.')}
${comparisonTables(data)}</section>
<section id="pareto"><h2>Memory against step time: which mode is both smaller and faster</h2>${has('pareto') ? charts(specs, specs, 'pareto') : empty('No matched group with two finished modes.')}</section>
<section id="sweeps"><h2>Sweeps against batch</h2>${has('sweep') ? charts(specs, specs, 'sweep') : empty(noSweepReason(data))}</section>
${scalingHtml(data, specs)}<section id="loss"><h2>Loss per measured step (does the parallel net learn like the serial one?)</h2>${has('loss') ? charts(specs, specs, 'loss') : empty('No losses recorded.')}</section>
<section id="timelines"><h2>Memory timeline of each cell</h2>
${has('timeline') ? `<p class="muted">GPU memory as nvidia-smi sampled it: device memory summed over GPUs, the worker's own where its pid was matched, and (dashed) what the devices held before the cell.</p>\n${charts(specs, specs, 'timeline')}` : ''}
${timelineNote(data)}
${gpuNotes(data)}</section>
<section id="params"><h2>Parameters</h2>${paramsSection(data)}</section>
<section id="environment"><h2>Environment</h2>${envRows.length ? `<table>${envRows.join('')}</table>` : '<p class="muted">Unknown: no run.json.</p>'}</section>
<section id="failed"><h2>Failed cells</h2>${failedSection(data)}</section>
${data.skipped.length ? `<section id="skipped"><h2>Skipped cells</h2>${skippedSection(data)}</section>\n` : ''}<section id="cells"><h2>All cells</h2><p class="muted">Click a column to sort. Step times from the measured steps (MAD: median absolute deviation); MB = 10<sup>6</sup> bytes; GPU figures in MiB as nvidia-smi reports them. The same figures, unrounded, are in results.csv.</p>${cellsTable(data)}</section>
</main>
<script type="application/json" id="mobius-charts">${chartData}</script>
<script>${lib}</script>
<script>${pageScript}</script>
</body>
</html>
`;
}

export const htmlExporter = textExporter('html', 'report.html', toHtml);

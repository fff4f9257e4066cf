// Labels shared by the Markdown and HTML reports, so that both say the same
// thing: comparisons, memory figures, the backend and environment lines.
// Units are results/units.ts's (the gate uses the same).
import type { Environment } from '../measure/environment.ts';
import type { GroupComparison, MemoryMetric } from '../results/analysis.ts';
import { type OkCell } from '../results/cell-result.ts';
import { trackedMemory } from '../protocol/worker-outcome.ts';
import type { RatioInterval } from '../results/stats.ts';
import { formatChange, formatGiB, formatMB, formatMiB, formatRatio, MISSING } from '../results/units.ts';
import type { ModeComparison, ReportData } from './report-data.ts';

/** A ratio candidate / baseline as a change in whole percent: 0.76 → `−24 %`. */
export function formatRatioChange(ratio: number | null | undefined): string {
  return ratio == null ? MISSING : formatChange(ratio - 1, 0);
}

/** A ratio with its interval: `0.812 [0.790, 0.835]`. */
export function formatInterval(t: RatioInterval | null): string {
  if (!t) return MISSING;
  return `${formatRatio(t.ratio)} [${formatRatio(t.low)}, ${formatRatio(t.high)}]`;
}

/** What a comparison's memory figure is: the GPU process peak, or the peak the worker's allocator counted. */
export function memoryMetricName(c: Pick<GroupComparison, 'memoryMetric' | 'baseline'>): string {
  if (c.memoryMetric === 'gpuProcessPeakMiB') return 'GPU process peak';
  const source = c.baseline.memory.source;
  return source === 'cuda-allocated' ? 'CUDA allocated peak' : source === 'rss' ? 'RSS peak' : 'tensor peak';
}

/** A cell's memory figure in the comparison's metric, with its unit. */
export function formatMemory(r: OkCell, metric: MemoryMetric): string {
  return metric === 'gpuProcessPeakMiB' ? formatMiB(r.gpu?.processPeakMiB) : formatMB(trackedMemory(r.memory)?.peakBytes);
}

export function comparisonTitle(c: Pick<ModeComparison, 'candidateMode' | 'baselineMode'>): string {
  return `${c.candidateMode} vs ${c.baselineMode}`;
}

/** The backend that ran, from the first cell that ran. */
function firstBackend(data: ReportData): OkCell['backend'] | null {
  for (const { result } of data.cells) if (result.status === 'ok') return result.backend;
  return null;
}

/** The backend that ran, in full: package, version, patches; torch's device and precision. */
function backendLine(data: ReportData): string | null {
  const b = firstBackend(data);
  if (!b) return null;
  const details = b.name === 'torch' ? [b.deviceName, b.precision, b.attention] : [];
  if (b.patches.length) details.push(`${b.patches.length} patches`);
  return `${b.name} (${[`${b.package} ${b.version}`, ...details].join(', ')})`;
}

/** The GPUs from run.json, or, where it saw none, the ones the cells' sampler saw. */
function gpuLine(env: Environment, data?: ReportData): string {
  let devices: Array<{ name: string }> = env.gpu.available ? env.gpu.devices : [];
  if (devices.length === 0 && data) devices = data.cells.find((c) => (c.result.gpu?.devices.length ?? 0) > 0)?.result.gpu?.devices ?? [];
  if (devices.length === 0) return `no GPU${env.gpu.note ? ` (${env.gpu.note})` : ''}`;
  const names = new Map<string, number>();
  for (const d of devices) names.set(d.name, (names.get(d.name) ?? 0) + 1);
  const list = [...names].map(([n, k]) => (k > 1 ? `${k}× ${n}` : n)).join(', ');
  return `${list}${env.gpu.driver ? `, driver ${env.gpu.driver}` : ''}${env.gpu.cuda ? `, CUDA ${env.gpu.cuda}` : ''}`;
}

/** The environment as label/value pairs (for a table) — strings as recorded. */
export function environmentRows(data: ReportData): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const backend = backendLine(data);
  if (backend) rows.push(['backend', backend]);
  const env = data.run?.environment;
  if (!env) return rows;
  rows.push(['GPU', gpuLine(env, data)]);
  rows.push(['CPU', `${env.cpu.model} (${env.cpu.cores} cores)`]);
  rows.push(['memory', formatGiB(env.memoryBytes, 1)]);
  rows.push(['OS', `${env.os} ${env.arch}`]);
  rows.push(['Node.js', env.node]);
  rows.push(['TensorFlow.js', [`core ${env.tfjs.core}`, env.tfjs.wasm && `wasm ${env.tfjs.wasm}`, env.tfjs.node && `node ${env.tfjs.node}`, env.tfjs.nodeGpu && `node-gpu ${env.tfjs.nodeGpu}`].filter(Boolean).join(', ')]);
  rows.push(['git', env.git.commit ? `${env.git.commit.slice(0, 12)}${env.git.dirty ? ' (dirty)' : ''}` : env.git.note ?? 'unknown']);
  if (env.suite) rows.push(['suite file', `${env.suite.path} (sha256 ${env.suite.sha256.slice(0, 12)})`]);
  return rows;
}

/** One line: backend · GPU · CPU · Node · commit · date. */
export function environmentLine(data: ReportData): string {
  const parts: string[] = [];
  const backend = firstBackend(data);
  if (backend) parts.push(`${backend.name} ${backend.version}`);
  const env = data.run?.environment;
  if (env) {
    parts.push(gpuLine(env, data));
    parts.push(`${env.cpu.model} ×${env.cpu.cores}`);
    parts.push(`Node ${env.node}`);
    if (env.git.commit) parts.push(`commit ${env.git.commit.slice(0, 7)}${env.git.dirty ? ' (dirty)' : ''}`);
  }
  if (data.run?.startedAt) parts.push(data.run.startedAt.slice(0, 16).replace('T', ' ') + ' UTC');
  return parts.length ? parts.join(' · ') : 'environment unknown (no run.json)';
}

/** "22 ok, 2 failed of 24 cells", and ", 2 skipped as unfit" where the planner skipped some. */
export function countsLine(data: ReportData): string {
  const ok = data.cells.filter((c) => c.result.status === 'ok').length;
  const failed = data.cells.length - ok;
  const skipped = data.skipped.length ? `, ${data.skipped.length} skipped as unfit` : '';
  return `${ok} ok, ${failed} failed of ${data.cells.length} cell${data.cells.length === 1 ? '' : 's'}${skipped}`;
}

/** What a chart or comparison says when no cell succeeded (one sentence, not empty axes); null when some did. */
export function nothingSucceeded(data: ReportData, to: 'plot' | 'compare' = 'plot'): string | null {
  if (data.cells.some((c) => c.result.status === 'ok')) return null;
  return `No cell ${data.cells.length === 0 ? 'ran' : 'succeeded'}, so there is nothing to ${to}.`;
}

export function suiteName(data: ReportData): string {
  return data.run?.suite.name ?? 'results';
}

/** The first line of a failure message, cut to `max` characters. */
export function firstLine(text: string, max = 200): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

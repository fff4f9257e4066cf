// Number and label formatting shared by the Markdown and HTML reports, so
// both say the same thing in the same units (ms, MB = 10^6 bytes, MiB as
// nvidia-smi reports it, ratios as candidate / baseline).
import type { Environment } from '../measure/environment.ts';
import type { MemoryMetric } from '../results/analysis.ts';
import type { CellResult } from '../results/schema.ts';
import type { RatioInterval } from '../results/stats.ts';
import type { ModeComparison, ReportData } from './report-data.ts';

export const MB = 1e6;

export function fmtNum(x: number | null | undefined, digits = 0): string {
  if (x == null || !Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Milliseconds with about three significant digits. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '–';
  return `${fmtNum(ms, ms >= 100 ? 0 : ms >= 10 ? 1 : 2)} ms`;
}

export function fmtBytesMB(bytes: number | null | undefined): string {
  return bytes == null ? '–' : `${fmtNum(bytes / MB, bytes >= 100 * MB ? 0 : 1)} MB`;
}

export function fmtMiB(mib: number | null | undefined): string {
  return mib == null ? '–' : `${fmtNum(mib)} MiB`;
}

/** A ratio as a change: 0.76 → "−24 %", 1.05 → "+5 %". */
export function fmtChange(ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return '–';
  const pct = Math.round((ratio - 1) * 100);
  if (pct === 0) return '±0 %';
  return pct < 0 ? `−${-pct} %` : `+${pct} %`;
}

export function fmtRatio(ratio: number | null | undefined): string {
  return ratio == null || !Number.isFinite(ratio) ? '–' : ratio.toFixed(3);
}

export function fmtInterval(t: RatioInterval | null): string {
  if (!t) return '–';
  return `${fmtRatio(t.ratio)} [${fmtRatio(t.low)}, ${fmtRatio(t.high)}]`;
}

export function memoryMetricName(metric: MemoryMetric): string {
  return metric === 'gpuProcessPeakMiB' ? 'GPU process peak' : 'tensor peak';
}

/** A cell's memory figure in the comparison's metric, with its unit. */
export function fmtMemory(r: CellResult, metric: MemoryMetric): string {
  return metric === 'gpuProcessPeakMiB' ? fmtMiB(r.gpu?.processPeakMiB) : fmtBytesMB(r.memory?.peakBytes);
}

export function comparisonTitle(c: Pick<ModeComparison, 'candidateMode' | 'baselineMode'>): string {
  return `${c.candidateMode} vs ${c.baselineMode}`;
}

/** The backend that ran, from the first cell that says. */
export function backendLine(data: ReportData): string | null {
  const b = data.cells.find((c) => c.result.backend)?.result.backend;
  if (!b) return null;
  return `${b.name} (${b.package} ${b.version}${b.patches.length ? `, ${b.patches.length} patches` : ''})`;
}

/** The GPUs from run.json, or, where it saw none, the ones the cells' sampler saw. */
export function gpuLine(env: Environment, data?: ReportData): string {
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
  rows.push(['memory', `${fmtNum(env.memoryBytes / 2 ** 30, 1)} GiB`]);
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
  const backend = data.cells.find((c) => c.result.backend)?.result.backend;
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

/** "22 ok, 2 failed of 24 cells" */
export function countsLine(data: ReportData): string {
  const ok = data.cells.filter((c) => c.result.status === 'ok').length;
  const failed = data.cells.length - ok;
  return `${ok} ok, ${failed} failed of ${data.cells.length} cell${data.cells.length === 1 ? '' : 's'}`;
}

export function suiteName(data: ReportData): string {
  return data.run?.suite.name ?? 'results';
}

/** The first line of a failure message, cut to `max` characters. */
export function firstLine(text: string, max = 200): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

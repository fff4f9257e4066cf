// The units every figure is shown in, for reports, gates and the CLI alike:
// - memory counted in bytes (tensor peaks, RSS) in decimal units — MB = 10⁶
//   bytes, as results.csv's `_mb` columns and the paper's GB;
// - GPU memory in MiB, as nvidia-smi reports it (never converted);
// - device capacities and plans in GiB, as devices are sized;
// - changes as signed percentages of candidate / baseline − 1;
// - durations in ms (steps) or minutes and seconds (runs).
// Missing figures print as an en dash.

export const KB = 1e3;
export const MB = 1e6;
export const GB = 1e9;
export const KiB = 2 ** 10;
export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

export const MISSING = '–';

const isNumber = (x: number | null | undefined): x is number => x != null && Number.isFinite(x);

/** A count or a plain number with thousands separators: `1,264,836`, `3.142`. */
export function formatNumber(x: number | null | undefined, digits = 0): string {
  if (!isNumber(x)) return MISSING;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Bytes as MB in a column of comparable figures: `1,005 MB`, `97.3 MB`. */
export function formatMB(bytes: number | null | undefined): string {
  if (!isNumber(bytes)) return MISSING;
  return `${formatNumber(bytes / MB, Math.abs(bytes) >= 100 * MB ? 0 : 1)} MB`;
}

/** Bytes in the unit that suits their size, exact enough for a difference of a few bytes: `1.01 GB`, `105.06 MB`, `−12 B`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNumber(bytes)) return MISSING;
  const abs = Math.abs(bytes);
  if (abs >= GB) return `${(bytes / GB).toFixed(2)} GB`;
  if (abs >= MB) return `${(bytes / MB).toFixed(2)} MB`;
  if (abs >= KB) return `${(bytes / KB).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** GPU memory as nvidia-smi reports it: `8,192 MiB`. */
export function formatMiB(mib: number | null | undefined): string {
  return isNumber(mib) ? `${formatNumber(mib)} MiB` : MISSING;
}

/** Bytes in GiB, for device capacities and plans: `39.50 GiB`. */
export function formatGiB(bytes: number | null | undefined, digits = 2): string {
  return isNumber(bytes) ? `${(bytes / GiB).toFixed(digits)} GiB` : MISSING;
}

/** A step time with about three significant digits: `2,808 ms`, `45.2 ms`, `3.12 ms`. */
export function formatMs(ms: number | null | undefined): string {
  if (!isNumber(ms)) return MISSING;
  return `${formatNumber(ms, Math.abs(ms) >= 100 ? 0 : Math.abs(ms) >= 10 ? 1 : 2)} ms`;
}

/** A run's length: `3 min 5 s`, `42 s`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isNumber(seconds)) return MISSING;
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/**
 * A relative change (ratio − 1) as a signed percentage: `+1.0 %`, `−24 %`
 * (digits 0), `±0 %` for none, `+<0.1 %` for one too small for `digits`.
 */
export function formatChange(change: number | null | undefined, digits = 1): string {
  if (change == null || Number.isNaN(change)) return MISSING;
  if (!Number.isFinite(change)) return change > 0 ? '+∞' : '−∞';
  const pct = change * 100;
  if (pct === 0) return '±0 %';
  const sign = pct > 0 ? '+' : '−';
  const smallest = 10 ** -digits;
  if (Math.abs(pct) < smallest / 2) return `${sign}<${smallest} %`;
  return `${sign}${Math.abs(pct).toFixed(digits)} %`;
}

/** A ratio candidate / baseline: `0.760`. */
export function formatRatio(ratio: number | null | undefined): string {
  return isNumber(ratio) ? ratio.toFixed(3) : MISSING;
}

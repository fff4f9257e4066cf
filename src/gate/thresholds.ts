// The gate's thresholds: defaults and `--threshold metric=value` parsing.
// A threshold is a relative change (percent) or, for memory, an absolute
// amount; `off` keeps a metric in the report but out of the exit code.
import { formatBytes, GB, GiB, KB, KiB, MB, MiB } from '../results/units.ts';
import { UserError } from '../user-error.ts';

/** The metrics compared per cell. */
export const METRICS = ['tensor', 'gpu', 'rss', 'time'] as const;
export type Metric = (typeof METRICS)[number];

export const METRIC_NAMES: Record<Metric, string> = {
  tensor: 'tensor peak',
  gpu: 'GPU memory',
  rss: 'peak RSS',
  time: 'step time',
};

export type Limit =
  | { kind: 'percent'; value: number }
  | { kind: 'bytes'; value: number };

export interface MetricThreshold {
  limit: Limit;
  /** false: reported (as a warning) but never a failing verdict. */
  gated: boolean;
}

export interface Thresholds {
  metrics: Record<Metric, MetricThreshold>;
  /** Metrics the user set with --threshold (they apply even across machines). */
  explicit: Metric[];
  /** Step time: the Mann-Whitney p-value below which a change counts. */
  alpha: number;
  /** A suite claim that held on the baseline and fails now fails the gate. */
  claimsGated: boolean;
  /** A baseline cell missing from the current run (a lost line, a crash) fails the gate; --allow-missing turns it into a warning. */
  missingGated: boolean;
}

/** Step time of a CPU cell by default: a loaded 2-core machine moved it by 45 % between identical runs. */
export const CPU_TIME_LIMIT: Limit = { kind: 'percent', value: 100 };

/**
 * Defaults a person can trust on an unchanged build: tensor memory is counted
 * and exact; step time is gated by size and significance together; RSS and
 * nvidia-smi's GPU memory are sampled, and moved up to ~10 % between identical
 * runs (more than any useful limit), so they are reported, not gated, unless
 * asked for with --threshold. CPU cells' step time has a limit of its own
 * (CPU_TIME_LIMIT) unless --threshold time=… is given.
 */
export function defaultThresholds(): Thresholds {
  return {
    metrics: {
      tensor: { limit: { kind: 'bytes', value: 0 }, gated: true },
      gpu: { limit: { kind: 'percent', value: 2 }, gated: false },
      rss: { limit: { kind: 'percent', value: 2 }, gated: false },
      time: { limit: { kind: 'percent', value: 5 }, gated: true },
    },
    explicit: [],
    alpha: 0.01,
    claimsGated: true,
    missingGated: true,
  };
}

const BYTE_UNITS: Record<string, number> = { b: 1, kib: KiB, mib: MiB, gib: GiB, kb: KB, mb: MB, gb: GB };

const USAGE = 'write metric=value with metric among tensor, gpu, rss, time (value: a percent like 5 or 5%, a size like 0B or 16MiB for memory, or off), p=<p-value>, or claims=on|off';

function parseLimit(metric: Metric, text: string, entry: string): Limit {
  const m = /^(\d+(?:\.\d+)?)\s*(%|[a-z]+)?$/i.exec(text);
  if (!m) throw new UserError(`--threshold '${entry}': '${text}' is not a number; ${USAGE}`);
  const value = Number(m[1]);
  const unit = (m[2] ?? '%').toLowerCase();
  if (unit === '%') return { kind: 'percent', value };
  const scale = BYTE_UNITS[unit];
  if (scale == null) throw new UserError(`--threshold '${entry}': unknown unit '${m[2]}'; use %, B, KiB, MiB or GiB`);
  if (metric === 'time') throw new UserError(`--threshold '${entry}': step time takes a percent (e.g. time=5)`);
  return { kind: 'bytes', value: value * scale };
}

/** Applies `--threshold` entries (each `k=v`, or several joined by commas) to the defaults. */
export function parseThresholds(entries: readonly string[] = []): Thresholds {
  const t = defaultThresholds();
  for (const entry of entries.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim().toLowerCase() : '';
    const value = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!key || !value) throw new UserError(`--threshold '${entry}': ${USAGE}`);
    if (key === 'p' || key === 'alpha') {
      const p = Number(value);
      if (!(p > 0 && p < 1)) throw new UserError(`--threshold '${entry}': p must be between 0 and 1 (e.g. p=0.01)`);
      t.alpha = p;
      continue;
    }
    if (key === 'claims') {
      if (value !== 'on' && value !== 'off') throw new UserError(`--threshold '${entry}': claims=on or claims=off`);
      t.claimsGated = value === 'on';
      continue;
    }
    if (!(METRICS as readonly string[]).includes(key)) throw new UserError(`--threshold '${entry}': unknown metric '${key}'; ${USAGE}`);
    const metric = key as Metric;
    t.explicit.push(metric);
    if (value.toLowerCase() === 'off') t.metrics[metric] = { ...t.metrics[metric], gated: false };
    else t.metrics[metric] = { limit: parseLimit(metric, value, entry), gated: true };
  }
  return t;
}

/** A limit as the user would write it: `5 %`, `0 B`, `16 MiB`, `2 MB`. */
function formatLimit(limit: Limit): string {
  if (limit.kind === 'percent') return `${limit.value} %`;
  if (limit.value === 0) return '0 B';
  const units: Array<[string, number]> = [['GiB', GiB], ['GB', GB], ['MiB', MiB], ['MB', MB], ['KiB', KiB], ['kB', KB]];
  const exact = units.find(([, size]) => limit.value >= size && limit.value % size === 0);
  if (exact) return `${limit.value / exact[1]} ${exact[0]}`;
  return formatBytes(limit.value);
}

export function describeThreshold(metric: Metric, t: Thresholds): string {
  const mt = t.metrics[metric];
  const cpuLimit = metric === 'time' && !t.explicit.includes('time') ? ` (CPU cells: > ${formatLimit(CPU_TIME_LIMIT)})` : '';
  const base = metric === 'time' ? `median > ${formatLimit(mt.limit)}${cpuLimit} and p < ${t.alpha}` : `> ${formatLimit(mt.limit)}`;
  return mt.gated ? base : `${base} (report only)`;
}

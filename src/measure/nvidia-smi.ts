// Parsers for nvidia-smi's `--format=csv,noheader,nounits` output and the argv
// that asks for it. Pure: the sampler (gpu-sampler.ts) feeds them text, the
// tests feed them fixtures. nvidia-smi's output is read defensively because the
// sampler kills it mid-write: a short row is the tail of an interrupted write,
// not an error, and a field nvidia-smi cannot read (`[N/A]`, `[Not Supported]`,
// `[Unknown Error]`, …) is a missing value, not a zero.
import { parse } from 'csv-parse/sync';

export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.used',
  'memory.total',
  'utilization.gpu',
  'power.draw',
  'clocks.sm',
  'temperature.gpu',
] as const;

export const APP_QUERY_FIELDS = ['pid', 'used_memory', 'gpu_uuid'] as const;

export interface GpuRow {
  index: number;
  uuid: string;
  name: string;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  utilizationPct: number | null;
  powerW: number | null;
  smClockMHz: number | null;
  temperatureC: number | null;
}

export interface AppRow {
  pid: number;
  usedMemoryMiB: number | null;
  /** The GPU the process's memory is on; null where the row does not say. */
  gpuUuid: string | null;
}

/** Rows of `nvidia-smi --query-gpu=GPU_QUERY_FIELDS`, in order; incomplete or unreadable rows dropped. */
export function parseGpuRows(text: string): GpuRow[] {
  const rows: GpuRow[] = [];
  for (const f of records(text, GPU_QUERY_FIELDS.length)) {
    const index = integer(f[0]!);
    if (index === null) continue;
    rows.push({
      index,
      uuid: f[1]!,
      name: f[2]!,
      memoryUsedMiB: decimal(f[3]!),
      memoryTotalMiB: decimal(f[4]!),
      utilizationPct: decimal(f[5]!),
      powerW: decimal(f[6]!),
      smClockMHz: decimal(f[7]!),
      temperatureC: decimal(f[8]!),
    });
  }
  return rows;
}

/** Rows of `nvidia-smi --query-compute-apps=APP_QUERY_FIELDS`, in order; incomplete or unreadable rows dropped. */
export function parseAppRows(text: string): AppRow[] {
  const rows: AppRow[] = [];
  // Rows of pid and used_memory alone are read too (as older tools' queries wrote them).
  for (const f of records(text, APP_QUERY_FIELDS.length, 2)) {
    const pid = integer(f[0]!);
    if (pid === null) continue;
    const uuid = f[2]?.trim();
    rows.push({ pid, usedMemoryMiB: decimal(f[1]!), gpuUuid: uuid && uuid.startsWith('GPU-') ? uuid : null });
  }
  return rows;
}

/** argv for the GPU query; with an interval, nvidia-smi loops and prints one block per interval. */
export function gpuQueryArgs(intervalMs?: number): string[] {
  return queryArgs(`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, intervalMs);
}

/** argv for the compute-apps query; an interval in which no process uses a GPU prints nothing. */
export function appQueryArgs(intervalMs?: number): string[] {
  return queryArgs(`--query-compute-apps=${APP_QUERY_FIELDS.join(',')}`, intervalMs);
}

function queryArgs(query: string, intervalMs: number | undefined): string[] {
  const args = [query, '--format=csv,noheader,nounits'];
  if (intervalMs !== undefined) args.push('-lms', String(Math.max(1, Math.round(intervalMs))));
  return args;
}

// nvidia-smi never quotes, and a stray `"` in a half-written line must not
// swallow the lines after it, so quoting is off; fields are split on ',' and
// trimmed, which handles its ", " separator. A record with the wrong number of
// fields is dropped rather than thrown: that is the cut-off last line.
function records(text: string, ...widths: number[]): string[][] {
  const all = parse(text, {
    delimiter: ',',
    trim: true,
    quote: null,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  return all.filter((r) => widths.includes(r.length));
}

function integer(field: string): number | null {
  return /^\d+$/.test(field) ? Number(field) : null;
}

// Strict on purpose: `Number('')` is 0 and a truncated `[N/` must not become a number.
function decimal(field: string): number | null {
  return /^-?\d+(\.\d+)?$/.test(field) ? Number(field) : null;
}

// GPU memory and power around one benchmark cell, sampled from the parent
// process with nvidia-smi (the worker cannot measure its own device memory:
// the allocator's view is not the driver's, and a worker that dies of OOM
// reports nothing). One sampler per cell: start() before the worker is
// spawned, stop(workerPid) after it has exited — stop(rank pids) for a
// data-parallel cell, each rank's process found on its own GPU.
//
// Two long-running `nvidia-smi -lms` children rather than one query per tick:
// nvidia-smi's start-up (driver init) costs tens of ms, longer than the
// interval we want. Every row is stamped with the time it was received, so
// timestamps lag the driver's own sampling by the pipe latency (~ms).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { appQueryArgs, gpuQueryArgs, parseAppRows, parseGpuRows, type AppRow, type GpuRow } from './nvidia-smi.ts';

export interface GpuCellReport {
  devices: Array<{ index: number; uuid: string; name: string; memoryTotalMiB: number | null }>;
  /** memory.used summed over all GPUs, once, before the cell. */
  baselineMiB: number;
  /** Highest summed memory.used over the samples (the baseline when there are none). */
  devicePeakMiB: number;
  devicePeakAboveBaselineMiB: number;
  /** The worker's own used_memory at its highest; see `processMatched`. */
  processPeakMiB: number | null;
  /** false: no compute-apps row carried the worker's pid, and processPeakMiB is devicePeakAboveBaselineMiB. */
  processMatched: boolean;
  /** A data-parallel cell's ranks (the pids stop() was given), each on the GPU nvidia-smi saw it on; processPeakMiB is the highest rank's peak. Absent for one worker. */
  ranks?: Array<{ pid: number; gpuUuid: string | null; peakMiB: number | null }>;
  note: string | null;
  /** Summed power.draw integrated over the measured window, divided by its steps. */
  energyJoulesPerStep: number | null;
  /** One entry per complete device sample, in time order; t in the clock of `now` (default Date.now, ms). */
  timeline: Array<{ t: number; deviceMiB: number; processMiB: number | null; powerW: number | null }>;
}

/** nvidia-smi's loop interval: 5 samples a second, enough for a step's peak, light on the machine it measures. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 200;

export interface GpuSamplerOptions {
  command?: string;
  /** nvidia-smi's loop interval (-lms), default DEFAULT_SAMPLE_INTERVAL_MS. */
  intervalMs?: number;
  /** Clock for row timestamps and for markMeasuredStart/End, in ms. */
  now?: () => number;
}

const ONE_SHOT_TIMEOUT_MS = 5000;
const KILL_GRACE_MS = 1000;
// After SIGKILL a child's pipes close at once, unless it left a grandchild
// holding them (a wrapper script without exec): give up waiting then.
const CLOSE_CAP_MS = 3000;

/** Whether `command` runs and answers a GPU query (false when missing, failing, or hung for 5 s). */
export async function nvidiaSmiAvailable(command = 'nvidia-smi'): Promise<boolean> {
  const r = await runOnce(command, ['--query-gpu=index', '--format=csv,noheader,nounits']);
  return r.error === null;
}

interface Sample<Row> {
  t: number;
  rows: Row[];
}

export class GpuSampler {
  private readonly command: string;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private baselineRows: GpuRow[] | null = null;
  private readonly gpuSamples: Sample<GpuRow>[] = [];
  private readonly appSamples: Sample<AppRow>[] = [];
  private loops: LoopChild[] = [];
  private readonly problems: string[] = [];
  private measuredStart: number | null = null;
  private measured: { start: number; end: number; steps: number } | null = null;
  private starting: Promise<void> | null = null;
  private stopping = false;
  private report: Promise<GpuCellReport> | null = null;

  constructor(opts: GpuSamplerOptions = {}) {
    this.command = opts.command ?? 'nvidia-smi';
    this.intervalMs = opts.intervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
    this.now = opts.now ?? Date.now;
  }

  /** Takes the pre-cell baseline, then starts the sampling children. Never rejects: failures end up in the report's note. */
  start(): Promise<void> {
    if (this.starting) throw new Error('GpuSampler started twice');
    this.starting = this.begin();
    return this.starting;
  }

  markMeasuredStart(t: number): void {
    this.measuredStart = t;
  }

  markMeasuredEnd(t: number, steps: number): void {
    if (this.measuredStart !== null) this.measured = { start: this.measuredStart, end: t, steps };
  }

  /** Stops the children and summarises; later calls return the first call's report. Several pids: one per rank. */
  stop(workerPid: number | readonly number[]): Promise<GpuCellReport> {
    this.report ??= this.finish(typeof workerPid === 'number' ? [workerPid] : workerPid);
    return this.report;
  }

  private async begin(): Promise<void> {
    const once = await runOnce(this.command, gpuQueryArgs());
    const rows = parseGpuRows(once.stdout);
    if (rows.length > 0) this.baselineRows = rows;
    if (once.error !== null) this.problems.push(`nvidia-smi baseline query failed: ${once.error}`);
    // A command that cannot be spawned would only fail twice more.
    if (this.stopping || once.spawnFailed) return;
    this.loops = [
      new LoopChild(this.command, gpuQueryArgs(this.intervalMs), '--query-gpu', (line) => this.onGpuLine(line)),
      new LoopChild(this.command, appQueryArgs(this.intervalMs), '--query-compute-apps', (line) => this.onAppLine(line)),
    ];
  }

  private async finish(workerPids: readonly number[]): Promise<GpuCellReport> {
    this.stopping = true;
    await this.starting;
    await Promise.all(this.loops.map((l) => l.terminate()));
    const problems = [...this.problems, ...this.loops.flatMap((l) => l.problem() ?? [])];
    return summarize({
      baselineRows: this.baselineRows,
      gpuSamples: this.gpuSamples,
      appSamples: this.appSamples,
      workerPids,
      measured: this.measured,
      problems,
    });
  }

  // A block holds each GPU once, so a repeated index starts the next block.
  private onGpuLine(line: string): void {
    for (const row of parseGpuRows(line)) {
      const t = this.now();
      const last = this.gpuSamples.at(-1);
      if (last && !last.rows.some((r) => r.index === row.index)) last.rows.push(row);
      else this.gpuSamples.push({ t, rows: [row] });
    }
  }

  // A pid may repeat within a block (one row per GPU it uses), so blocks are
  // told apart by time: nvidia-smi writes a block at once, blocks an interval apart.
  private onAppLine(line: string): void {
    for (const row of parseAppRows(line)) {
      const t = this.now();
      const last = this.appSamples.at(-1);
      if (last && t - last.t <= this.intervalMs / 2) last.rows.push(row);
      else this.appSamples.push({ t, rows: [row] });
    }
  }
}

/** One `nvidia-smi ... -lms` child, read line by line until killed. */
class LoopChild {
  private readonly child: ChildProcess;
  private readonly closed: Promise<void>;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exitedEarly = false;
  private spawnError: string | null = null;
  private stopping = false;
  private stderrTail = '';

  constructor(
    command: string,
    args: string[],
    private readonly label: string,
    onLine: (line: string) => void,
  ) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.closed = new Promise((resolve) => {
      this.child.once('close', () => resolve());
      this.child.on('error', (err) => {
        // 'error' also reports a failed kill; only a failed spawn is fatal.
        if (this.child.pid === undefined) {
          this.spawnError = err.message;
          resolve();
        }
      });
    });
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.exitedEarly = !this.stopping;
    });
    this.child.stdout!.on('error', () => {});
    this.child.stderr!.on('error', () => {});
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-300);
    });
    createInterface({ input: this.child.stdout!, crlfDelay: Infinity }).on('line', onLine);
  }

  /** SIGTERM, SIGKILL after a grace period, and wait until its output has been read. */
  async terminate(): Promise<void> {
    this.stopping = true;
    if (this.exit === null && this.spawnError === null && this.child.pid !== undefined) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => {
        if (this.exit === null) this.child.kill('SIGKILL');
      }, KILL_GRACE_MS);
      await within(this.closed, KILL_GRACE_MS + CLOSE_CAP_MS);
      clearTimeout(killer);
    } else {
      await within(this.closed, CLOSE_CAP_MS);
    }
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  problem(): string | null {
    if (this.spawnError !== null) return `nvidia-smi ${this.label} failed: ${this.spawnError}`;
    if (!this.exitedEarly || this.exit === null) return null;
    const how = this.exit.code !== null ? `code ${this.exit.code}` : `signal ${this.exit.signal}`;
    const said = this.stderrTail.trim().split('\n').at(-1)?.trim();
    return `nvidia-smi ${this.label} exited early (${how})${said ? `: ${said}` : ''}`;
  }
}

function summarize(s: {
  baselineRows: GpuRow[] | null;
  gpuSamples: Sample<GpuRow>[];
  appSamples: Sample<AppRow>[];
  workerPids: readonly number[];
  measured: { start: number; end: number; steps: number } | null;
  problems: string[];
}): GpuCellReport {
  const notes = [...s.problems];
  // A block missing a GPU (a garbled row) would read as a dip in memory and power.
  const deviceCount = Math.max(s.baselineRows?.length ?? 0, ...s.gpuSamples.map((g) => g.rows.length));
  const samples = s.gpuSamples.filter((g) => g.rows.length === deviceCount).sort((a, b) => a.t - b.t);
  const deviceRows = s.baselineRows ?? samples[0]?.rows ?? [];
  const devices = [...deviceRows]
    .sort((a, b) => a.index - b.index)
    .map(({ index, uuid, name, memoryTotalMiB }) => ({ index, uuid, name, memoryTotalMiB }));

  let baselineMiB = 0;
  if (s.baselineRows) baselineMiB = usedMiB(s.baselineRows);
  else if (samples[0]) {
    baselineMiB = usedMiB(samples[0].rows);
    notes.push('no pre-cell baseline: the first sample stands in for it');
  }
  const devicePeakMiB = samples.length > 0 ? Math.max(...samples.map((g) => usedMiB(g.rows))) : baselineMiB;
  const devicePeakAboveBaselineMiB = Math.max(0, devicePeakMiB - baselineMiB);
  const haveDeviceData = s.baselineRows !== null || samples.length > 0;

  const pids = new Set(s.workerPids);
  const ordered = [...s.appSamples].sort((a, b) => a.t - b.t);
  // The timeline's process memory: every rank's, summed (one worker: its own).
  const apps = ordered.map((a) => ({ t: a.t, miB: workerMiB(a.rows, pids) }));
  const matched = s.appSamples.some((a) => a.rows.some((r) => pids.has(r.pid) && r.usedMemoryMiB !== null));
  const ranks = s.workerPids.length > 1 ? s.workerPids.map((pid) => rankOf(ordered, pid)) : null;
  let processPeakMiB: number | null;
  if (matched) {
    // Several ranks: the highest one's peak, each on its own GPU (the cell's figure is its highest rank's).
    processPeakMiB = ranks ? Math.max(...ranks.map((r) => r.peakMiB ?? 0)) : Math.max(...apps.map((a) => a.miB ?? 0));
  } else if (haveDeviceData) {
    processPeakMiB = devicePeakAboveBaselineMiB;
    notes.push(
      `per-process memory not matched to worker pid ${s.workerPids.join(', ')} (container pid namespace?): ` +
        'device memory above the pre-cell baseline instead',
    );
  } else {
    processPeakMiB = null;
    notes.push('nvidia-smi gave no samples');
  }

  const timeline: GpuCellReport['timeline'] = [];
  let a = -1;
  for (const g of samples) {
    while (a + 1 < apps.length && apps[a + 1]!.t <= g.t) a++;
    timeline.push({
      t: g.t,
      deviceMiB: usedMiB(g.rows),
      processMiB: matched && a >= 0 ? apps[a]!.miB : null,
      powerW: powerW(g.rows),
    });
  }

  let energyJoulesPerStep: number | null = null;
  if (s.measured && s.measured.steps > 0) {
    const joules = integrateEnergyJoules(timeline, s.measured.start, s.measured.end);
    if (joules !== null) energyJoulesPerStep = joules / s.measured.steps;
  }

  return {
    devices,
    baselineMiB,
    devicePeakMiB,
    devicePeakAboveBaselineMiB,
    processPeakMiB,
    processMatched: matched,
    ...(ranks ? { ranks } : {}),
    note: notes.length > 0 ? notes.join('; ') : null,
    energyJoulesPerStep,
    timeline,
  };
}

/**
 * Joules drawn over [start, end] (ms) by the piecewise-linear power through
 * the samples: trapezoids between the samples inside the window, plus the
 * two boundary pieces up to the power interpolated at start and end. Outside
 * the samples' span the nearest sample's power is held, so a window that one
 * or no sample falls inside still gets an estimate. null when no sample has a
 * power value or the window is empty.
 */
export function integrateEnergyJoules(
  samples: ReadonlyArray<{ t: number; powerW: number | null }>,
  start: number,
  end: number,
): number | null {
  const p = samples.filter((x): x is { t: number; powerW: number } => x.powerW !== null).sort((x, y) => x.t - y.t);
  if (p.length === 0 || !(end > start)) return null;
  const at = (t: number): number => {
    if (t <= p[0]!.t) return p[0]!.powerW;
    if (t >= p.at(-1)!.t) return p.at(-1)!.powerW;
    const i = p.findIndex((x) => x.t >= t);
    const lo = p[i - 1]!;
    const hi = p[i]!;
    return lo.powerW + ((hi.powerW - lo.powerW) * (t - lo.t)) / (hi.t - lo.t);
  };
  const points = [{ t: start, powerW: at(start) }, ...p.filter((x) => x.t > start && x.t < end), { t: end, powerW: at(end) }];
  let wattMs = 0;
  for (let i = 1; i < points.length; i++) {
    wattMs += ((points[i]!.t - points[i - 1]!.t) * (points[i]!.powerW + points[i - 1]!.powerW)) / 2;
  }
  return wattMs / 1000;
}

function usedMiB(rows: GpuRow[]): number {
  return rows.reduce((sum, r) => sum + (r.memoryUsedMiB ?? 0), 0);
}

// Summed over the GPUs that report power; null when none does.
function powerW(rows: GpuRow[]): number | null {
  const known = rows.filter((r) => r.powerW !== null);
  return known.length > 0 ? known.reduce((sum, r) => sum + r.powerW!, 0) : null;
}

/** One rank's highest memory over the samples and the GPU it was seen on. */
function rankOf(samples: ReadonlyArray<Sample<AppRow>>, pid: number): { pid: number; gpuUuid: string | null; peakMiB: number | null } {
  const own = samples.flatMap((a) => a.rows.filter((r) => r.pid === pid));
  const known = own.filter((r) => r.usedMemoryMiB !== null);
  const peaks = samples.map((a) => workerMiB(a.rows, new Set([pid])) ?? 0);
  return { pid, gpuUuid: own.find((r) => r.gpuUuid !== null)?.gpuUuid ?? null, peakMiB: known.length > 0 ? Math.max(...peaks) : null };
}

// A block without the worker's rows means it held no memory then.
function workerMiB(rows: AppRow[], pids: ReadonlySet<number>): number | null {
  const own = rows.filter((r) => pids.has(r.pid));
  if (own.length === 0) return 0;
  const known = own.filter((r) => r.usedMemoryMiB !== null);
  return known.length > 0 ? known.reduce((sum, r) => sum + r.usedMemoryMiB!, 0) : null;
}

interface OnceResult {
  stdout: string;
  error: string | null;
  spawnFailed: boolean;
}

function runOnce(command: string, args: string[]): Promise<OnceResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: ONE_SHOT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, error: null, spawnFailed: false });
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        const spawnFailed = e.syscall?.startsWith('spawn') === true;
        const error = spawnFailed
          ? e.message
          : e.killed
            ? `no answer in ${ONE_SHOT_TIMEOUT_MS} ms`
            : `exit code ${String(e.code)}${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`;
        resolve({ stdout: stdout ?? '', error, spawnFailed });
      },
    );
  });
}

// Resolves when `promise` does or after `ms`, whichever is first, leaving no timer behind.
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

// The two sides of a comparison: a saved baseline file, or a run folder read
// into the same compact form (results/baseline-file.ts) — and `baseline
// save`, which writes a run folder's compact form to commit.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BASELINE_FORMAT, BASELINE_SCHEMA, formatBaseline, readBaselineFile, type BaselineCell, type CompactRun, type OkBaselineCell } from '../results/baseline-file.ts';
import { RESULT_SCHEMA, samplesPerStep, type CellResult } from '../results/cell-result.ts';
import { readResults, truncatedLineText } from '../results/jsonl.ts';
import { readRunRecord } from '../results/run-record.ts';
import { stepTimeStats } from '../results/stats.ts';
import { UserError } from '../user-error.ts';

/** One side of a comparison, with where it came from. */
export interface Snapshot {
  source: string;
  kind: 'baseline' | 'run';
  /** What that side measured: a baseline file's contents, or a run folder's in the same form. */
  measurements: CompactRun;
  /** Problems a reader must see (a cut-off last line, an interrupted run). */
  warnings: string[];
  /** A run folder's cells that the planner skipped as unfit for its machine, with why (run.json's `skipped`). */
  skipped: Map<string, string>;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function baselineCell(r: CellResult): BaselineCell {
  const { id, label, config } = r;
  if (r.status === 'failed') return { id, label, status: 'failed', config, error: { reason: r.error.reason, message: r.error.message, ...(r.error.oom ? { oom: r.error.oom } : {}) } };
  const stepMs = r.stepMs.map(round3) as OkBaselineCell['stepMs'];
  return {
    id,
    label,
    status: 'ok',
    config,
    backend: { name: r.backend.name, version: r.backend.version, gpu: r.backend.gpu },
    // From the rounded samples, as a reader of the saved file derives them.
    stats: stepTimeStats(stepMs, samplesPerStep(config)),
    memory: r.memory,
    gpu: r.gpu
      ? { processPeakMiB: r.gpu.processPeakMiB, processMatched: r.gpu.processMatched, devicePeakAboveBaselineMiB: r.gpu.devicePeakAboveBaselineMiB, energyJoulesPerStep: r.gpu.energyJoulesPerStep }
      : null,
    stepMs,
  };
}

/** A run folder (run.json + results.jsonl) in compact form, in memory. */
export function snapshotFromRun(runDir: string): Snapshot {
  const record = readRunRecord(runDir);
  const resultsFile = join(runDir, 'results.jsonl');
  // Said once, among the comparison's warnings (not also on stderr).
  const read = readResults(resultsFile, { warn: false });
  const warnings: string[] = [];
  if (read.truncatedLine != null) warnings.push(truncatedLineText(resultsFile, read.truncatedLine));
  if (record.interrupted) warnings.push(`${runDir}: the run was interrupted; missing cells are listed`);
  const seen = new Set<string>();
  for (const r of read.results) {
    if (seen.has(r.id)) throw new UserError(`${resultsFile}: cell ${r.id} (${r.label}) appears twice`);
    seen.add(r.id);
  }
  const env = record.environment;
  const measurements: CompactRun = {
    format: BASELINE_FORMAT,
    schema: BASELINE_SCHEMA,
    resultSchema: RESULT_SCHEMA,
    createdAt: new Date().toISOString(),
    suite: { name: record.suite.name, sha256: record.suite.sha256, definition: record.suite.definition },
    run: { startedAt: record.startedAt, endedAt: record.endedAt, shard: record.shard, filter: record.filter, interrupted: record.interrupted, notes: record.notes },
    environment: {
      node: env.node,
      os: env.os,
      cpu: env.cpu,
      gpus: env.gpu.devices.map((d) => d.name),
      driver: env.gpu.driver,
      cuda: env.gpu.cuda,
      tfjs: env.tfjs,
      commit: env.git.commit,
      dirty: env.git.dirty,
    },
    cells: read.results.map(baselineCell),
  };
  return { source: runDir, kind: 'run', measurements, warnings, skipped: new Map((record.skipped ?? []).map((s) => [s.id, s.reason])) };
}

/** A baseline file or a run folder. */
export function loadSnapshot(path: string): Snapshot {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or folder`);
  if (statSync(path).isDirectory()) return snapshotFromRun(path);
  return { source: path, kind: 'baseline', measurements: readBaselineFile(path), warnings: [], skipped: new Map() };
}

function defaultBaselinePath(suiteName: string): string {
  return join('reports', 'baselines', `${suiteName}.json`);
}

/** Writes a run folder's baseline; returns the file written. An existing baseline is replaced only with `force`. */
export function saveBaseline(runDir: string, to?: string, force = false): string {
  const { measurements } = snapshotFromRun(runDir);
  const file = to ?? defaultBaselinePath(measurements.suite.name);
  if (existsSync(file) && !force) {
    throw new UserError(`${file} exists: give --force to replace that baseline, or --to another file`);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, formatBaseline(measurements));
  return file;
}

// A baseline: what one run measured, compact enough to commit — per cell its
// id, config, summary figures and step samples — and the loader compare uses
// for both of its sides (a saved baseline file or a run folder).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readResults } from '../results/jsonl.ts';
import { RESULT_SCHEMA, type CellMemory, type CellResult, type StepTimeStats } from '../results/schema.ts';
import { readRunRecord } from '../runner/run-record.ts';
import type { CellConfig } from '../suite/expand.ts';
import type { Suite } from '../suite/schema.ts';
import { UserError } from '../user-error.ts';

export const BASELINE_FORMAT = 'mobius-bench-baseline' as const;
export const BASELINE_SCHEMA = 1 as const;

export interface BaselineCell {
  id: string;
  label: string;
  status: 'ok' | 'failed';
  config: CellConfig;
  /** The backend that ran (tensor memory is only comparable on the same one). */
  backend: { name: string; version: string; gpu: boolean } | null;
  stats: StepTimeStats | null;
  memory: CellMemory | null;
  gpu: { processPeakMiB: number | null; processMatched: boolean; devicePeakAboveBaselineMiB: number; energyJoulesPerStep: number | null } | null;
  /** Wall time of each measured step (ms, rounded to µs). */
  stepMs: number[];
  error?: { reason: string; message: string };
}

/** Where the figures were measured: enough to tell whether timings are comparable. */
export interface BaselineEnvironment {
  node: string;
  os: string;
  cpu: { model: string; cores: number };
  gpus: string[];
  driver: string | null;
  cuda: string | null;
  tfjs: { core: string; wasm: string | null; node: string | null; nodeGpu: string | null };
  commit: string | null;
  dirty: boolean | null;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  schema: typeof BASELINE_SCHEMA;
  /** The results.jsonl schema the cells came from. */
  resultSchema: typeof RESULT_SCHEMA;
  createdAt: string;
  suite: { name: string; sha256: string; definition: Suite };
  run: { startedAt: string; endedAt: string | null; shard: string | null; filter: string | null; interrupted: boolean; notes: string[] };
  environment: BaselineEnvironment;
  cells: BaselineCell[];
}

/** One side of a comparison, with where it came from. */
export interface Snapshot {
  source: string;
  kind: 'baseline' | 'run';
  baseline: Baseline;
  /** Problems a reader must see (a cut-off last line, an interrupted run). */
  warnings: string[];
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function baselineCell(r: CellResult): BaselineCell {
  const cell: BaselineCell = {
    id: r.id,
    label: r.label,
    status: r.status,
    config: r.config,
    backend: r.backend ? { name: r.backend.name, version: r.backend.version, gpu: r.backend.gpu } : null,
    stats: r.stats,
    memory: r.memory,
    gpu: r.gpu
      ? { processPeakMiB: r.gpu.processPeakMiB, processMatched: r.gpu.processMatched, devicePeakAboveBaselineMiB: r.gpu.devicePeakAboveBaselineMiB, energyJoulesPerStep: r.gpu.energyJoulesPerStep }
      : null,
    stepMs: r.stepMs.map(round3),
  };
  if (r.error) cell.error = { reason: r.error.reason, message: r.error.message };
  return cell;
}

/** A run folder (run.json + results.jsonl) as a baseline, in memory. */
export function snapshotFromRun(runDir: string): Snapshot {
  const record = readRunRecord(runDir);
  const resultsFile = join(runDir, 'results.jsonl');
  const read = readResults(resultsFile);
  const warnings: string[] = [];
  if (read.truncatedLine != null) warnings.push(`${resultsFile}:${read.truncatedLine}: a cut-off last line (the run was killed mid-write) was ignored`);
  if (record.interrupted) warnings.push(`${runDir}: the run was interrupted; missing cells are listed`);
  const seen = new Set<string>();
  for (const r of read.results) {
    if (seen.has(r.id)) throw new UserError(`${resultsFile}: cell ${r.id} (${r.label}) appears twice`);
    seen.add(r.id);
  }
  const env = record.environment;
  const baseline: Baseline = {
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
  return { source: runDir, kind: 'run', baseline, warnings };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a saved baseline file, checking its format and schema versions. */
export function readBaselineFile(file: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObject(value) || value.format !== BASELINE_FORMAT) {
    throw new UserError(`${file}: not a mobius-bench baseline (make one with \`mobius-bench baseline save <run dir>\`)`);
  }
  if (value.schema !== BASELINE_SCHEMA) {
    throw new UserError(`${file}: baseline schema ${String(value.schema)}, this version reads schema ${BASELINE_SCHEMA}; save the baseline again`);
  }
  if (value.resultSchema !== RESULT_SCHEMA) {
    throw new UserError(`${file}: cells of result schema ${String(value.resultSchema)}, this version reads schema ${RESULT_SCHEMA}; save the baseline again`);
  }
  const suite = value.suite;
  if (!isObject(suite) || typeof suite.name !== 'string' || !isObject(suite.definition) || !Array.isArray(value.cells)) {
    throw new UserError(`${file}: a baseline needs suite.name, suite.definition and cells`);
  }
  value.cells.forEach((c: unknown, i: number) => {
    if (!isObject(c) || typeof c.id !== 'string' || !isObject(c.config) || !Array.isArray(c.stepMs) || (c.status !== 'ok' && c.status !== 'failed')) {
      throw new UserError(`${file}: cells[${i}] is not a baseline cell (id, status, config, stepMs)`);
    }
  });
  return value as unknown as Baseline;
}

/** A baseline file or a run folder. */
export function loadSnapshot(path: string): Snapshot {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or folder`);
  if (statSync(path).isDirectory()) return snapshotFromRun(path);
  return { source: path, kind: 'baseline', baseline: readBaselineFile(path), warnings: [] };
}

export function defaultBaselinePath(suiteName: string): string {
  return join('reports', 'baselines', `${suiteName}.json`);
}

/** Writes a run folder's baseline; returns the file written. */
export function saveBaseline(runDir: string, to?: string): string {
  const { baseline } = snapshotFromRun(runDir);
  const file = to ?? defaultBaselinePath(baseline.suite.name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, formatBaseline(baseline));
  return file;
}

/** Pretty at the top, one line per cell: small, and a diff shows which cells changed. */
export function formatBaseline(b: Baseline): string {
  const { cells, ...head } = b;
  const headJson = JSON.stringify(head, null, 2);
  const cellLines = cells.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  return `${headJson.slice(0, -2)},\n  "cells": [\n${cellLines}\n  ]\n}\n`;
}

/** A baseline cell in results.jsonl's shape, for analyses written against CellResult (claims). */
export function asCellResult(c: BaselineCell): CellResult {
  return {
    schema: RESULT_SCHEMA,
    id: c.id,
    status: c.status,
    label: c.label,
    config: c.config,
    env: 'run.json',
    startedAt: '',
    endedAt: '',
    backend: null,
    params: null,
    stepMs: c.stepMs,
    loss: [],
    stepPeakBytes: [],
    stats: c.stats,
    memory: c.memory,
    gpu: c.gpu
      ? { devices: [], baselineMiB: 0, devicePeakMiB: 0, note: null, timeline: [], ...c.gpu }
      : null,
  };
}

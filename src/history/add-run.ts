// `history add`: files a finished run under its commit and machine. Nothing
// on disk is ever rewritten: the run becomes one new file, written beside its
// final name, flushed, and linked into place only if that name is free; the
// same run filed twice (the same suite, start, commit and machine) is
// refused. Every existing file is read first, so a damaged history is
// reported before anything is added to it.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { mfu } from '../measure/peak-flops.ts';
import { canonicalJson } from '../protocol/canonical-json.ts';
import { samplesPerStep, type CellResult } from '../results/cell-result.ts';
import { readResults } from '../results/jsonl.ts';
import { readRunRecord } from '../results/run-record.ts';
import { stepTimeStats } from '../results/stats.ts';
import { UserError } from '../user-error.ts';
import { commitInfo } from './commit-info.ts';
import { markerPath, markerText, readHistory, runsFolder } from './history-folder.ts';
import { formatFiledRun, HISTORY_RUN_FORMAT, HISTORY_RUN_SCHEMA, type FiledCell, type FiledRun } from './history-file.ts';
import { machineFolder, machineOf } from './machine.ts';
import { commandToType } from '../user-command.ts';

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function filedCell(r: CellResult): FiledCell {
  const { id, label, config } = r;
  if (r.status === 'failed') return { id, label, config, status: 'failed', reason: r.error.reason };
  const stepMs = r.stepMs.map(round3) as [number, ...number[]];
  const stats = stepTimeStats(stepMs, samplesPerStep(config));
  return {
    id,
    label,
    config,
    status: 'ok',
    memory: r.memory,
    gpu: r.gpu ? { processPeakMiB: r.gpu.processPeakMiB } : null,
    stepMs,
    efficiency: r.efficiency ? { flopsPerStep: r.efficiency.flopsPerStep, peakFlopsPerSecond: r.efficiency.peakFlopsPerSecond } : null,
    // As a reader derives them (from the rounded samples); not written to the file.
    stats,
    mfu: r.efficiency ? mfu(r.efficiency.flopsPerStep, stats.medianMs, r.efficiency.peakFlopsPerSecond) : null,
  };
}

/** A filed run's id: a hash of the suite, the run's start, the commit and the machine, so that the same run filed twice has the same id. */
export function runIdOf(suiteSha256: string, startedAt: string, commit: string, machineId: string): string {
  const identity = { suite: suiteSha256, startedAt, commit, machine: machineId };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}

/** Reads a finished run folder into the form a history keeps; `cwd` is where git is asked about the commit. */
export function filedRunOf(runDir: string, cwd: string, now = new Date()): FiledRun {
  const record = readRunRecord(runDir);
  const resultsFile = join(runDir, 'results.jsonl');
  const { results, truncatedLine } = readResults(resultsFile);
  if (record.endedAt == null || record.interrupted) {
    throw new UserError(`${runDir}: the run did not finish (${record.interrupted ? 'interrupted' : 'no end in run.json'}); finish it with \`${commandToType(`run ${record.suite.path} --resume ${runDir}`)}\` before filing it`);
  }
  if (truncatedLine != null) throw new UserError(`${resultsFile}:${truncatedLine}: a cut-off last line; finish the run with --resume before filing it`);
  const git = record.environment.git;
  if (git.commit == null) {
    throw new UserError(`${runDir}/run.json records no git commit (${git.note ?? 'unknown'}): a history files runs by commit; run the suite inside the repository's checkout`);
  }
  const seen = new Set<string>();
  for (const r of results) {
    if (seen.has(r.id)) throw new UserError(`${resultsFile}: cell ${r.id} (${r.label}) appears twice`);
    seen.add(r.id);
  }
  if (!results.some((r) => r.status === 'ok')) throw new UserError(`${runDir}: no cell finished: nothing to file`);
  const machine = machineOf(record, results);
  return {
    format: HISTORY_RUN_FORMAT,
    schema: HISTORY_RUN_SCHEMA,
    runId: runIdOf(record.suite.sha256, record.startedAt, git.commit, machine.id),
    addedAt: now.toISOString(),
    commit: commitInfo(git.commit, git.dirty, record.startedAt, cwd),
    suite: { name: record.suite.name, sha256: record.suite.sha256 },
    run: { startedAt: record.startedAt, endedAt: record.endedAt },
    machine,
    cells: results.map(filedCell),
  };
}

/** `20261204-4ddfa8b82917-<run id>.json`: sorted by commit date in a listing. */
function fileName(run: FiledRun): string {
  return `${run.commit.date.slice(0, 10).replace(/-/g, '')}-${run.commit.sha.slice(0, 12)}-${run.runId}.json`;
}

/** Writes `text` to `file` only if no file has that name, never leaving half a file under it. */
function writeNew(file: string, text: string): void {
  const temp = join(file, '..', `.${process.pid}-${Date.now()}.tmp`);
  const fd = openSync(temp, 'wx');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UserError(`${file} exists already; nothing was changed`);
    throw err;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * A new history folder gets its history.json; an existing folder must be a
 * history, or empty but for dot-files (a git worktree of a new branch has a .git).
 */
function prepareFolder(dir: string): void {
  if (existsSync(markerPath(dir))) return;
  if (existsSync(dir) && readdirSync(dir).some((name) => !name.startsWith('.'))) {
    throw new UserError(`--history ${dir}: the folder has files but no history.json — not a mobius-bench history; give an empty or new folder`);
  }
  mkdirSync(dir, { recursive: true });
  writeNew(markerPath(dir), markerText());
}

export interface Added {
  file: string;
  run: FiledRun;
}

/** Files the run in `runDir` into the history `dir`; git is asked in `cwd`. */
export function addRun(runDir: string, dir: string, cwd = process.cwd()): Added {
  const run = filedRunOf(runDir, cwd);
  prepareFolder(dir);
  const history = readHistory(dir);
  const twin = history.runs.find((h) => h.run.runId === run.runId);
  if (twin) throw new UserError(`${runDir}: this run is filed already, as ${relative(process.cwd(), twin.file) || twin.file}; nothing was changed`);
  const folder = join(runsFolder(dir), machineFolder(run.machine));
  mkdirSync(folder, { recursive: true });
  const file = join(folder, fileName(run));
  writeNew(file, formatFiledRun(run));
  return { file, run };
}

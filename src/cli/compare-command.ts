// `mobius-bench compare <baseline> <current>` (or `compare --history <dir>
// <current>`, against the history: gate/history-gate.ts): the pull-request gate. Prints a
// terminal table (or JSON), writes Markdown for a PR comment, emits GitHub
// annotations under Actions; returns 0 clean, 1 regression. Unusable input
// throws UserError, which the CLI turns into exit code 2.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadSnapshot } from '../gate/baseline.ts';
import { compareSnapshots } from '../gate/compare.ts';
import { formatAnnotations } from '../gate/format-annotations.ts';
import { formatJson } from '../gate/format-json.ts';
import { formatMarkdown } from '../gate/format-markdown.ts';
import { formatTable } from '../gate/format-table.ts';
import { parseThresholds } from '../gate/thresholds.ts';
import { ensureOutputFile } from '../results/output-paths.ts';
import { UserError } from '../user-error.ts';

export interface CompareOptions {
  /** Write the Markdown (PR comment) to this file. */
  markdown?: string;
  /** Print the comparison as JSON instead of the table. */
  json?: boolean;
  /** `metric=value` entries (tensor, gpu, rss, time; p; claims). */
  threshold?: string[];
  /** Cells of the baseline missing from the current run warn instead of failing. */
  allowMissing?: boolean;
  /** Compare with this history folder instead of one baseline; the only run named is the current one. */
  history?: string;
  /** With history: at most this many runs per series (default DEFAULT_WINDOW). */
  window?: number;
}

export interface CompareIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: CompareIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/** The comparison the arguments ask for: a baseline and the current run, or --history and the current run. */
async function comparisonOf(first: string, second: string | undefined, opts: CompareOptions, thresholds: ReturnType<typeof parseThresholds>) {
  if (opts.history != null) {
    if (second != null) throw new UserError(`compare --history takes one run folder, the current run; got two (${first}, ${second})`);
    // Loaded only here: a comparison with one baseline reads no history.
    const { compareWithHistory, DEFAULT_WINDOW, readCurrentRun } = await import('../gate/history-gate.ts');
    const { readHistory } = await import('../history/history-folder.ts');
    return compareWithHistory(readHistory(opts.history), readCurrentRun(first), thresholds, opts.window ?? DEFAULT_WINDOW);
  }
  if (opts.window != null) throw new UserError('--window goes with --history <dir>');
  if (second == null) throw new UserError(`compare needs the baseline and the current run (${first} and what?), or --history <dir> and the current run`);
  return compareSnapshots(loadSnapshot(first), loadSnapshot(second), thresholds);
}

/** `baseline` is the current run when `opts.history` is given (and `current` is then absent). */
export async function compareCommand(baseline: string, current: string | undefined, opts: CompareOptions = {}, io: CompareIo = processIo): Promise<number> {
  const thresholds = { ...parseThresholds(opts.threshold ?? []), missingGated: !opts.allowMissing };
  // Checked first: in CI a bad --markdown path must not read as a regression.
  if (opts.markdown) ensureOutputFile(opts.markdown, '--markdown');
  const comparison = await comparisonOf(baseline, current, opts, thresholds);
  if (opts.markdown) {
    mkdirSync(dirname(opts.markdown), { recursive: true });
    writeFileSync(opts.markdown, formatMarkdown(comparison));
  }
  if (opts.json) io.stdout(formatJson(comparison));
  else io.stdout(`${formatTable(comparison)}\n`);
  if (io.env.GITHUB_ACTIONS === 'true') {
    // With --json, stdout is the document: the runner reads workflow commands from stderr too.
    const annotations = formatAnnotations(comparison).map((l) => `${l}\n`).join('');
    if (opts.json) io.stderr(annotations);
    else io.stdout(annotations);
  }
  return comparison.exitCode;
}

// `--resume <run>`: the run folder remembers how the run was started (filter,
// shard, backend, step counts, planning), so that resuming runs exactly the
// cells that are left, measured as the finished ones were. A flag that
// contradicts the run is refused: one run folder never mixes two settings.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readResults } from '../results/jsonl.ts';
import { readRunRecord, type RunRecord } from '../results/run-record.ts';
import { UserError } from '../user-error.ts';
import type { RunOptions } from './run-options.ts';

type Remembered = Pick<RunOptions, 'filter' | 'shard' | 'backend' | 'steps' | 'warmup' | 'plan' | 'skipUnfit' | 'device' | 'torchDevice' | 'memoryCapBytes'>;

const FLAGS: ReadonlyArray<[keyof Remembered, string]> = [
  ['filter', '--filter'],
  ['shard', '--shard'],
  ['backend', '--backend'],
  ['steps', '--steps'],
  ['warmup', '--warmup'],
  ['plan', '--plan'],
  ['skipUnfit', '--skip-unfit'],
  ['device', '--device'],
  ['torchDevice', '--device'],
  ['memoryCapBytes', '--memory-cap'],
];

/** What run.json records of a new run's options. */
export function recordedOptions(opts: RunOptions): NonNullable<RunRecord['options']> {
  return {
    backend: opts.backend ?? null,
    steps: opts.steps ?? null,
    warmup: opts.warmup ?? null,
    plan: opts.plan ?? false,
    skipUnfit: opts.skipUnfit ?? false,
    device: opts.device ?? null,
    torchDevice: opts.torchDevice ?? null,
    memoryCapBytes: opts.memoryCapBytes ?? null,
    nodes: opts.nodes ? { count: opts.nodes.count, endpoint: opts.nodes.endpoint } : null,
  };
}

function rememberedOf(record: RunRecord): Partial<Record<keyof Remembered, string | number | boolean | undefined>> {
  // null and false are "not given": the same as a flag left out.
  const given = <T>(v: T | null | false): T | undefined => (v === null || v === false ? undefined : v);
  const remembered: Partial<Record<keyof Remembered, string | number | boolean | undefined>> = { filter: given(record.filter), shard: given(record.shard) };
  if (record.options) {
    for (const [key, value] of Object.entries(record.options)) {
      if (key !== 'nodes') remembered[key as keyof Remembered] = given(value as string | number | boolean | null);
    }
  }
  return remembered;
}

const describe = (flag: string, value: unknown) => (value === undefined ? `without ${flag}` : value === true ? `with ${flag}` : `with ${flag} ${String(value)}`);

/** The options with the resumed run's own filled in; a contradicting flag is a UserError. Without --resume, `opts` as given. */
export function resumeOptions<T extends RunOptions>(opts: T): T {
  if (!opts.resume) return opts;
  if (opts.out && resolve(opts.out) !== resolve(opts.resume)) {
    throw new UserError(`--resume ${opts.resume} writes into that run folder: drop --out ${opts.out} (or start a new run with --out and without --resume)`);
  }
  const record = readRunRecord(resolve(opts.resume));
  if (record.options?.nodes) {
    throw new UserError(`--resume ${opts.resume}: that run ran across ${record.options.nodes.count} machines, and every machine must run the same cells: run the missing ones on every machine with the same --filter (id=<a>|<b>) into a new --out`);
  }
  const remembered = rememberedOf(record);
  const merged: T = { ...opts };
  for (const [key, flag] of FLAGS) {
    // Runs recorded before the options were cannot say; the flag applies as given.
    if (!(key in remembered)) continue;
    const was = remembered[key];
    const now = opts[key] === false ? undefined : opts[key];
    if (now === undefined) {
      (merged as Record<string, unknown>)[key] = was;
    } else if (now !== was) {
      throw new UserError(`--resume ${opts.resume}: the run was started ${describe(flag, was)}, and ${describe(flag, now).replace(/^with /, '')} would change which cells run or how they are measured; drop it (--resume repeats the run's own options), or start a new run with --out`);
    }
  }
  return merged;
}

/** Ids of the cells a run folder already holds a result for (done or failed). */
export function doneCellIds(runDir: string): Set<string> {
  const file = join(resolve(runDir), 'results.jsonl');
  return existsSync(file) ? new Set(readResults(file).results.map((r) => r.id)) : new Set();
}

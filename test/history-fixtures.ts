// Histories for the tests, made in seconds from the run folders already in
// the repository rather than by running suites: a git repository of empty
// commits with chosen dates and messages, and copies of fixture runs that
// claim one of those commits, with their step times and memory scaled to
// draw the trend a test needs.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir.ts';

export const FIXTURE_RUNS = fileURLToPath(new URL('./fixtures/runs/', import.meta.url));
/** A real GPU run (torch on an H200: CUDA-allocated memory, nvidia-smi peaks, MFU). */
export const GPU_RUN = fileURLToPath(new URL('../reports/gpu/h200-2026-12-04/run-256/', import.meta.url));

export interface Repo {
  dir: string;
  /** The commits, oldest first. */
  shas: string[];
  dates: string[];
}

/** A git repository with one empty commit per message, a day apart from `start` (one `git fast-import` for them all). */
export function gitRepo(messages: string[], start = Date.parse('2026-11-01T12:00:00Z')): Repo {
  const dir = tempDir('mobius-history-git-');
  const git = (args: string[], input?: string) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', input });
  git(['-c', 'init.defaultBranch=main', 'init', '-q']);
  const seconds = messages.map((_, i) => Math.floor(start / 1000) + i * 86_400);
  const stream = messages.map((message, i) => {
    const data = Buffer.from(message, 'utf8');
    return `commit refs/heads/main\ncommitter test <test@example.com> ${seconds[i]} +0000\ndata ${data.length}\n${message}\n`;
  }).join('');
  git(['fast-import', '--quiet'], stream);
  const shas = git(['log', '--reverse', '--format=%H', 'main']).trim().split('\n');
  return { dir, shas, dates: seconds.map((s) => new Date(s * 1000).toISOString()) };
}

export interface RunCopy {
  commit: string;
  dirty?: boolean;
  /** The run's start: one run is told from another by it. */
  startedAt: string;
  /** Multiplies every measured step's time. */
  timeScale?: number;
  /** Multiplies the allocator peak of the cells of these modes (all when absent). */
  memoryScale?: number;
  memoryModes?: string[];
}

/** A copy of a fixture run folder that claims another commit and start. */
export function runCopy(fixture: string, c: RunCopy): string {
  const dir = tempDir('mobius-history-run-');
  cpSync(fixture, dir, { recursive: true });
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  run.environment.git = { commit: c.commit, dirty: c.dirty ?? false, note: null };
  run.startedAt = c.startedAt;
  run.endedAt = new Date(Date.parse(c.startedAt) + 60_000).toISOString();
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run, null, 2));
  const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const r of lines) {
    if (r.status !== 'ok') continue;
    r.stepMs = r.stepMs.map((ms: number) => ms * (c.timeScale ?? 1));
    if (c.memoryScale != null && (c.memoryModes == null || c.memoryModes.includes(r.config.mode))) {
      r.memory.peakBytes = Math.round(r.memory.peakBytes * c.memoryScale);
    }
  }
  writeFileSync(join(dir, 'results.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return dir;
}

/** The smoke suite's five modes on wasm (a CPU machine). */
export const SMOKE_RUN = fileURLToPath(new URL('./fixtures/runs/smoke-five-modes/', import.meta.url));

// The date and subject of the commit a run measured, from the git repository
// the command runs in — the history is ordered by when code was committed,
// not by when someone happened to benchmark it. Where git does not know the
// commit (a run from another clone, a shallow checkout, no git), the run's
// own start stands in, and the filed run says so.
import { execFileSync } from 'node:child_process';
import type { FiledCommit } from './history-file.ts';

/** Subjects are shown in charts and tables: a long one is cut. */
const MAX_SUBJECT = 200;

/** What git in `cwd` says of `sha`, or null where it cannot say (unknown commit, no repository, no git). */
function gitCommit(sha: string, cwd: string): { date: string; subject: string } | null {
  try {
    // %x00 separates the two fields: a subject may hold any other character.
    const out = execFileSync('git', ['log', '-1', '--no-show-signature', '--format=%cI%x00%s', `${sha}^{commit}`, '--'], {
      cwd,
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [date, subject] = out.replace(/\n$/, '').split('\0');
    if (!date || !Number.isFinite(Date.parse(date))) return null;
    const s = subject ?? '';
    return { date: new Date(date).toISOString(), subject: s.length > MAX_SUBJECT ? `${s.slice(0, MAX_SUBJECT - 1)}…` : s };
  } catch {
    return null;
  }
}

export function commitInfo(sha: string, dirty: boolean | null, runStartedAt: string, cwd: string): FiledCommit {
  const git = gitCommit(sha, cwd);
  if (git) return { sha, dirty, date: git.date, dateFrom: 'git', subject: git.subject };
  return { sha, dirty, date: new Date(runStartedAt).toISOString(), dateFrom: 'run-start', subject: null };
}

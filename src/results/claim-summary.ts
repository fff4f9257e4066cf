// A claim check in words, one wording for `run`'s lines, summary.md and
// report.html: each group's verdict, the group that decides the claim, and
// the claim in one line (verdict, how many groups, that group).
import type { ClaimCheck, ComparableCell } from './analysis.ts';
import type { Claim } from '../suite/schema.ts';

/** Why a group over the time limit is not a failure. */
export const INCONCLUSIVE_REASON = '95 % interval straddles the limit';

export type GroupCheck = ClaimCheck['comparisons'][number];

/** A group's own verdict, by the rule checkClaims applies to the claim. */
export function groupVerdict(g: GroupCheck): 'pass' | 'fail' | 'inconclusive' {
  if (g.memoryOk === false || (g.timeOk === false && !g.timeInconclusive)) return 'fail';
  return g.timeInconclusive ? 'inconclusive' : 'pass';
}

/**
 * ratio / limit (over 1: over the limit) of the metrics that give the group
 * its verdict: a failed group's failing ones (not an inconclusive time), an
 * inconclusive group's time, a passed group's every limited one.
 */
function severity(g: GroupCheck, claim: Claim): number {
  const verdict = groupVerdict(g);
  const memoryCounts = verdict === 'pass' || (verdict === 'fail' && g.memoryOk === false);
  const timeCounts = verdict === 'pass' || (g.timeOk === false && (verdict === 'inconclusive' || !g.timeInconclusive));
  const parts = [
    ...(claim.memory && memoryCounts ? [g.memoryRatio / claim.memory.atMost] : []),
    ...(claim.time && timeCounts ? [g.timeRatio / claim.time.atMost] : []),
  ];
  return parts.length ? Math.max(...parts) : -Infinity;
}

/**
 * The group that decides the claim: among the groups whose own verdict is the
 * claim's, the one with the highest ratio / limit — for a failed claim the
 * group furthest over its limit, for an inconclusive one the inconclusive
 * group furthest over, for a passed one the group closest to its limit (the
 * first to fail if the figures moved). null where no group was evaluated.
 */
export function decisiveGroup<C extends ComparableCell>(check: ClaimCheck<C>): ClaimCheck<C>['comparisons'][number] | null {
  let best: ClaimCheck<C>['comparisons'][number] | null = null;
  let bestSeverity = -Infinity;
  for (const g of check.comparisons) {
    if (groupVerdict(g) !== check.status) continue;
    const s = severity(g, check.claim);
    if (best == null || s > bestSeverity) {
      best = g;
      bestSeverity = s;
    }
  }
  return best;
}

function ratioText(ratio: number, limit: { atMost: number } | undefined, ok: boolean | null): string {
  const r = `×${ratio.toFixed(3)}`;
  if (!limit || ok == null) return r;
  return `${r} ${ok ? '≤' : '>'} ${limit.atMost}`;
}

/** `×0.600 ≤ 0.7`, or `×0.600` where the claim sets no memory limit. */
export function memoryFigure(g: GroupCheck, claim: Claim): string {
  return ratioText(g.memoryRatio, claim.memory, g.memoryOk);
}

/** `×0.930 > 0.88 (95 % interval straddles the limit)` for an inconclusive group. */
export function timeFigure(g: GroupCheck, claim: Claim): string {
  return `${ratioText(g.timeRatio, claim.time, g.timeOk)}${g.timeInconclusive ? ` (${INCONCLUSIVE_REASON})` : ''}`;
}

/** `tiny b1 a1 2f 32px: memory ×0.600 ≤ 0.7, time ×0.930 > 0.88 (95 % interval straddles the limit)` */
export function groupFigures(g: GroupCheck, claim: Claim): string {
  return `${g.group.label}: memory ${memoryFigure(g, claim)}, time ${timeFigure(g, claim)}`;
}

/** Each group in a line of its own: its verdict and figures; the groups not evaluated after them. */
export function groupLines(check: ClaimCheck): string[] {
  return [
    ...check.comparisons.map((g) => `${groupVerdict(g)}: ${groupFigures(g, check.claim)}`),
    ...check.skippedGroups.map((label) => `not evaluated: ${label} (a cell is missing or failed)`),
  ];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The claim in one line: `fail in 3 of 8 groups; worst: <group figures>`, or
 * with one group just its figures. Without the label (callers say it their way).
 */
export function claimVerdict(check: ClaimCheck): string {
  const n = check.comparisons.length;
  const skipped = check.skippedGroups.length ? ` (${plural(check.skippedGroups.length, 'group')} not evaluated)` : '';
  if (check.status === 'not-evaluated') {
    const [candidate, baseline] = check.claim.compare;
    return `not evaluated — no group has both ${candidate} and ${baseline} measured${skipped}`;
  }
  const decisive = decisiveGroup(check)!;
  if (n === 1) return `${check.status} — ${groupFigures(decisive, check.claim)}${skipped}`;
  const count = check.comparisons.filter((g) => groupVerdict(g) === check.status).length;
  const which = check.status === 'pass' ? 'closest to its limit' : 'worst';
  return `${check.status} in ${count} of ${plural(n, 'group')}${skipped}; ${which}: ${groupFigures(decisive, check.claim)}`;
}

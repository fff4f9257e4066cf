// Analysis of a run's results, shared by reports and gates: matched groups
// (the same configuration in several modes) and the suite's claims checked
// on them. It reads cells through the narrow ComparableCell, which a run's
// CellResult and a baseline's cell both satisfy; measurement stays raw.
import type { CellConfig } from '../protocol/cell-config.ts';
import type { Claim } from '../suite/schema.ts';
import type { Mode } from '../train/modes.ts';
import { canonicalJson } from '../protocol/canonical-json.ts';
import { groupLabel } from '../protocol/labels.ts';
import { trackedMemory, type CellMemory } from '../protocol/worker-outcome.ts';
import { bootstrapMedianRatio } from './stats.ts';

/** What groups and claims read of a cell: its configuration and, when it ran, its median step and memory peaks. */
export type ComparableCell =
  | {
    status: 'ok';
    id: string;
    label: string;
    config: CellConfig;
    stats: { medianMs: number };
    /** The measured steps, for the time ratio's interval. */
    stepMs: readonly number[];
    memory: CellMemory;
    gpu: { processPeakMiB: number | null } | null;
  }
  | { status: 'failed'; id: string; label: string; config: CellConfig };

export interface MatchedGroup<C extends ComparableCell = ComparableCell> {
  /** A stable key: the cell configuration without its mode. */
  key: string;
  /** `small b2 a1 8f 96px` */
  label: string;
  cells: Partial<Record<Mode, C>>;
}

export function matchedGroups<C extends ComparableCell>(cells: readonly C[]): MatchedGroup<C>[] {
  const groups = new Map<string, MatchedGroup<C>>();
  for (const r of cells) {
    const { mode: _m, warmup: _w, steps: _s, ...rest } = r.config;
    const key = canonicalJson(rest);
    let g = groups.get(key);
    if (!g) {
      const c = r.config;
      g = { key, label: groupLabel(c), cells: {} };
      groups.set(key, g);
    }
    g.cells[r.config.mode] = r;
  }
  return [...groups.values()];
}

/** Which memory figure a comparison uses: the GPU process peak where both cells have one, else the allocator's (tensor) peak. */
export type MemoryMetric = 'gpuProcessPeakMiB' | 'tensorPeakBytes';

type OkCell<C extends ComparableCell> = Extract<C, { status: 'ok' }>;

function memoryOf(r: OkCell<ComparableCell>, metric: MemoryMetric): number | null {
  if (metric === 'gpuProcessPeakMiB') return r.gpu?.processPeakMiB ?? null;
  return trackedMemory(r.memory)?.peakBytes ?? null;
}

function memoryMetricFor(a: OkCell<ComparableCell>, b: OkCell<ComparableCell>): MemoryMetric {
  return a.gpu?.processPeakMiB != null && b.gpu?.processPeakMiB != null ? 'gpuProcessPeakMiB' : 'tensorPeakBytes';
}

export interface GroupComparison<C extends ComparableCell = ComparableCell> {
  group: MatchedGroup<C>;
  candidate: OkCell<C>;
  baseline: OkCell<C>;
  memoryMetric: MemoryMetric;
  /** candidate / baseline. */
  memoryRatio: number;
  /** Of the median step times. */
  timeRatio: number;
}

/** candidate / baseline in one group, or null when either cell is missing, failed, or has no memory figure. */
export function compareInGroup<C extends ComparableCell>(group: MatchedGroup<C>, candidate: Mode, baseline: Mode): GroupComparison<C> | null {
  const a = group.cells[candidate];
  const b = group.cells[baseline];
  if (!a || !b || a.status !== 'ok' || b.status !== 'ok') return null;
  const okA = a as OkCell<C>;
  const okB = b as OkCell<C>;
  const metric = memoryMetricFor(okA, okB);
  const ma = memoryOf(okA, metric);
  const mb = memoryOf(okB, metric);
  if (ma == null || mb == null) return null;
  return { group, candidate: okA, baseline: okB, memoryMetric: metric, memoryRatio: ma / mb, timeRatio: okA.stats.medianMs / okB.stats.medianMs };
}

/** inconclusive: the time ratio is beyond the limit, but its 95 % interval reaches below it (too few steps to tell). */
export type ClaimStatus = 'pass' | 'fail' | 'inconclusive' | 'not-evaluated';

export interface ClaimCheck<C extends ComparableCell = ComparableCell> {
  claim: Claim;
  label: string;
  status: ClaimStatus;
  /** One row per matched group that has both modes measured. */
  comparisons: Array<GroupComparison<C> & { memoryOk: boolean | null; timeOk: boolean | null; timeInconclusive: boolean }>;
  /** Groups where one of the two cells is missing or failed: not evaluated, never passed. */
  skippedGroups: string[];
}

function claimLabel(claim: Claim): string {
  return claim.label ?? `${claim.compare[0]} vs ${claim.compare[1]}`;
}

export function checkClaims<C extends ComparableCell>(claims: readonly Claim[], cells: readonly C[]): ClaimCheck<C>[] {
  const groups = matchedGroups(cells);
  return claims.map((claim) => {
    const [candidate, baseline] = claim.compare;
    const comparisons: ClaimCheck<C>['comparisons'] = [];
    const skippedGroups: string[] = [];
    for (const g of groups) {
      if (!g.cells[candidate] && !g.cells[baseline]) continue;
      const c = compareInGroup(g, candidate, baseline);
      if (!c) {
        skippedGroups.push(g.label);
        continue;
      }
      const timeOk = claim.time ? c.timeRatio <= claim.time.atMost : null;
      // Over the limit, but the interval straddles it: the steps cannot tell, so it is no failure.
      const interval = timeOk === false ? bootstrapMedianRatio(c.candidate.stepMs, c.baseline.stepMs) : null;
      const timeInconclusive = interval != null && claim.time != null && interval.low <= claim.time.atMost;
      comparisons.push({
        ...c,
        memoryOk: claim.memory ? c.memoryRatio <= claim.memory.atMost : null,
        timeOk,
        timeInconclusive,
      });
    }
    const failed = comparisons.some((c) => c.memoryOk === false || (c.timeOk === false && !c.timeInconclusive));
    const inconclusive = comparisons.some((c) => c.timeInconclusive);
    const status: ClaimStatus = comparisons.length === 0 ? 'not-evaluated' : failed ? 'fail' : inconclusive ? 'inconclusive' : 'pass';
    return { claim, label: claimLabel(claim), status, comparisons, skippedGroups };
  });
}

// Analysis of a run's results, shared by reports and gates: matched groups
// (the same configuration in several modes) and the suite's claims checked
// on them. Measurement stays raw in results.jsonl; this only reads it.
import { canonicalJson } from '../suite/expand.ts';
import type { Claim } from '../suite/schema.ts';
import type { Mode } from '../train/modes.ts';
import type { CellResult } from './schema.ts';

export interface MatchedGroup {
  /** A stable key: the cell configuration without its mode. */
  key: string;
  /** `small b2 a1 8f 96px` */
  label: string;
  cells: Partial<Record<Mode, CellResult>>;
}

export function matchedGroups(results: CellResult[]): MatchedGroup[] {
  const groups = new Map<string, MatchedGroup>();
  for (const r of results) {
    const { mode: _m, warmup: _w, steps: _s, ...rest } = r.config;
    const key = canonicalJson(rest);
    let g = groups.get(key);
    if (!g) {
      const c = r.config;
      g = { key, label: `${c.preset} b${c.batch} a${c.accum} ${c.frames}f ${c.size}px`, cells: {} };
      groups.set(key, g);
    }
    g.cells[r.config.mode] = r;
  }
  return [...groups.values()];
}

/** Which memory figure a comparison uses: the GPU process peak where both cells have one, else tensor bytes. */
export type MemoryMetric = 'gpuProcessPeakMiB' | 'tensorPeakBytes';

export function memoryOf(r: CellResult, metric: MemoryMetric): number | null {
  if (r.status !== 'ok') return null;
  if (metric === 'gpuProcessPeakMiB') return r.gpu?.processPeakMiB ?? null;
  return r.memory?.peakBytes ?? null;
}

export function memoryMetricFor(a: CellResult, b: CellResult): MemoryMetric {
  return a.gpu?.processPeakMiB != null && b.gpu?.processPeakMiB != null ? 'gpuProcessPeakMiB' : 'tensorPeakBytes';
}

export interface GroupComparison {
  group: MatchedGroup;
  candidate: CellResult;
  baseline: CellResult;
  memoryMetric: MemoryMetric;
  /** candidate / baseline. */
  memoryRatio: number;
  timeRatio: number;
}

/** candidate / baseline in one group, or null when either cell is missing or failed. */
export function compareInGroup(group: MatchedGroup, candidate: Mode, baseline: Mode): GroupComparison | null {
  const a = group.cells[candidate];
  const b = group.cells[baseline];
  if (!a || !b || a.status !== 'ok' || b.status !== 'ok' || !a.stats || !b.stats) return null;
  const metric = memoryMetricFor(a, b);
  const ma = memoryOf(a, metric);
  const mb = memoryOf(b, metric);
  if (ma == null || mb == null) return null;
  return { group, candidate: a, baseline: b, memoryMetric: metric, memoryRatio: ma / mb, timeRatio: a.stats.medianMs / b.stats.medianMs };
}

export type ClaimStatus = 'pass' | 'fail' | 'not-evaluated';

export interface ClaimCheck {
  claim: Claim;
  label: string;
  status: ClaimStatus;
  /** One row per matched group that has both modes measured. */
  comparisons: Array<GroupComparison & { memoryOk: boolean | null; timeOk: boolean | null }>;
  /** Groups where one of the two cells is missing or failed: not evaluated, never passed. */
  skippedGroups: string[];
}

export function claimLabel(claim: Claim): string {
  return claim.label ?? `${claim.compare[0]} vs ${claim.compare[1]}`;
}

export function checkClaims(claims: Claim[], results: CellResult[]): ClaimCheck[] {
  const groups = matchedGroups(results);
  return claims.map((claim) => {
    const [candidate, baseline] = claim.compare;
    const comparisons: ClaimCheck['comparisons'] = [];
    const skippedGroups: string[] = [];
    for (const g of groups) {
      if (!g.cells[candidate] && !g.cells[baseline]) continue;
      const c = compareInGroup(g, candidate, baseline);
      if (!c) {
        skippedGroups.push(g.label);
        continue;
      }
      comparisons.push({
        ...c,
        memoryOk: claim.memory ? c.memoryRatio <= claim.memory.atMost : null,
        timeOk: claim.time ? c.timeRatio <= claim.time.atMost : null,
      });
    }
    const failed = comparisons.some((c) => c.memoryOk === false || c.timeOk === false);
    const status: ClaimStatus = comparisons.length === 0 ? 'not-evaluated' : failed ? 'fail' : 'pass';
    return { claim, label: claimLabel(claim), status, comparisons, skippedGroups };
  });
}

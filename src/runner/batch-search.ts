// The largest batch that trains without running out of memory, measured:
// double the batch until a probe does not fit (or the bound is reached), then
// bisect between the last that fit and the first that did not — what
// accelerate's find_executable_batch_size does inside one script, here with
// every probe a process of its own. Pure: the probe is the caller's.

export type ProbeOutcome = { fits: true } | { fits: false } | { error: string };

export interface BatchSearch {
  /** Largest batch that fit; 0 when batch 1 does not. */
  largestFit: number;
  /** Smallest batch that did not fit; null when every probe up to the bound fit. */
  firstUnfit: number | null;
  /** The probes in the order they ran. */
  probes: Array<{ batch: number; outcome: ProbeOutcome }>;
  /** A probe failed for another reason than memory: the search stopped there. */
  error: string | null;
}

/** `maxBatch`: the bound (a probe above it is never run). The peak grows with the batch, so one bisection suffices. */
export async function searchLargestBatch(probe: (batch: number) => Promise<ProbeOutcome>, maxBatch: number): Promise<BatchSearch> {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`the batch bound must be a positive integer, got ${maxBatch}`);
  const probes: BatchSearch['probes'] = [];
  let lo = 0;
  let hi: number | null = null;
  const tryBatch = async (batch: number): Promise<boolean | string> => {
    const outcome = await probe(batch);
    probes.push({ batch, outcome });
    return 'error' in outcome ? outcome.error : outcome.fits;
  };
  for (let batch = 1; ; batch = Math.min(batch * 2, maxBatch)) {
    const r = await tryBatch(batch);
    if (typeof r === 'string') return { largestFit: lo, firstUnfit: hi, probes, error: r };
    if (!r) {
      hi = batch;
      break;
    }
    lo = batch;
    if (batch === maxBatch) return { largestFit: lo, firstUnfit: null, probes, error: null };
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const r = await tryBatch(mid);
    if (typeof r === 'string') return { largestFit: lo, firstUnfit: hi, probes, error: r };
    if (r) lo = mid;
    else hi = mid;
  }
  return { largestFit: lo, firstUnfit: hi, probes, error: null };
}

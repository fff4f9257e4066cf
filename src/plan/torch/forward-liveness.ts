// Live activation bytes during a micro-batch's forward, from the tape's
// births and last reads: a storage lives from the op that makes it to the
// last op that reads it — or to the end of the forward when it is kept (saved
// for backward, a checkpoint segment's input, autocast's weight-cast cache,
// or still held by the training loop). Parameters are not counted here.
import { allocatedBytes } from './allocator.ts';
import type { RecordedMicroBatch } from './record.ts';
import type { Storage } from './tape.ts';

export interface ForwardLiveness {
  /** Highest live activation bytes (allocator-rounded) during the forward. */
  peakBytes: number;
  /** Storages alive when the forward ends (what the backward starts with, before the cache is dropped). */
  keptAtEnd: Set<Storage>;
}

export function forwardLiveness(record: RecordedMicroBatch): ForwardLiveness {
  const { tape } = record;
  const runtime = tape.runtime.name;
  const kept = tape.keptAtForwardEnd(record.held);
  for (const cast of tape.castCache.values()) kept.add(cast.storage);
  const steps = tape.steps + 2;
  const delta = new Float64Array(steps + 1);
  for (const [storage, born] of tape.born) {
    if (storage.role === 'parameter') continue;
    const bytes = allocatedBytes(runtime, storage.bytes);
    if (bytes === 0) continue;
    delta[born] += bytes;
    if (!kept.has(storage)) delta[tape.lastUse.get(storage)! + 1] -= bytes;
  }
  let live = 0;
  let peakBytes = 0;
  for (let i = 0; i <= steps; i++) {
    live += delta[i]!;
    peakBytes = Math.max(peakBytes, live);
  }
  return { peakBytes, keptAtEnd: kept };
}

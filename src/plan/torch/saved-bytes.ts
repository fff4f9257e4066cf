// What autograd keeps for the backward pass when a micro-batch's forward
// (loss included) ends: the unique storages its nodes saved, plus each
// checkpoint segment's inputs (kept by the recompute closure). Parameters
// are weights, not saved activations, and are left out — as
// python/mobius_bench_checks/saved_bytes.py counts on the real net.
import type { RecordedMicroBatch } from './record.ts';
import type { Storage } from './tape.ts';

export function savedStorages(record: RecordedMicroBatch): Set<Storage> {
  const kept = new Set(record.tape.saved);
  for (const segment of record.tape.segments) for (const s of segment.inputs) kept.add(s);
  for (const s of kept) if (s.role === 'parameter') kept.delete(s);
  return kept;
}

export function savedBytes(record: RecordedMicroBatch): number {
  let total = 0;
  for (const s of savedStorages(record)) total += s.bytes;
  return total;
}

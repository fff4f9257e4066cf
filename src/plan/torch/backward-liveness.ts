// Live bytes during a micro-batch's backward pass, node by node in the
// engine's order (the reverse of creation: with one device queue the ready
// node of highest sequence number always runs next). Alive at each node:
// what unexecuted nodes still keep, the gradients waiting for their
// producer, this node's new gradients and scratch. A node's saved storages
// are released once it has run (and no other node or the loop holds them);
// a checkpoint segment's saved storages come back (recompute) when the
// backward reaches its last node and its inputs are released after its first.
//
// Gradients: one buffer per storage (a view's gradient flows to its base);
// add, cat, clone and the in-place bias add hand the output's gradient on as
// an alias (no allocation; the memory stays until the input consumed last
// takes it); a broadcast operand's gradient is a new reduced tensor. Weight
// gradients: with every .grad already allocated (micro-batches after the
// first) each new one is added in place and freed; otherwise it becomes .grad.
import { allocatedBytes } from './allocator.ts';
import type { RecordedMicroBatch } from './record.ts';
import type { CheckpointSegment, Storage } from './tape.ts';

export interface BackwardLiveness {
  /** Highest live bytes during the backward: activations, gradients in flight, scratch, and weight gradients it created. */
  peakBytes: number;
}

export function backwardLiveness(record: RecordedMicroBatch, opts: { gradientsExist: boolean }): BackwardLiveness {
  const { tape } = record;
  const size = (s: Storage) => allocatedBytes(tape.runtime.name, s.bytes);
  const nodes = tape.nodes;

  // Who holds each storage through the backward.
  const holders = new Map<Storage, number>();
  const hold = (s: Storage, n = 1) => holders.set(s, (holders.get(s) ?? 0) + n);
  for (const node of nodes) for (const s of node.saved) hold(s);
  for (const seg of tape.segments) for (const s of seg.inputs) hold(s);
  for (const t of record.held) hold(t.storage, Number.POSITIVE_INFINITY);
  const producer = new Map<Storage, number>();
  for (const node of nodes) for (const s of node.outputs) if (!producer.has(s)) producer.set(s, node.seq);
  const firstNodeOf = new Map<CheckpointSegment, number>();
  for (const seg of tape.segments) if (seg.nodes.length > 0) firstNodeOf.set(seg, seg.nodes[0]!.seq);

  const live = new Set<Storage>();
  let current = 0;
  const bring = (s: Storage) => {
    if (s.role === 'parameter' || live.has(s)) return;
    live.add(s);
    current += size(s);
  };
  const release = (s: Storage) => {
    const left = (holders.get(s) ?? 0) - 1;
    holders.set(s, left);
    if (left <= 0 && live.delete(s)) current -= size(s);
  };
  for (const s of tape.keptAtForwardEnd(record.held)) bring(s);

  const pending = new Map<Storage, number>();
  const setPending = (s: Storage, bytes: number) => {
    current += bytes - (pending.get(s) ?? 0);
    pending.set(s, bytes);
  };
  const takePending = (s: Storage): number => {
    const bytes = pending.get(s) ?? 0;
    pending.delete(s);
    current -= bytes;
    return bytes;
  };
  const weightGradMade = new Set<Storage>();
  const materialized = new Set<CheckpointSegment>();
  let peakBytes = current;

  setPending(record.loss.storage, size(record.loss.storage)); // d(loss), where the backward starts
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (node.segment && !materialized.has(node.segment)) {
      materialized.add(node.segment);
      for (const s of node.segment.saved) bring(s);
    }
    let transient = node.scratchBytes;
    // A weight's gradient: added into .grad (freed after) or kept as .grad.
    const weightGradient = (s: Storage, bytes: number) => {
      if (opts.gradientsExist || weightGradMade.has(s)) {
        transient += bytes;
      } else {
        weightGradMade.add(s);
        current += bytes;
      }
    };
    if (node.passesGradThrough) {
      const outBytes = node.outputs.reduce((sum, o) => sum + size(o), 0);
      const alive = node.outputs.map((o) => takePending(o)).reduce((a, b) => a + b, 0);
      // An input far smaller than the output was broadcast: its gradient is a new, reduced tensor.
      const aliases = node.gradInputs.filter((s) => s.role !== 'parameter' && size(s) * 2 * node.gradInputs.length >= outBytes);
      // The alias memory stays with the input whose producer the backward reaches last.
      const keeper = aliases.slice().sort((a, b) => (producer.get(a) ?? -1) - (producer.get(b) ?? -1))[0];
      if (!keeper) transient += alive; // nobody takes it over: freed once the node has run
      for (const s of node.gradInputs) {
        if (s.role === 'parameter') {
          weightGradient(s, size(s));
        } else if (aliases.includes(s)) {
          if (pending.has(s)) transient += s === keeper ? alive : 0;
          else setPending(s, s === keeper ? alive : 0);
        } else if (pending.has(s)) {
          transient += size(s);
        } else {
          setPending(s, size(s));
        }
      }
    } else {
      for (const s of node.gradInputs) {
        if (s.role === 'parameter') weightGradient(s, size(s));
        else if (pending.has(s)) transient += size(s);
        else setPending(s, size(s));
      }
    }
    peakBytes = Math.max(peakBytes, current + transient);
    if (!node.passesGradThrough) for (const o of node.outputs) takePending(o);
    for (const s of node.saved) release(s);
    if (node.segment && firstNodeOf.get(node.segment) === node.seq) for (const s of node.segment.inputs) release(s);
  }
  return { peakBytes };
}

// How a forward pass is cut into segments for activation checkpointing. A
// network runs each piece of its live pass through a `SegmentRunner`: the
// plain one just calls it; the checkpointing one (train/segment-recompute.ts)
// keeps only the segment's inputs and recomputes the piece in the backward
// pass. One code path for both, so the checkpointed net is the same net.
import type { Tensor } from '../backend/tfjs/tf.ts';

export type SegmentRunner = <T extends Tensor>(inputs: Tensor[], piece: (...inputs: Tensor[]) => T) => T;

/** Runs each piece directly: no checkpointing. */
export const DIRECT: SegmentRunner = (inputs, piece) => piece(...inputs);

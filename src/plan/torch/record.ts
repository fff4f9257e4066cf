// Records one micro-batch of a cell's training step on a tape: the worker's
// net for the cell's mode (trained groups float32, frozen ones in
// --frozen-weights), autocast in --precision, and the loss. What the plan
// reports is read off this record (saved-bytes.ts, forward-liveness.ts,
// backward-liveness.ts, static-memory.ts).
import type { CellConfig } from '../../protocol/cell-config.ts';
import { latentSize } from '../../model/config.ts';
import { MODE_SPECS } from '../../train/modes.ts';
import { frozenWeightsProblem, resolveTorchSettings } from '../../protocol/torch-settings.ts';
import { UserError } from '../../user-error.ts';
import { PRECISION_DTYPE } from './dtype.ts';
import type { ForwardContext } from './modules/layers.ts';
import { trainGroups } from './modules/parameters.ts';
import { microBatchInputs, microBatchLoss, VideoUNet } from './networks.ts';
import type { AttentionImpl } from './ops/attention.ts';
import { RUNTIMES, type RuntimeName } from './runtime.ts';
import { Tape, type Tensor } from './tape.ts';

export interface RecordOptions {
  attention: AttentionImpl;
  /** Whose autograd: torch 2.x on CUDA (the default), or torch 1.13 on the CPU (the tests). */
  runtime?: RuntimeName;
}

export interface RecordedMicroBatch {
  tape: Tape;
  net: VideoUNet;
  /** What the training loop still holds when backward starts: the batch, the prediction, the loss. */
  held: Tensor[];
  /** The micro-batch's loss / accum, where the backward starts. */
  loss: Tensor;
}

export function recordMicroBatch(config: CellConfig, opts: RecordOptions): RecordedMicroBatch {
  const { precision, frozenWeights } = resolveTorchSettings(config);
  const problem = frozenWeightsProblem(precision, frozenWeights);
  if (problem) throw new UserError(problem);
  const runtime = RUNTIMES[opts.runtime ?? 'cuda'];
  if (opts.attention === 'sdpa' && runtime.name === 'cpu') {
    throw new UserError("attention 'sdpa' is modelled as torch 2.x runs it on CUDA; the CPU runtime (torch 1.13) has only 'explicit'");
  }
  const tape = new Tape(runtime, precision === 'fp32' ? null : PRECISION_DTYPE[precision]);
  const spec = MODE_SPECS[config.mode];
  const net = new VideoUNet(tape, config.unet, spec.network, trainGroups(spec.trainable), PRECISION_DTYPE[frozenWeights], spec.checkpointed);
  const ctx: ForwardContext = { tape, attention: opts.attention };
  const inputs = microBatchInputs(tape, config.unet, {
    batch: config.batch, frames: config.frames, latent: latentSize(config.unet, config.size), textLength: config.textLength,
  });
  const pred = net.forward(ctx, inputs.noisy, inputs.text);
  const loss = microBatchLoss(tape, pred, inputs.noise);
  return { tape, net, held: [inputs.noisy, inputs.text, inputs.noise, pred, loss], loss };
}

// The PyTorch planner's entry point: what torch.cuda.max_memory_allocated
// reports for one optimizer step of the torch worker (after warm-up), from
// the UNet layout alone — no torch, no GPU. One micro-batch is recorded op by
// op (record.ts); the step's peak is the largest of
//   forward:   weights + moments (+ gradients from the earlier micro-batches) + live activations,
//   backward:  the same + what unexecuted nodes keep + gradients in flight + scratch,
//   update:    weights + gradients + moments + AdamW's foreach temporaries,
// each plus cuBLAS's workspaces, every tensor rounded to the allocator's
// 512-byte blocks. The split (weights, gradients, optimizer state) is the
// worker's own, unrounded. A data-parallel cell (gpus > 1) adds, on every
// rank and for the whole run, DistributedDataParallel's gradient buckets: one
// fp32 copy of the trained parameters' gradients (gradient_as_bucket_view is
// off, as accelerate leaves it), which is also what a step all-reduces.
import { gpusOf, type CellConfig } from '../../protocol/cell-config.ts';
import { allocatedBytes, workspaceBytes } from './allocator.ts';
import { backwardLiveness } from './backward-liveness.ts';
import { forwardLiveness } from './forward-liveness.ts';
import type { AttentionImpl } from './ops/attention.ts';
import { optimizerStepScratch } from './optimizer-step.ts';
import { resolveTorchSettings } from '../../protocol/torch-settings.ts';
import { recordMicroBatch } from './record.ts';
import type { RuntimeName } from './runtime.ts';
import { savedBytes } from './saved-bytes.ts';
import { staticMemory } from './static-memory.ts';
import { numel } from './strided.ts';

export interface TorchPlanOptions {
  /** 'sdpa': F.scaled_dot_product_attention as torch 2.x runs it on CUDA; 'explicit': softmax(QKᵀ)V written out. */
  attention: AttentionImpl;
  /** Whose autograd to model: torch 2.x on CUDA (default), or torch 1.13 on the CPU (what the tests count against). */
  runtime?: RuntimeName;
}

export interface TorchPlannedMemory {
  /** Predicted torch.cuda.max_memory_allocated during one optimizer step. */
  peakBytes: number;
  weightsBytes: number;
  optimizerBytes: number;
  gradientBytes: number;
  /** peak − weights − optimizer − gradients. */
  activationBytes: number;
  /** Kept for backward when one micro-batch's forward (loss included) ends; parameters excluded. */
  savedBytes: number;
  /** DistributedDataParallel's gradient buckets on each rank (0 on one GPU): the bytes all-reduced per step. */
  ddpBucketBytes: number;
}

export interface TorchCellPlan {
  framework: 'pytorch';
  runtime: RuntimeName;
  attention: AttentionImpl;
  memory: TorchPlannedMemory;
  /** Where the peak falls and the candidates it was taken from. */
  phases: { peakIn: 'forward' | 'backward' | 'optimizer-step'; forwardBytes: number; backwardBytes: number; optimizerStepBytes: number; workspaceBytes: number };
  trainableParams: number;
  frozenParams: number;
  /**
   * Matrix FLOPs of one optimizer step (tape.ts MatrixFlops, × accum): `model` forward and
   * backward, what MFU counts; `hardware` also the checkpointed modes' recomputed forward (HFU).
   */
  flops: { model: number; hardware: number };
  notes: string[];
  planMs: number;
}

export function planTorchCell(config: CellConfig, opts: TorchPlanOptions): TorchCellPlan {
  const t0 = performance.now();
  const runtime = opts.runtime ?? 'cuda';
  const record = recordMicroBatch(config, { attention: opts.attention, runtime });
  const statics = staticMemory(record.net);
  const rounded = (bytes: number) => allocatedBytes(runtime, bytes);
  let weights = 0;
  let gradients = 0;
  for (const p of record.net.params.params) {
    weights += rounded(p.tensor.storage.bytes);
    if (p.trainable) gradients += rounded(4 * numel(p.shape));
  }
  const moments = 2 * gradients;
  const workspaces = workspaceBytes(runtime);
  // After the first micro-batch every trained weight has its .grad until the update.
  const gradientsExist = config.accum >= 2;
  // DDP's buckets hold Σ numel × 4 of the trained parameters (its logging data's bucket_sizes add up to it).
  const ddpBucketBytes = gpusOf(config) > 1 ? statics.trainableParams * 4 : 0;
  const base = weights + moments + (gradientsExist ? gradients : 0) + workspaces + ddpBucketBytes;
  const forwardBytes = base + forwardLiveness(record).peakBytes;
  const backwardBytes = base + backwardLiveness(record, { gradientsExist }).peakBytes;
  const optimizerStepBytes = weights + gradients + moments + workspaces + ddpBucketBytes + optimizerStepScratch(runtime, record.net);
  const peakBytes = Math.max(forwardBytes, backwardBytes, optimizerStepBytes);
  const peakIn = peakBytes === backwardBytes ? 'backward' : peakBytes === forwardBytes ? 'forward' : 'optimizer-step';
  const what = runtime === 'cuda' ? 'torch.cuda.max_memory_allocated of one optimizer step (PyTorch 2.x, CUDA)' : 'the bytes PyTorch 1.13 on the CPU would hold (tests only)';
  return {
    framework: 'pytorch',
    runtime,
    attention: opts.attention,
    memory: {
      peakBytes,
      weightsBytes: statics.weightsBytes,
      optimizerBytes: statics.optimizerBytes,
      gradientBytes: statics.gradientBytes,
      activationBytes: peakBytes - statics.weightsBytes - statics.optimizerBytes - statics.gradientBytes - ddpBucketBytes,
      savedBytes: savedBytes(record),
      ddpBucketBytes,
    },
    phases: { peakIn, forwardBytes, backwardBytes, optimizerStepBytes, workspaceBytes: workspaces },
    trainableParams: statics.trainableParams,
    frozenParams: statics.frozenParams,
    flops: {
      model: config.accum * (record.tape.flops.forward + record.tape.flops.backward),
      hardware: config.accum * (record.tape.flops.forward + record.tape.flops.backward + record.tape.flops.recompute),
    },
    notes: [
      `PyTorch plan: predicts ${what} for the torch worker's net, not a TensorFlow.js run.`,
      `attention '${opts.attention}'${opts.attention === 'sdpa' ? ' (flash / memory-efficient kernels: q, k, v, output and log-sum-exp kept, no score matrix)' : ' (softmax(QKᵀ)V written out: the score matrix is kept)'}; precision ${resolveTorchSettings(config).precision}, frozen weights ${resolveTorchSettings(config).frozenWeights}.`,
      'Not modelled: cuDNN convolution workspaces and other library scratch, allocator fragmentation (reserved, not allocated, memory).',
    ],
    planMs: performance.now() - t0,
  };
}

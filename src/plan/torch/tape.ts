// The record of one micro-batch's forward pass as PyTorch's autograd sees it:
// tensors as views of storages, the autograd nodes with what each saves for
// its backward, checkpoint segments, autocast's weight-cast cache, and when
// each storage is born and last read (for the forward's live bytes). The ops
// (ops/*.ts) write it; saved-bytes.ts and the peak model read it.
import type { DType } from './dtype.ts';
import { DTYPE_BYTES } from './dtype.ts';
import type { TorchRuntime } from './runtime.ts';
import { contiguousStrides, numel, type Shape } from './strided.ts';

/** What a storage holds: an activation (or a copy, a mask…), a weight, a batch input, or a wrapped Python scalar. */
export type StorageRole = 'activation' | 'parameter' | 'input' | 'scalar';

export class Storage {
  constructor(readonly id: number, readonly bytes: number, readonly role: StorageRole, readonly label: string) {}
}

export interface Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly dtype: DType;
  readonly storage: Storage;
  readonly requiresGrad: boolean;
  /** Set on a parameter's own (leaf) tensor. */
  readonly param?: { name: string; trainable: boolean };
}

export interface AutogradNode {
  readonly seq: number;
  readonly op: string;
  /** What its backward reads; parameters included (they are counted as weights). */
  readonly saved: Storage[];
  /** Storages of the inputs that require grad: its backward makes their gradients. */
  readonly gradInputs: Storage[];
  readonly outputs: Storage[];
  /** Its backward hands the output's gradient on as an alias (add, cat, clone, in-place add): no new buffer. */
  readonly passesGradThrough: boolean;
  /** Memory its backward allocates and frees besides the input gradients (fp32 accumulators). */
  readonly scratchBytes: number;
  readonly segment: CheckpointSegment | null;
}

/** One non-reentrant checkpoint segment: its inputs stay alive; what it saves is recomputed in backward. */
export class CheckpointSegment {
  readonly saved = new Set<Storage>();
  readonly nodes: AutogradNode[] = [];
  constructor(readonly inputs: Storage[]) {}
}

/**
 * Matrix FLOPs of the micro-batch (2 per multiply-add of a linear, a convolution or an
 * attention product; elementwise work is not counted, as MFU conventionally does not):
 * `forward` every op run, `backward` the gradients autograd computes (one product of the
 * forward's size per operand that needs its gradient), `recompute` the forward ops of
 * checkpoint segments, run again in backward.
 */
export interface MatrixFlops {
  forward: number;
  backward: number;
  recompute: number;
}

export class Tape {
  gradEnabled = true;
  readonly flops: MatrixFlops = { forward: 0, backward: 0, recompute: 0 };
  private nextStorage = 0;
  private step = 0;
  readonly nodes: AutogradNode[] = [];
  /** Saved for backward outside checkpoint segments (what is kept when the forward ends). */
  readonly saved = new Set<Storage>();
  readonly segments: CheckpointSegment[] = [];
  /** Autocast's cache of trained weights cast to the low precision, alive until the autocast region ends. */
  readonly castCache = new Map<Storage, Tensor>();
  /** Forward step each storage was created at and last read at. */
  readonly born = new Map<Storage, number>();
  readonly lastUse = new Map<Storage, number>();
  private segment: CheckpointSegment | null = null;

  constructor(readonly runtime: TorchRuntime, readonly autocast: DType | null) {}

  newStorage(bytes: number, role: StorageRole, label: string): Storage {
    const s = new Storage(this.nextStorage++, bytes, role, label);
    this.born.set(s, this.step);
    this.lastUse.set(s, this.step);
    return s;
  }

  /** A fresh tensor with its own storage (dense, in the order `strides` gives, contiguous by default). */
  alloc(shape: Shape, dtype: DType, requiresGrad: boolean, label: string, strides?: readonly number[], role: StorageRole = 'activation'): Tensor {
    const storage = this.newStorage(numel(shape) * DTYPE_BYTES[dtype], role, label);
    return { shape: [...shape], strides: strides ? [...strides] : contiguousStrides(shape), dtype, storage, requiresGrad };
  }

  /** A view: same storage, other shape and strides. */
  view(t: Tensor, shape: Shape, strides: readonly number[]): Tensor {
    this.use(t);
    return { shape: [...shape], strides: [...strides], dtype: t.dtype, storage: t.storage, requiresGrad: t.requiresGrad };
  }

  /** Whether an op on these inputs records a node (grad mode on and an input requires grad). */
  needsGrad(...inputs: ReadonlyArray<Tensor | null | undefined>): boolean {
    return this.gradEnabled && inputs.some((t) => t?.requiresGrad);
  }

  /** A read of these tensors now (keeps their storages alive in the forward until here). */
  use(...tensors: ReadonlyArray<Tensor | null | undefined>): void {
    for (const t of tensors) if (t) this.lastUse.set(t.storage, this.step);
  }

  /**
   * One op: reads `inputs`, makes `outputs`, and where it needs grad, a node
   * that saves `saved` (already filtered by the op's own rules).
   */
  record(op: string, inputs: ReadonlyArray<Tensor | null | undefined>, outputs: readonly Tensor[], saved: ReadonlyArray<Tensor | Storage>, opts: { scratchBytes?: number; passesGradThrough?: boolean; flops?: { forward: number; backward: number } } = {}): void {
    this.step++;
    this.use(...inputs);
    for (const o of outputs) this.lastUse.set(o.storage, this.step);
    if (opts.flops) {
      this.flops.forward += opts.flops.forward;
      if (this.segment) this.flops.recompute += opts.flops.forward;
    }
    if (!this.needsGrad(...inputs)) return;
    if (opts.flops) this.flops.backward += opts.flops.backward;
    const savedStorages = [...new Set(saved.map((s) => (s instanceof Storage ? s : s.storage)))];
    const node: AutogradNode = {
      seq: this.nodes.length,
      op,
      saved: savedStorages,
      gradInputs: [...new Set(inputs.filter((t): t is Tensor => t != null && t.requiresGrad).map((t) => t.storage))],
      outputs: outputs.map((o) => o.storage),
      passesGradThrough: opts.passesGradThrough ?? false,
      scratchBytes: opts.scratchBytes ?? 0,
      segment: this.segment,
    };
    this.nodes.push(node);
    for (const s of savedStorages) {
      if (this.segment) this.segment.saved.add(s);
      else this.saved.add(s);
    }
    this.segment?.nodes.push(node);
  }

  /** Runs `body` as one checkpoint segment (torch.utils.checkpoint, use_reentrant=False). */
  checkpoint<T>(inputs: ReadonlyArray<Tensor | null>, body: () => T): T {
    const present = inputs.filter((t): t is Tensor => t != null);
    const segment = new CheckpointSegment([...new Set(present.map((t) => t.storage))]);
    this.segments.push(segment);
    this.segment = segment;
    try {
      return body();
    } finally {
      this.segment = null;
    }
  }

  /** Storages alive when the forward ends: saved, segment inputs, and whatever the caller still holds. */
  keptAtForwardEnd(held: readonly Tensor[]): Set<Storage> {
    const kept = new Set(this.saved);
    for (const seg of this.segments) for (const s of seg.inputs) kept.add(s);
    for (const t of held) kept.add(t.storage);
    return kept;
  }

  get steps(): number {
    return this.step;
  }
}

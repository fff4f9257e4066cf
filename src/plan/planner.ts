// Plans cells (a suite's, or one from flags), in this process: peak memory
// and its split, FLOPs per step, whether each fits a device, and with
// maxBatch the largest batch that fits, per mode. A torch cell is planned by
// the PyTorch planner alone (plan/torch/: memory and matrix FLOPs); a
// TensorFlow.js cell on the meta backend, which is loaded — TensorFlow.js
// with it — only when such a cell is planned.
import type { MetaBackend } from '../backend/tfjs/meta/meta-backend.ts';
import type { BufferTracker } from '../measure/tensor-memory.ts';
import type { Cell, CellConfig } from '../protocol/cell-config.ts';
import { searchLabel } from '../protocol/labels.ts';
import type { Device } from './devices.ts';
import type { CellPlan, PlannedMemory } from './plan-cell.ts';
import { planTorchCell } from './torch/plan-torch-cell.ts';

/** Whose memory a plan predicts: TensorFlow.js's unique tensor buffers, or PyTorch's CUDA allocator. */
export type PlannedFramework = 'tensorflow.js' | 'pytorch';

export interface PlannedCell {
  id: string;
  config: CellConfig;
  /** Said with every plan: the two frameworks' figures differ by up to 5×. */
  framework: PlannedFramework;
  /** torch cells also: saved-for-backward bytes, and DDP's gradient buckets per rank (the bytes all-reduced per step). */
  memory: PlannedMemory & { savedBytes?: number; ddpBucketBytes?: number };
  /**
   * FLOPs of one optimizer step: for a torch cell the matrix FLOPs of its forward and backward
   * (what MFU counts); for a TensorFlow.js cell every kernel the meta backend counted.
   */
  flops: number;
  /** torch cells: `flops` plus the checkpointed modes' recomputed forward (what HFU counts). */
  hardwareFlops?: number;
  fits: boolean;
  planMs: number;
}

export interface MaxBatch {
  /** The cell configuration the search started from (its batch is irrelevant). */
  label: string;
  mode: string;
  /** Largest batch whose planned peak fits, or 0 when batch 1 does not. */
  maxBatch: number;
  peakBytesAtMax: number | null;
}

export class Planner {
  private tfjs: Promise<{ backend: MetaBackend; tracker: BufferTracker; planCell: (config: CellConfig, backend: MetaBackend, tracker: BufferTracker) => Promise<CellPlan> }> | null = null;

  static async create(): Promise<Planner> {
    return new Planner();
  }

  /** The meta backend, at the first TensorFlow.js cell: the tracker installed before any tensor exists. */
  private planTfjs(config: CellConfig): Promise<CellPlan> {
    this.tfjs ??= (async () => {
      const [{ BufferTracker }, { initMetaBackend }, { planCell }] = await Promise.all([import('../measure/tensor-memory.ts'), import('../backend/tfjs/meta/init.ts'), import('./plan-cell.ts')]);
      const tracker = new BufferTracker().install();
      return { backend: await initMetaBackend(), tracker, planCell };
    })();
    return this.tfjs.then(({ backend, tracker, planCell }) => planCell(config, backend, tracker));
  }

  async plan(cell: Cell, device: Device): Promise<PlannedCell> {
    if (cell.config.backend !== 'torch') {
      const p = await this.planTfjs(cell.config);
      return { id: cell.id, config: cell.config, framework: 'tensorflow.js', memory: p.memory, flops: p.flops, fits: p.memory.peakBytes <= device.bytes, planMs: p.planMs };
    }
    const t = planTorchCell(cell.config, { attention: 'sdpa' });
    return { id: cell.id, config: cell.config, framework: 'pytorch', memory: t.memory, flops: t.flops.model, hardwareFlops: t.flops.hardware, fits: t.memory.peakBytes <= device.bytes, planMs: t.planMs };
  }

  /** The planned peak alone: what --max-batch bisects on. */
  private async peakOf(config: CellConfig): Promise<number> {
    if (config.backend === 'torch') return planTorchCell(config, { attention: 'sdpa' }).memory.peakBytes;
    return (await this.planTfjs(config)).memory.peakBytes;
  }

  /** Doubles the batch until it no longer fits, then bisects (the peak grows with the batch). */
  async maxBatch(config: CellConfig, device: Device, limit = 4096): Promise<MaxBatch> {
    const peakAt = (batch: number) => this.peakOf({ ...config, batch });
    const label = searchLabel(config);
    let lo = 0;
    let loPeak: number | null = null;
    let hi = 1;
    for (;;) {
      const peak = await peakAt(hi);
      if (peak > device.bytes) break;
      lo = hi;
      loPeak = peak;
      if (hi >= limit) return { label, mode: config.mode, maxBatch: lo, peakBytesAtMax: loPeak };
      hi *= 2;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const peak = await peakAt(mid);
      if (peak <= device.bytes) {
        lo = mid;
        loPeak = peak;
      } else {
        hi = mid;
      }
    }
    return { label, mode: config.mode, maxBatch: lo, peakBytesAtMax: loPeak };
  }
}

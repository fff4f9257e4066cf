// Plans cells (a suite's, or one from flags) on the meta backend, in this
// process: peak memory and its split, FLOPs per step, whether each fits a
// device, and with maxBatch the largest batch that fits, per mode.
import { initMetaBackend } from '../backend/meta/init.ts';
import type { MetaBackend } from '../backend/meta/meta-backend.ts';
import { BufferTracker } from '../measure/tensor-memory.ts';
import type { Cell, CellConfig } from '../protocol/cell-config.ts';
import { searchLabel } from '../protocol/labels.ts';
import type { Device } from './devices.ts';
import { planCell, type PlannedMemory } from './plan-cell.ts';
import { planTorchCell } from './torch/plan-torch-cell.ts';

/** Whose memory a plan predicts: TensorFlow.js's unique tensor buffers, or PyTorch's CUDA allocator. */
export type PlannedFramework = 'tensorflow.js' | 'pytorch';

export interface PlannedCell {
  id: string;
  config: CellConfig;
  /** Said with every plan: the two frameworks' figures differ by up to 5×. */
  framework: PlannedFramework;
  memory: PlannedMemory & { savedBytes?: number };
  /** FLOPs of one optimizer step (counted on the shape-only TensorFlow.js backend for both frameworks: the same network). */
  flops: number;
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
  private constructor(private readonly backend: MetaBackend, private readonly tracker: BufferTracker) {}

  /** Installs the tracker before any tensor exists, then activates the meta backend. */
  static async create(): Promise<Planner> {
    const tracker = new BufferTracker().install();
    return new Planner(await initMetaBackend(), tracker);
  }

  async plan(cell: Cell, device: Device): Promise<PlannedCell> {
    const p = await planCell(cell.config, this.backend, this.tracker);
    if (cell.config.backend !== 'torch') {
      return { id: cell.id, config: cell.config, framework: 'tensorflow.js', memory: p.memory, flops: p.flops, fits: p.memory.peakBytes <= device.bytes, planMs: p.planMs };
    }
    const t = planTorchCell(cell.config, { attention: 'sdpa' });
    return { id: cell.id, config: cell.config, framework: 'pytorch', memory: t.memory, flops: p.flops, fits: t.memory.peakBytes <= device.bytes, planMs: p.planMs + t.planMs };
  }

  /** The planned peak alone: what --max-batch bisects on (torch cells need no tfjs plan for it). */
  private async peakOf(config: CellConfig): Promise<number> {
    if (config.backend === 'torch') return planTorchCell(config, { attention: 'sdpa' }).memory.peakBytes;
    return (await planCell(config, this.backend, this.tracker)).memory.peakBytes;
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

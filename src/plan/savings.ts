// What each mode saves against delta-serial — the paper's baseline, the
// serial net with its temporal layers tuned — in planned peak memory. Cells
// are matched by configuration: a cell's twin is the delta-serial cell with
// everything else equal (preset, batch, accum, frames, size, precision,
// gpus, backend…), so a suite of several configurations is answered per
// configuration.
import { cellId, type CellConfig } from '../protocol/cell-config.ts';
import type { Mode } from '../train/modes.ts';
import type { PlannedCell } from './planner.ts';

export const SAVINGS_BASELINE: Mode = 'delta-serial';

export interface PlannedSaving {
  id: string;
  mode: Mode;
  peakBytes: number;
  /** Against the delta-serial twin: this peak over its peak, and the bytes fewer (negative: more). Null for delta-serial itself, or without a twin in the plan. */
  vsDeltaSerial: { ratio: number; savedBytes: number } | null;
}

/** The id the delta-serial cell of this configuration has (cell ids hash everything but the step counts). */
function deltaSerialTwinId(config: CellConfig): string {
  return cellId({ ...config, mode: SAVINGS_BASELINE });
}

export function savingsVsDeltaSerial(cells: readonly PlannedCell[]): PlannedSaving[] {
  const peakById = new Map(cells.map((c) => [cellId(c.config), c.memory.peakBytes]));
  return cells.map((c) => {
    const peakBytes = c.memory.peakBytes;
    const twinPeak = c.config.mode === SAVINGS_BASELINE ? undefined : peakById.get(deltaSerialTwinId(c.config));
    return {
      id: c.id, mode: c.config.mode, peakBytes,
      vsDeltaSerial: twinPeak === undefined ? null : { ratio: peakBytes / twinPeak, savedBytes: twinPeak - peakBytes },
    };
  });
}

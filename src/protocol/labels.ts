// How a cell is named to people, in one place: `small delta-parallel b2 a1
// 8f 96px` (a cell), `small b2 a1 8f 96px` (a matched group: every mode of
// one configuration), `small 8f 96px` (a shape: one chart of Fig. 6),
// `small a1 8f 96px` (what a largest-batch search runs over). A data-parallel
// cell adds its ranks after the accumulation: `sd21 delta-parallel b2 a2 g4 8f 256px`.
import type { CellConfig } from './cell-config.ts';

type Labelled = Pick<CellConfig, 'preset' | 'mode' | 'batch' | 'accum' | 'frames' | 'size' | 'gpus'>;

/** `g4` for a cell on 4 data-parallel ranks; nothing for one. */
function gpusPart(c: Labelled): string | null {
  return c.gpus != null && c.gpus > 1 ? `g${c.gpus}` : null;
}

function label(c: Labelled, parts: { mode: boolean; batch: boolean; accum: boolean }): string {
  return [c.preset, parts.mode ? c.mode : null, parts.batch ? `b${c.batch}` : null, parts.accum ? `a${c.accum}` : null, gpusPart(c), `${c.frames}f ${c.size}px`].filter((p) => p != null).join(' ');
}

/** `small delta-parallel b2 a1 8f 96px` */
export function cellLabel(c: Labelled): string {
  return label(c, { mode: true, batch: true, accum: true });
}

/** `small b2 a1 8f 96px`: the cells that differ only in mode. */
export function groupLabel(c: Labelled): string {
  return label(c, { mode: false, batch: true, accum: true });
}

/** `small 8f 96px`: the groups that differ only in batch and accumulation. */
export function shapeLabel(c: Labelled): string {
  return label(c, { mode: false, batch: false, accum: false });
}

/** `small a1 8f 96px`: the configurations a largest-batch search runs over, one mode at a time. */
export function searchLabel(c: Omit<Labelled, 'mode' | 'batch'>): string {
  return label({ ...c, mode: 'full', batch: 0 }, { mode: false, batch: false, accum: true });
}

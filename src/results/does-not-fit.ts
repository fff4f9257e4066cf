// A cell that ran out of memory is an answer — it does not fit — and every
// place that shows a failed cell (progress, reports, CSV, the gate) says so
// in these words, with what was held when it ran out.
import type { OutOfMemory } from '../protocol/out-of-memory.ts';
import { formatBytes } from './units.ts';

export const DOES_NOT_FIT = 'does not fit';

export function doesNotFit(r: { status: string; error?: { reason: string } }): boolean {
  return r.status === 'failed' && r.error?.reason === 'oom';
}

/** The reason as shown: "does not fit" for 'oom', else the reason itself. */
export function reasonText(reason: string): string {
  return reason === 'oom' ? DOES_NOT_FIT : reason;
}

/** "does not fit: 1.86 GB held, 2.15 GB more asked for, under a 4.29 GB cap" (the figures the worker knew). */
export function doesNotFitText(error: { oom?: OutOfMemory | undefined }): string {
  const oom = error.oom;
  if (!oom) return DOES_NOT_FIT;
  const parts = [
    oom.allocatedBytes != null ? `${formatBytes(oom.allocatedBytes)} held` : null,
    oom.requestedBytes != null ? `${formatBytes(oom.requestedBytes)} more asked for` : null,
    oom.capBytes != null ? `under a ${formatBytes(oom.capBytes)} cap` : `on the whole ${oom.device}`,
  ].filter((p) => p !== null);
  return `${DOES_NOT_FIT}: ${parts.join(', ')}`;
}

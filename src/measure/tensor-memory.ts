// Tensor memory as unique data buffers. `tf.memory().numBytes` adds a
// tensor's bytes each time a tensor object is made, so a reshape or a clone
// of one buffer counts twice. This tracker hooks the engine where a data
// buffer is first registered (`trackTensor` on a new dataId) and where it is
// released (`removeDataId`): O(1) per tensor, and a running peak.
//
// What it sees: every buffer the engine tracks, on any backend. What it does
// not: a backend's scratch memory inside one kernel, and allocator slack.
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor } from '../backend/tfjs/tf.ts';

interface EngineInternals {
  trackTensor(a: Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
  state: { tensorInfo: WeakMap<object, { backend: unknown; bytes: number }> & { has(k: object): boolean } };
}

/** A new buffer took the live tensor bytes past --memory-cap: the cell does not fit. */
export class TensorMemoryCapExceeded extends Error {
  constructor(readonly heldBytes: number, readonly requestedBytes: number, readonly capBytes: number) {
    super(`tensors would hold ${heldBytes + requestedBytes} B, past the memory cap of ${capBytes} B (a ${requestedBytes} B buffer was asked for)`);
    this.name = 'TensorMemoryCapExceeded';
  }
}

export class BufferTracker {
  /** Bytes of the live data buffers. */
  current = 0;
  /** Highest `current` since the last `resetPeak`. */
  peak = 0;
  private engine = tf.engine() as unknown as EngineInternals;
  private originals: Pick<EngineInternals, 'trackTensor' | 'removeDataId'> | null = null;
  /** Buffers the cap refused: registered by the engine, never counted here. */
  private refused = new WeakSet<object>();

  /**
   * Starts tracking. Install it before any tensor exists (the engine keeps no
   * list of live buffers to count later), or pass the bytes already resident.
   */
  /** --memory-cap: a new buffer past it throws TensorMemoryCapExceeded, as an allocator would fail. */
  constructor(private readonly capBytes: number | null = null) {}

  install(baselineBytes = 0): this {
    if (this.originals) throw new Error('BufferTracker installed twice');
    const engine = this.engine;
    const info = engine.state.tensorInfo;
    const originals = { trackTensor: engine.trackTensor, removeDataId: engine.removeDataId };
    this.originals = originals;
    this.current = baselineBytes;
    this.peak = baselineBytes;
    engine.trackTensor = (a, backend) => {
      const fresh = !info.has(a.dataId);
      originals.trackTensor.call(engine, a, backend);
      if (fresh) {
        const bytes = (info as unknown as Map<object, { bytes: number }>).get(a.dataId)!.bytes;
        if (this.capBytes !== null && this.current + bytes > this.capBytes) {
          // Not counted, as a failed allocation holds nothing; if the engine disposes it later, nothing is subtracted.
          this.refused.add(a.dataId);
          throw new TensorMemoryCapExceeded(this.current, bytes, this.capBytes);
        }
        this.current += bytes;
        if (this.current > this.peak) this.peak = this.current;
      }
    };
    engine.removeDataId = (dataId, backend) => {
      const entry = (info as unknown as Map<object, { backend: unknown; bytes: number }>).get(dataId);
      originals.removeDataId.call(engine, dataId, backend);
      if (this.refused.delete(dataId)) return;
      if (entry && entry.backend === backend && !info.has(dataId)) this.current -= entry.bytes;
    };
    return this;
  }

  uninstall(): void {
    if (!this.originals) return;
    // Deleting the own properties restores the prototype's methods.
    delete (this.engine as Partial<EngineInternals>).trackTensor;
    delete (this.engine as Partial<EngineInternals>).removeDataId;
    this.originals = null;
  }

  resetPeak(): void {
    this.peak = this.current;
  }
}

/** Bytes of the distinct data buffers behind `tensors` (shared buffers once). */
export function uniqueBytes(tensors: Iterable<Tensor>): number {
  const seen = new Set<object>();
  let bytes = 0;
  for (const t of tensors) {
    if (t.isDisposed || seen.has(t.dataId)) continue;
    seen.add(t.dataId);
    bytes += t.size * bytesPerElement(t.dtype);
  }
  return bytes;
}

function bytesPerElement(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool') return 1;
  if (dtype === 'complex64') return 8;
  throw new Error(`no byte size for dtype ${dtype}`);
}

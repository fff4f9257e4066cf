// The `meta` backend: tensors with shapes and dtypes but no data. Kernels
// compute output shapes only and add their FLOPs to a counter, so the real
// model and training-step code run unchanged at paper scale in seconds, and
// the unique-buffer tracker sees the same buffers the backend it stands for
// (wasm) would hold: a new buffer for every kernel output, except where wasm
// shares one (Reshape, and Identity as initBackend patches it).
import { tf } from '../tf.ts';

type DataId = object;

interface Entry {
  shape: number[];
  dtype: tf.DataType;
  refCount: number;
}

export class MetaBackend extends tf.KernelBackend {
  private readonly entries = new WeakMap<DataId, Entry>();
  private live = 0;
  /** Floating-point operations of the kernels run so far (conventions: ./kernels.ts). */
  flops = 0;
  /** The same, per kernel name. */
  readonly flopsByKernel = new Map<string, number>();

  override write(_values: tf.BackendValues | null, shape: number[], dtype: tf.DataType): DataId {
    const dataId = {};
    this.entries.set(dataId, { shape, dtype, refCount: 1 });
    this.live++;
    return dataId;
  }

  override move(dataId: DataId, _values: tf.BackendValues | null, shape: number[], dtype: tf.DataType, refCount: number): void {
    if (!this.entries.has(dataId)) this.live++;
    this.entries.set(dataId, { shape, dtype, refCount });
  }

  /** A new output buffer. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo {
    return { dataId: this.write(null, shape, dtype), shape, dtype };
  }

  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo {
    return this.makeOutput(shape, dtype);
  }

  /** The same buffer under another shape (Reshape, a shared Identity). */
  share(x: tf.TensorInfo, shape: number[] = x.shape): tf.TensorInfo {
    this.incRef(x.dataId);
    return { dataId: x.dataId, shape, dtype: x.dtype };
  }

  override incRef(dataId: DataId): void {
    const e = this.entries.get(dataId);
    if (e) e.refCount++;
  }

  override refCount(dataId: DataId): number {
    return this.entries.get(dataId)?.refCount ?? 0;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const e = this.entries.get(dataId);
    if (!e) return true;
    e.refCount--;
    if (!force && e.refCount > 0) return false;
    this.entries.delete(dataId);
    this.live--;
    return true;
  }

  override numDataIds(): number {
    return this.live;
  }

  /** Shape-only tensors read as zeros (the training loop reads its loss). */
  override readSync(dataId: DataId): tf.BackendValues {
    const e = this.entries.get(dataId);
    if (!e) throw new Error('meta backend: read of a disposed tensor');
    const size = e.shape.reduce((a, b) => a * b, 1);
    return e.dtype === 'int32' ? new Int32Array(size) : e.dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size);
  }

  override async read(dataId: DataId): Promise<tf.BackendValues> {
    return this.readSync(dataId);
  }

  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    f();
    return { kernelMs: 0 };
  }

  override memory(): { unreliable: boolean; reasons: string[] } {
    return { unreliable: true, reasons: ['the meta backend holds no data'] };
  }

  override floatPrecision(): 16 | 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override dispose(): void {}
}

// The meta backend's kernels: output shape and dtype of each kernel the
// networks, the training step and Adam use, and its FLOPs. A kernel missing
// here fails with its name (the engine's "Kernel 'X' not registered for
// backend 'meta'"), never as a silent zero.
//
// FLOP conventions (one multiply-add = 2 FLOPs):
//   Conv2D, Conv2DBackpropInput   2 · N·Ho·Wo · Co · kh·kw·Ci   (the filter
//                                 gradient runs as a Conv2D: see
//                                 conv2d-backprop-filter.ts)
//   BatchMatMul                   2 · batch · M · N · K
//   elementwise (unary, binary)   1 per output element (exp, erf, rsqrt… too)
//   Sum, Mean, Max                1 per input element
//   Softmax                       5 per element (max, subtract, exp, sum, divide)
//   data movement (Reshape, Transpose, Concat, Slice, Pad, Tile, Cast,
//   Identity, Fill, Range, ZerosLike, SplitV)   0
import { tf } from '../tf.ts';
import type { MetaBackend } from './meta-backend.ts';

type Info = tf.TensorInfo;
type KernelArgs = { inputs: Record<string, Info | Info[]>; attrs: Record<string, unknown>; backend: MetaBackend };
type ShapeKernel = (args: KernelArgs) => Info | Info[];

const { util, backend_util } = tf;
const size = (shape: number[]) => util.sizeFromShape(shape);
const input = (args: KernelArgs, name: string) => args.inputs[name] as Info;

function unary(args: KernelArgs): Info {
  const x = input(args, 'x');
  args.backend.flops += size(x.shape);
  return args.backend.makeOutput(x.shape, x.dtype);
}

function dataMove(args: KernelArgs, shape: number[], dtype: tf.DataType): Info {
  return args.backend.makeOutput(shape, dtype);
}

function binary(outDtype?: tf.DataType): ShapeKernel {
  return (args) => {
    const a = input(args, 'a');
    const b = input(args, 'b');
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    args.backend.flops += size(shape);
    return args.backend.makeOutput(shape, outDtype ?? tf.upcastType(a.dtype, b.dtype));
  };
}

function reduce(outDtype?: (x: Info) => tf.DataType): ShapeKernel {
  return (args) => {
    const x = input(args, 'x');
    const axes = util.parseAxisParam(args.attrs['axis'] as number | number[], x.shape);
    let [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    if (args.attrs['keepDims']) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
    args.backend.flops += size(x.shape);
    return args.backend.makeOutput(outShape, outDtype ? outDtype(x) : x.dtype);
  };
}

function conv2dFlops(outShape: number[], filterShape: number[]): number {
  const [n, ho, wo, co] = outShape as [number, number, number, number];
  const [kh, kw, ci] = filterShape as [number, number, number];
  return 2 * n * ho * wo * co * kh * kw * ci;
}

export const META_KERNELS: Record<string, ShapeKernel> = {
  // Shared buffers, as on wasm.
  Reshape: (args) => {
    const x = input(args, 'x');
    return args.backend.share(x, util.inferFromImplicitShape(args.attrs['shape'] as number[], size(x.shape)));
  },
  Identity: (args) => args.backend.share(input(args, 'x')),

  // Data movement: new buffers, no FLOPs.
  Cast: (args) => dataMove(args, input(args, 'x').shape, args.attrs['dtype'] as tf.DataType),
  ZerosLike: (args) => dataMove(args, input(args, 'x').shape, input(args, 'x').dtype),
  OnesLike: (args) => dataMove(args, input(args, 'x').shape, input(args, 'x').dtype),
  Fill: (args) => dataMove(args, args.attrs['shape'] as number[], (args.attrs['dtype'] as tf.DataType) ?? 'float32'),
  Range: (args) => {
    const { start, stop, step, dtype } = args.attrs as { start: number; stop: number; step: number; dtype: tf.DataType };
    return dataMove(args, [Math.max(0, Math.ceil((stop - start) / step))], dtype);
  },
  Transpose: (args) => {
    const x = input(args, 'x');
    const perm = args.attrs['perm'] as number[];
    return dataMove(args, perm.map((p) => x.shape[p]!), x.dtype);
  },
  Concat: (args) => {
    const xs = args.inputs as unknown as Info[] | Record<string, Info>;
    const list: Info[] = Array.isArray(xs) ? xs : Object.values(xs);
    const axis = util.parseAxisParam(args.attrs['axis'] as number, list[0]!.shape)[0]!;
    return dataMove(args, backend_util.computeOutShape(list.map((t) => t.shape), axis), list[0]!.dtype);
  },
  Slice: (args) => {
    const x = input(args, 'x');
    const [, sizes] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, args.attrs['begin'] as number[], args.attrs['size'] as number[]);
    return dataMove(args, sizes, x.dtype);
  },
  SplitV: (args) => {
    const x = input(args, 'x');
    const axis = util.parseAxisParam(args.attrs['axis'] as number, x.shape)[0]!;
    const sizes = backend_util.prepareSplitSize(x, args.attrs['numOrSizeSplits'] as number[] | number, axis);
    return sizes.map((s) => {
      const shape = [...x.shape];
      shape[axis] = s;
      return args.backend.makeOutput(shape, x.dtype);
    });
  },
  PadV2: (args) => {
    const x = input(args, 'x');
    const paddings = args.attrs['paddings'] as Array<[number, number]>;
    return dataMove(args, x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]), x.dtype);
  },
  Tile: (args) => {
    const x = input(args, 'x');
    const reps = args.attrs['reps'] as number[];
    return dataMove(args, x.shape.map((d, i) => d * reps[i]!), x.dtype);
  },

  // Elementwise.
  Add: binary(), Sub: binary(), Multiply: binary(), RealDiv: binary('float32'), Pow: binary(),
  SquaredDifference: binary(), Maximum: binary(), Minimum: binary(),
  Greater: binary('bool'), GreaterEqual: binary('bool'), Less: binary('bool'), LessEqual: binary('bool'), Equal: binary('bool'),
  Neg: unary, Exp: unary, Log: unary, Sqrt: unary, Rsqrt: unary, Square: unary, Sigmoid: unary, Tanh: unary,
  Erf: unary, Sin: unary, Cos: unary, Abs: unary, Sign: unary, Step: unary, Relu: unary, Reciprocal: unary,
  AddN: (args) => {
    const xs = Object.values(args.inputs as unknown as Record<string, Info>).flat() as Info[];
    args.backend.flops += size(xs[0]!.shape) * (xs.length - 1);
    return args.backend.makeOutput(xs[0]!.shape, xs[0]!.dtype);
  },
  Softmax: (args) => {
    const x = input(args, 'logits');
    args.backend.flops += 5 * size(x.shape);
    return args.backend.makeOutput(x.shape, x.dtype);
  },

  // Reductions.
  Sum: reduce((x) => (x.dtype === 'bool' ? 'int32' : x.dtype)),
  Mean: reduce(() => 'float32'),
  Max: reduce(),
  Min: reduce(),

  // Contractions.
  BatchMatMul: (args) => {
    const a = input(args, 'a');
    const b = input(args, 'b');
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const m = a.shape[a.shape.length - (transposeA ? 1 : 2)]!;
    const k = a.shape[a.shape.length - (transposeA ? 2 : 1)]!;
    const kb = b.shape[b.shape.length - (transposeB ? 1 : 2)]!;
    const n = b.shape[b.shape.length - (transposeB ? 2 : 1)]!;
    if (k !== kb) throw new Error(`BatchMatMul on meta: inner dimensions ${k} and ${kb} differ`);
    const batch = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    args.backend.flops += 2 * size(batch) * m * n * k;
    return args.backend.makeOutput([...batch, m, n], tf.upcastType(a.dtype, b.dtype));
  },
  Conv2D: (args) => {
    const x = input(args, 'x');
    const filter = input(args, 'filter');
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as {
      strides: number | [number, number]; pad: 'same'; dataFormat: 'NHWC' | 'NCHW'; dilations: number | [number, number]; dimRoundingMode?: 'floor';
    };
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
    args.backend.flops += conv2dFlops(info.outShape, filter.shape);
    return args.backend.makeOutput(info.outShape, x.dtype);
  },
  Conv2DBackpropInput: (args) => {
    const dy = input(args, 'dy');
    const filter = input(args, 'filter');
    args.backend.flops += conv2dFlops(dy.shape, filter.shape);
    return args.backend.makeOutput(args.attrs['inputShape'] as number[], dy.dtype);
  },
};

export function registerMetaKernels(backendName: string): void {
  for (const [kernelName, kernel] of Object.entries(META_KERNELS)) {
    const counted: ShapeKernel = (args) => {
      const before = args.backend.flops;
      const out = kernel(args);
      const added = args.backend.flops - before;
      if (added) args.backend.flopsByKernel.set(kernelName, (args.backend.flopsByKernel.get(kernelName) ?? 0) + added);
      return out;
    };
    tf.registerKernel({ kernelName, backendName, kernelFunc: counted as unknown as tf.KernelFunc });
  }
}

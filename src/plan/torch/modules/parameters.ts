// The worker net's parameters by diffusers name: their group (protocol/
// param-groups.ts, as the worker assigns it), whether the cell's mode trains them, and
// the dtype they are stored in (trained weights float32; frozen ones in
// --frozen-weights). Each is a leaf tensor on the tape with its own storage.
import type { ParamGroup } from '../../../model/params.ts';
import { paramGroup } from '../../../protocol/param-groups.ts';
import type { DType } from '../dtype.ts';
import { DTYPE_BYTES } from '../dtype.ts';
import { numel } from '../strided.ts';
import type { Tape, Tensor } from '../tape.ts';

/** Which parameters train: by default the mode's groups (MODE_SPECS). */
export type TrainableRule = (param: { name: string; group: ParamGroup }) => boolean;

export function trainGroups(groups: readonly ParamGroup[]): TrainableRule {
  return ({ group }) => groups.includes(group);
}

export interface DeclaredParam {
  name: string;
  shape: number[];
  group: ParamGroup;
  trainable: boolean;
  tensor: Tensor;
}

export class ParamRegistry {
  readonly params: DeclaredParam[] = [];

  constructor(private readonly tape: Tape, private readonly isTrainable: TrainableRule, private readonly frozenDtype: DType) {}

  declare(name: string, shape: number[]): Tensor {
    const group = paramGroup(name);
    const trainable = this.isTrainable({ name, group });
    const dtype: DType = trainable ? 'float32' : this.frozenDtype;
    const storage = this.tape.newStorage(numel(shape) * DTYPE_BYTES[dtype], 'parameter', name);
    const tensor: Tensor = {
      shape, strides: shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1)), dtype, storage,
      requiresGrad: trainable, param: { name, trainable },
    };
    this.params.push({ name, shape, group, trainable, tensor });
    return tensor;
  }

  /** A scope that prefixes names (diffusers' module path). */
  scope(prefix: string): ParamScope {
    return new ParamScope(this, prefix);
  }

  count(filter: (p: DeclaredParam) => boolean): number {
    return this.params.filter(filter).reduce((s, p) => s + numel(p.shape), 0);
  }
}

export class ParamScope {
  constructor(private readonly registry: ParamRegistry, readonly prefix: string) {}

  child(name: string): ParamScope {
    return new ParamScope(this.registry, this.prefix ? `${this.prefix}.${name}` : name);
  }

  param(name: string, shape: number[]): Tensor {
    return this.registry.declare(this.prefix ? `${this.prefix}.${name}` : name, shape);
  }
}

// Parameters as declared handles: a network declares every weight (name,
// shape, group, initialiser) when it is built, so parameter counts need no
// memory; `materialize` then creates the tensors from a seed. Each weight's
// values depend only on (seed, name), so two networks that declare the same
// spatial names get identical spatial weights.
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor, Variable } from '../backend/tfjs/tf.ts';

/** spatial: the frozen 2D UNet; temporal: the video layers; extra: what only the parallel net adds. */
export type ParamGroup = 'spatial' | 'temporal' | 'extra';

export type Init =
  | { kind: 'uniform'; fanIn: number } // PyTorch's default for Linear/Conv: U(±1/√fanIn)
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'custom'; make: () => Tensor };

export class Param {
  private variable: Variable | null = null;
  constructor(
    readonly name: string,
    readonly shape: number[],
    readonly group: ParamGroup,
    readonly init: Init,
  ) {}

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The weight tensor; the network must have been materialised. */
  get v(): Variable {
    if (this.variable == null) throw new Error(`parameter ${this.name} used before materialize()`);
    return this.variable;
  }

  get materialized(): boolean {
    return this.variable != null;
  }

  /** Creates the weight, its value from `initial` (the seeded initialiser unless the caller has its own). */
  materialize(seed: number, trainable: boolean, initial: InitialValue = seededInitialValue): void {
    if (this.variable != null) throw new Error(`parameter ${this.name} materialised twice`);
    const value = tf.tidy(() => initial(this, seed));
    this.variable = tf.variable(value, trainable, undefined, 'float32');
    value.dispose();
  }

  dispose(): void {
    this.variable?.dispose();
    this.variable = null;
  }
}

/** A weight's first value; the shape-only planner supplies one that draws no numbers. */
export type InitialValue = (p: Param, seed: number) => Tensor;

/** The initialiser each parameter declares, drawn from (seed, name). */
export function seededInitialValue(p: Param, seed: number): Tensor {
  switch (p.init.kind) {
    case 'zeros': return tf.zeros(p.shape);
    case 'ones': return tf.ones(p.shape);
    case 'custom': return p.init.make();
    case 'uniform': {
      const bound = 1 / Math.sqrt(p.init.fanIn);
      return tf.randomUniform(p.shape, -bound, bound, 'float32', nameSeed(seed, p.name));
    }
  }
}

/** A 31-bit seed from (seed, name): FNV-1a over the name, mixed with the seed. */
export function nameSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 2147483647;
}

/** Collects the parameters a network declares, under a name prefix. */
export class ParamScope {
  constructor(
    private readonly registry: Param[],
    private readonly prefix: string,
    readonly group: ParamGroup,
  ) {}

  static root(group: ParamGroup): { scope: ParamScope; params: Param[] } {
    const params: Param[] = [];
    return { scope: new ParamScope(params, '', group), params };
  }

  /** The dotted name of this scope (what its parameters' names start with). */
  get path(): string {
    return this.prefix;
  }

  /** A child scope; `group` overrides the group of everything declared under it. */
  child(name: string, group: ParamGroup = this.group): ParamScope {
    return new ParamScope(this.registry, this.prefix ? `${this.prefix}.${name}` : name, group);
  }

  param(name: string, shape: number[], init: Init): Param {
    const full = this.prefix ? `${this.prefix}.${name}` : name;
    const p = new Param(full, shape, this.group, init);
    this.registry.push(p);
    return p;
  }
}

export interface ParamCounts {
  spatial: number;
  temporal: number;
  extra: number;
  total: number;
}

export function countParams(params: readonly Param[]): ParamCounts {
  const counts: ParamCounts = { spatial: 0, temporal: 0, extra: 0, total: 0 };
  for (const p of params) {
    counts[p.group] += p.size;
    counts.total += p.size;
  }
  return counts;
}

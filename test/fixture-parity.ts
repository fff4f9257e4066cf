// Loads a PyTorch fixture (weights by diffusers-style name, inputs, float64
// output, loss target, gradients of the trained weights) into a TypeScript
// network and measures how far the TypeScript forward and backward are from
// it. Shared by the diffusers parity test and the torch-worker parity test.
import assert from 'node:assert/strict';
import { tf } from '../src/backend/tfjs/tf.ts';
import { diffusersName, fromTorchLayout } from '../src/model/diffusers-names.ts';
import type { ParamGroup } from '../src/model/params.ts';
import type { UNetInputs } from '../src/model/spatial-unet.ts';
import type { VideoUNet } from '../src/model/video-unet.ts';
import { relativeError } from './helpers.ts';
import { npzTensor, type NpzArray } from './npz.ts';

export interface FixtureParity {
  /** max |TS − fixture| / max |fixture| over the output. */
  outputError: number;
  loss: number;
  fixtureLoss: number;
  /** The largest relative (L2) gradient error among the trained weights, and whose (none when gradients were not asked for). */
  worstGradient: { name: string; error: number };
  gradients: number;
}

/** [B, C, F, H, W] (PyTorch's video layout) → [B·F, H, W, C]. */
function toFramesNHWC(a: NpzArray): tf.Tensor4D {
  const [b, c, f, h, w] = a.shape as [number, number, number, number, number];
  return tf.reshape(tf.transpose(npzTensor(a), [0, 2, 3, 4, 1]), [b * f, h, w, c]) as tf.Tensor4D;
}

/** [B·F, H, W, C] → [B, C, F, H, W]. */
function toVideoNCFHW(x: tf.Tensor4D, frames: number): tf.Tensor {
  const [n, h, w, c] = x.shape;
  return tf.transpose(tf.reshape(x, [n / frames, frames, h, w, c]), [0, 4, 1, 2, 3]);
}

/** Each clip's row repeated for its F frames (diffusers' repeat_interleave). */
function perFrame(t: tf.Tensor, frames: number): tf.Tensor {
  const [b, ...rest] = t.shape;
  return tf.reshape(tf.tile(tf.expandDims(t, 1), [1, frames, ...rest.map(() => 1)]), [b! * frames, ...rest]);
}

/**
 * Materialises `net` from the fixture (every weight must have a place, both
 * ways), runs its forward in eval mode and the gradient of the fixture's loss
 * for the `trained` groups. Disposes the net's weights afterwards.
 */
/** The first `clips` clips of a batch-first array (the net treats clips independently). */
function firstClips(a: NpzArray, clips: number | undefined): NpzArray {
  if (clips == null || clips >= a.shape[0]!) return a;
  const per = a.values.length / a.shape[0]!;
  return { ...a, shape: [clips, ...a.shape.slice(1)], values: a.values.slice(0, clips * per) } as NpzArray;
}

export function checkAgainstFixture(net: VideoUNet, fixture: Map<string, NpzArray>, trained: readonly ParamGroup[], opts: { gradients?: boolean; clips?: number } = {}): FixtureParity {
  const used = new Set<string>();
  net.materialize(0, trained, (p) => {
    const key = `param.${diffusersName(p.name)}`;
    const a = fixture.get(key);
    assert.ok(a, `${p.name}: no ${key} in the fixture`);
    assert.equal(a.values.length, p.size, `${key}: ${a.shape} does not fit ${p.shape}`);
    used.add(key);
    return fromTorchLayout(npzTensor(a), p);
  });
  const unused = [...fixture.keys()].filter((k) => k.startsWith('param.') && !used.has(k));
  assert.deepEqual(unused, [], 'every fixture weight has a place in the TypeScript net');
  try {
    // opts.clips: a forward of the first clips only (their outputs do not depend on the others').
    const part = (key: string) => firstClips(fixture.get(key)!, opts.clips);
    const sample = part('input.sample');
    const frames = sample.shape[2]!;
    const inputs: UNetInputs = {
      noisy: toFramesNHWC(sample),
      timesteps: perFrame(npzTensor(part('input.timesteps')), frames) as tf.Tensor1D,
      text: perFrame(npzTensor(part('input.text')), frames) as tf.Tensor3D,
      frames,
    };
    const expected = part('output.sample');
    const targetValues = part('loss.target');
    const target = npzTensor(targetValues);
    let outputError = NaN;
    const forwardLoss = () => {
      const out = toVideoNCFHW(net.forward(inputs), frames);
      assert.deepEqual(out.shape, expected.shape);
      const got = out.dataSync() as Float32Array;
      let maxDiff = 0;
      let maxRef = 0;
      for (let i = 0; i < got.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[i]! - expected.values[i]!));
        maxRef = Math.max(maxRef, Math.abs(expected.values[i]!));
      }
      outputError = maxDiff / maxRef;
      return tf.mean(tf.squaredDifference(out, target)) as tf.Scalar;
    };
    const sliced = opts.clips != null && opts.clips < fixture.get('input.sample')!.shape[0]!;
    if (sliced && opts.gradients !== false) throw new Error('the gradients are of the whole batch: check them without clips');
    // The fixture's loss is over its whole batch; over some clips it is computed from its output and target.
    const fixtureLoss = sliced
      ? expected.values.reduce((sum, v, i) => sum + (v - targetValues.values[i]!) ** 2, 0) / expected.values.length
      : fixture.get('loss.value')!.values[0]!;
    if (opts.gradients === false) {
      const loss = tf.tidy(() => forwardLoss().dataSync()[0]!);
      return { outputError, loss, fixtureLoss, worstGradient: { name: '', error: 0 }, gradients: 0 };
    }
    const { value, grads } = tf.variableGrads(forwardLoss, net.variables(trained));
    const worstGradient = { name: '', error: 0 };
    let gradients = 0;
    for (const p of net.params.filter((q) => trained.includes(q.group))) {
      const ref = fixture.get(`grad.${diffusersName(p.name)}`);
      assert.ok(ref, `${p.name}: no gradient in the fixture`);
      const refTs = fromTorchLayout(npzTensor(ref), p);
      const error = relativeError(grads[p.v.name]!.dataSync() as Float32Array, refTs.dataSync() as Float32Array);
      refTs.dispose();
      if (error > worstGradient.error) Object.assign(worstGradient, { name: p.name, error });
      gradients++;
    }
    assert.equal(gradients, [...fixture.keys()].filter((k) => k.startsWith('grad.')).length, 'a gradient for every fixture gradient');
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return { outputError, loss, fixtureLoss, worstGradient, gradients };
  } finally {
    net.dispose();
  }
}

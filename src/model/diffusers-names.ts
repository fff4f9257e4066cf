// The name map between this project's parameters and diffusers'
// UNet3DConditionModel state dict (and, for the parallel net's own layers,
// the torch worker's names of the same style), with the layout change of
// each weight: a diffusers or ModelScope checkpoint loads into the
// TypeScript nets by name. PyTorch stores conv weights [out, in, kh, kw(, 1)]
// and linear weights [out, in]; TensorFlow.js here [kh, kw, in, out] and
// [in, out].
import { tf } from '../backend/tfjs/tf.ts';
import type { Tensor } from '../backend/tfjs/tf.ts';
import type { Param } from './params.ts';

/** Where a layer's four modules sit in diffusers: `down.1.0` → `down_blocks.1`, index 0. */
function blockOf(layer: string): { block: string; index: string } | null {
  let m = /^(down|up)\.(\d+)\.(\d+)$/.exec(layer);
  if (m) return { block: `${m[1]}_blocks.${m[2]}`, index: m[3]! };
  m = /^mid\.(\d+)$/.exec(layer);
  if (m) return { block: 'mid_block', index: m[1]! };
  return null;
}

const MODULE_LISTS: Record<string, string> = { sc: 'resnets', tc: 'temp_convs', sa: 'attentions', ta: 'temp_attentions' };

/** diffusers' name for the leaf part of a name (inside one module). */
function leafName(rest: string): string {
  return rest
    .replace(/\.gamma$/, '.weight').replace(/^gamma$/, 'weight')
    .replace(/\.beta$/, '.bias').replace(/^beta$/, 'bias')
    .replace(/\.kernel$/, '.weight').replace(/^kernel$/, 'weight')
    .replace(/\.to_out\./, '.to_out.0.')
    .replace(/\bff\.geglu\./, 'ff.net.0.proj.').replace(/\bff\.out\./, 'ff.net.2.')
    // TemporalConvLayer stages: Sequential(GroupNorm, SiLU, [Dropout,] Conv3d).
    .replace(/^conv(\d)\.norm\./, 'conv$1.0.')
    .replace(/^conv1\.conv\./, 'conv1.2.')
    .replace(/^conv([234])\.conv\./, 'conv$1.3.')
    .replace(/^shortcut\./, 'conv_shortcut.');
}

/** The diffusers-style name of a parameter of the serial or the parallel net. */
export function diffusersName(name: string): string {
  if (name.startsWith('fusion.')) return `conv_fusion.${leafName(name.slice('fusion.'.length))}`;
  const resample = /^(down|up)\.(\d+)\.(downsample|upsample)\.(.*)$/.exec(name);
  if (resample) return `${resample[1]}_blocks.${resample[2]}.${resample[3]}rs.0.${leafName(resample[4]!)}`;
  const layer = /^((?:down|up)\.\d+\.\d+|mid\.\d+)\.(sc|tc|sa|ta)\.(.*)$/.exec(name);
  if (layer) {
    const { block, index } = blockOf(layer[1]!)!;
    return `${block}.${MODULE_LISTS[layer[2]!]}.${index}.${leafName(layer[3]!)}`;
  }
  // Top-level modules keep their names: conv_in, time_embedding, transformer_in, conv_norm_out, conv_out.
  const dot = name.indexOf('.');
  return `${name.slice(0, dot)}.${leafName(name.slice(dot + 1))}`;
}

/** A PyTorch-layout weight as this project lays `param` out. */
export function fromTorchLayout(weight: Tensor, param: Param): Tensor {
  return tf.tidy(() => {
    if (param.shape.length === 4) {
      // [out, in, kh, kw(, 1)] → [kh, kw, in, out].
      const [kh, kw, cin, cout] = param.shape as [number, number, number, number];
      return tf.transpose(tf.reshape(weight, [cout, cin, kh, kw]), [2, 3, 1, 0]);
    }
    if (param.shape.length === 2) {
      // [out, in(, 1, 1)] → [in, out].
      const [cin, cout] = param.shape as [number, number];
      return tf.transpose(tf.reshape(weight, [cout, cin]), [1, 0]);
    }
    return tf.reshape(weight, param.shape);
  });
}

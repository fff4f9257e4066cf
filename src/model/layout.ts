// The block layout of diffusers' UNet3DConditionModel, shared by both
// networks: the down blocks (layers, then a downsampler except at the
// lowest level), the mid block (SC TC SA TA, then SC TC), and the up blocks
// (one more layer each, every layer taking a skip, an upsampler except at the
// top). Each layer is SC → TC → SA → TA in the serial net (Eq. 7); the
// parallel net runs the same layers as Eqs. 8–9. The torch worker gets this
// layout in its run message and builds diffusers' modules from it.
import type { UNetConfig } from './config.ts';

export interface LayerStep {
  kind: 'layer';
  name: string;
  /** diffusers' module it lives in: down_blocks.<level>, mid_block, up_blocks.<level>; index into its lists. */
  block: 'down' | 'mid' | 'up';
  level: number;
  index: number;
  /** Channels of the stream entering the layer (before any skip is concatenated). */
  inCh: number;
  /** Channels of the skip concatenated to it (0 in the down and mid blocks). */
  skipCh: number;
  outCh: number;
  attention: boolean;
  /** Down layers push their output as a skip; up layers pop one. */
  skip: 'push' | 'pop' | 'none';
}

export interface ResampleStep {
  kind: 'down' | 'up';
  name: string;
  /** down_blocks.<level>.downsamplers.0 or up_blocks.<level>.upsamplers.0 */
  level: number;
  channels: number;
}

export type UNetStep = LayerStep | ResampleStep;

export function unetLayout(config: UNetConfig): UNetStep[] {
  const ch = config.blockChannels;
  const levels = ch.length;
  const steps: UNetStep[] = [];
  // The input conv's output is the first skip.
  const skipChannels: number[] = [ch[0]!];

  let prev = ch[0]!;
  for (let i = 0; i < levels; i++) {
    const out = ch[i]!;
    for (let j = 0; j < config.layersPerBlock; j++) {
      steps.push({ kind: 'layer', name: `down.${i}.${j}`, block: 'down', level: i, index: j, inCh: j === 0 ? prev : out, skipCh: 0, outCh: out, attention: config.attention[i]!, skip: 'push' });
      skipChannels.push(out);
    }
    if (i < levels - 1) {
      steps.push({ kind: 'down', name: `down.${i}.downsample`, level: i, channels: out });
      skipChannels.push(out);
    }
    prev = out;
  }

  const bottom = ch[levels - 1]!;
  steps.push({ kind: 'layer', name: 'mid.0', block: 'mid', level: 0, index: 0, inCh: bottom, skipCh: 0, outCh: bottom, attention: true, skip: 'none' });
  steps.push({ kind: 'layer', name: 'mid.1', block: 'mid', level: 0, index: 1, inCh: bottom, skipCh: 0, outCh: bottom, attention: false, skip: 'none' });

  const rev = [...ch].reverse();
  const revAttention = [...config.attention].reverse();
  prev = bottom;
  for (let i = 0; i < levels; i++) {
    const out = rev[i]!;
    for (let j = 0; j <= config.layersPerBlock; j++) {
      const skipCh = skipChannels.pop()!;
      steps.push({ kind: 'layer', name: `up.${i}.${j}`, block: 'up', level: i, index: j, inCh: j === 0 ? prev : out, skipCh, outCh: out, attention: revAttention[i]!, skip: 'pop' });
    }
    if (i < levels - 1) steps.push({ kind: 'up', name: `up.${i}.upsample`, level: i, channels: out });
    prev = out;
  }
  if (skipChannels.length !== 0) throw new Error(`UNet layout left ${skipChannels.length} skips unused`);
  return steps;
}

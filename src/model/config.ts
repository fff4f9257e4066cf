// The UNet configuration both networks are built from, its presets, and the
// checks that a run shape (frames, image size) fits it.
import { UserError } from '../user-error.ts';

export interface UNetConfig {
  /** Channels of the VAE latent (Stable Diffusion: 4). */
  latentChannels: number;
  /** Output channels of each resolution level, top to bottom (SD: 320, 640, 1280, 1280). */
  blockChannels: number[];
  /** Whether each level's layers have attention (SD: all but the lowest). */
  attention: boolean[];
  /** ResNet layers per down block (up blocks have one more). */
  layersPerBlock: number;
  /** Channels per attention head (SD 2: 64). */
  headDim: number;
  /** Width of the text embedding (SD 2: 1024, OpenCLIP ViT-H). */
  crossDim: number;
  /** GroupNorm groups (SD: 32). */
  groups: number;
  /** Heads of the temporal transformer after the input conv (ModelScope: 8). */
  transformerInHeads: number;
}

/** The shape of one training run on a config. */
export interface RunShape {
  frames: number;
  /** Image size in pixels; the latent is size / 8. */
  size: number;
  /** Text tokens (CLIP: 77). */
  textLength: number;
}

export interface Preset {
  name: PresetName;
  description: string;
  config: UNetConfig;
  defaults: RunShape;
}

export const PRESET_NAMES = ['tiny', 'small', 'sd21'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const PRESETS: Record<PresetName, Preset> = {
  tiny: {
    name: 'tiny',
    description: 'two levels of 32/64 channels: for tests and CI (about a second a step on wasm)',
    config: {
      latentChannels: 4, blockChannels: [32, 64], attention: [true, false], layersPerBlock: 1,
      headDim: 16, crossDim: 32, groups: 8, transformerInHeads: 2,
    },
    defaults: { frames: 8, size: 96, textLength: 77 },
  },
  small: {
    name: 'small',
    description: 'three levels of 64/128/128 channels: the CPU suite',
    config: {
      latentChannels: 4, blockChannels: [64, 128, 128], attention: [true, true, false], layersPerBlock: 1,
      headDim: 32, crossDim: 64, groups: 16, transformerInHeads: 2,
    },
    defaults: { frames: 8, size: 128, textLength: 77 },
  },
  sd21: {
    name: 'sd21',
    description: "Stable Diffusion 2.1's UNet with ModelScope's temporal layers (diffusers UNet3DConditionModel)",
    config: {
      latentChannels: 4, blockChannels: [320, 640, 1280, 1280], attention: [true, true, true, false],
      layersPerBlock: 2, headDim: 64, crossDim: 1024, groups: 32, transformerInHeads: 8,
    },
    defaults: { frames: 8, size: 256, textLength: 77 },
  },
};

export function getPreset(name: string): Preset {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new UserError(`unknown preset '${name}': use one of ${PRESET_NAMES.join(', ')}`);
  }
  return PRESETS[name as PresetName];
}

/** Number of 2× downsamplings between the top and the bottom level. */
export function levelsDown(config: UNetConfig): number {
  return config.blockChannels.length - 1;
}

/** Latent side for an image size; throws a UserError if the size cannot go through the UNet. */
export function latentSize(config: UNetConfig, size: number): number {
  const multiple = 8 * 2 ** levelsDown(config);
  if (!Number.isInteger(size) || size <= 0 || size % multiple !== 0) {
    throw new UserError(`size ${size} px does not fit this UNet: it must be a positive multiple of ${multiple} (8 for the VAE × 2^${levelsDown(config)} for its downsamplings)`);
  }
  return size / 8;
}

export function validateConfig(config: UNetConfig): void {
  const { blockChannels, attention, groups, headDim } = config;
  if (blockChannels.length < 1 || attention.length !== blockChannels.length) {
    throw new UserError(`config: attention has ${attention.length} entries for ${blockChannels.length} levels`);
  }
  for (const c of blockChannels) {
    if (c % groups !== 0) throw new UserError(`config: ${c} channels are not divisible into ${groups} groups`);
    if (c % headDim !== 0) throw new UserError(`config: ${c} channels are not a whole number of ${headDim}-channel heads`);
  }
}

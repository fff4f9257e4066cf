// The parameter report: counts per group for both networks of a config, and
// what trains when everything trains or in each network's delta mode.
// Computed from declared handles: no weight is allocated.
import { getPreset, type UNetConfig } from './config.ts';
import { ParallelUNet } from './parallel-unet.ts';
import type { ParamCounts } from './params.ts';
import { SerialUNet } from './serial-unet.ts';
import type { VideoUNet } from './video-unet.ts';

export interface NetworkParams extends ParamCounts {
  /** Trainable weights when everything trains, and in the network's delta mode. */
  trainable: { full: number; delta: number };
}

export interface ParamsReport {
  preset: string;
  serial: NetworkParams;
  parallel: NetworkParams;
}

function networkParams(net: VideoUNet): NetworkParams {
  const counts = net.counts();
  const delta = net.deltaGroups.reduce((sum, g) => sum + counts[g], 0);
  return { ...counts, trainable: { full: counts.total, delta } };
}

/** Counts for a preset, or for `config` (a preset with a suite's overrides) when given. */
export function paramsReport(presetName: string, config?: UNetConfig): ParamsReport {
  const preset = getPreset(presetName);
  return {
    preset: preset.name,
    serial: networkParams(new SerialUNet(config ?? preset.config)),
    parallel: networkParams(new ParallelUNet(config ?? preset.config)),
  };
}

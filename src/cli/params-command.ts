// `mobius-bench params`: parameter counts per group, from the config alone.
import { getPreset, type UNetConfig } from '../model/config.ts';
import { ParallelUNet } from '../model/parallel-unet.ts';
import type { ParamCounts } from '../model/params.ts';
import { SerialUNet } from '../model/serial-unet.ts';
import { MODE_SPECS } from '../train/modes.ts';

export interface NetworkParams extends ParamCounts {
  /** Trainable weights when everything trains, and in the network's delta mode. */
  trainable: { full: number; delta: number };
}

export interface ParamsReport {
  preset: string;
  serial: NetworkParams;
  parallel: NetworkParams;
}

function trainableIn(counts: ParamCounts, groups: readonly string[]): number {
  return groups.reduce((sum, g) => sum + (counts[g as keyof ParamCounts] ?? 0), 0);
}

/** Counts for a preset, or for `config` (a preset with a suite's overrides) when given. */
export function paramsReport(presetName: string, config?: UNetConfig): ParamsReport {
  const preset = getPreset(presetName);
  const serial = new SerialUNet(config ?? preset.config).counts();
  const parallel = new ParallelUNet(config ?? preset.config).counts();
  return {
    preset: preset.name,
    serial: { ...serial, trainable: { full: serial.total, delta: trainableIn(serial, MODE_SPECS['delta-serial'].trainable) } },
    parallel: { ...parallel, trainable: { full: parallel.total, delta: trainableIn(parallel, MODE_SPECS['delta-parallel'].trainable) } },
  };
}

export function formatParams(r: ParamsReport): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const rows: Array<[string, keyof ParamCounts | 'delta']> = [
    ['spatial (frozen in delta)', 'spatial'], ['temporal', 'temporal'], ['parallel-only', 'extra'], ['total', 'total'], ['trainable in delta mode', 'delta'],
  ];
  const value = (n: NetworkParams, k: keyof ParamCounts | 'delta') => fmt(k === 'delta' ? n.trainable.delta : n[k]);
  const lines = [`preset ${r.preset}`, `${'group'.padEnd(26)}${'serial'.padStart(16)}${'parallel'.padStart(16)}`];
  for (const [label, key] of rows) lines.push(`${label.padEnd(26)}${value(r.serial, key).padStart(16)}${value(r.parallel, key).padStart(16)}`);
  return lines.join('\n');
}

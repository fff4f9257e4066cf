// `mobius-bench params`: parameter counts per group, from the config alone.
import type { NetworkParams, ParamsReport } from '../model/params-report.ts';
import type { ParamCounts } from '../model/params.ts';

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

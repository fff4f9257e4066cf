// The comparison as JSON (`compare --json`): the whole Comparison, with a
// format tag and version so that scripts can tell what they read.
import type { Comparison } from './compare.ts';

const COMPARISON_JSON_SCHEMA = 1 as const;

export function formatJson(c: Comparison): string {
  return `${JSON.stringify({ format: 'mobius-bench-comparison', schema: COMPARISON_JSON_SCHEMA, ...c }, null, 2)}\n`;
}

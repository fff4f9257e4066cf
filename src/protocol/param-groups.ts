// Which group a parameter of the torch networks belongs to, by its diffusers
// name: 'temporal' (transformer_in, temp_convs, temp_attentions), 'extra'
// (what only the parallel net adds: conv_fusion and its temp_convs' 1×1
// shortcuts), else 'spatial' (the frozen 2D UNet). Written once, as data: the
// planner matches names with it, and the torch worker gets the rules in its
// run message and applies them with the same first-match semantics.
import { z } from 'zod';
import type { ParamGroup } from '../model/params.ts';

const patternSchema = z.strictObject({
  /** The name starts with this (absent: anywhere). */
  prefix: z.string().optional(),
  /** and contains every one of these. */
  contains: z.array(z.string()),
});

export const paramGroupRulesSchema = z.array(z.strictObject({
  group: z.enum(['temporal', 'extra']),
  /** The rule matches a name that matches any of these. */
  anyOf: z.array(patternSchema).nonempty(),
}));
export type ParamGroupRules = z.output<typeof paramGroupRulesSchema>;

/** The first rule that matches decides; a name no rule matches is 'spatial'. */
export const PARAM_GROUP_RULES: ParamGroupRules = [
  { group: 'extra', anyOf: [{ prefix: 'conv_fusion.', contains: [] }, { contains: ['.temp_convs.', '.conv_shortcut.'] }] },
  { group: 'temporal', anyOf: [{ prefix: 'transformer_in.', contains: [] }, { contains: ['.temp_convs.'] }, { contains: ['.temp_attentions.'] }] },
];

export function paramGroup(name: string, rules: ParamGroupRules = PARAM_GROUP_RULES): ParamGroup {
  const matches = (p: { prefix?: string | undefined; contains: string[] }) => (p.prefix == null || name.startsWith(p.prefix)) && p.contains.every((s) => name.includes(s));
  return rules.find((rule) => rule.anyOf.some(matches))?.group ?? 'spatial';
}

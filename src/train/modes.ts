// The tuning modes of the paper's Fig. 4: which network, which weights train.
import { UserError } from '../user-error.ts';
import type { ParamGroup } from '../model/params.ts';
import type { NetworkKind } from '../model/video-unet.ts';

export const MODES = ['full', 'delta-serial', 'delta-parallel'] as const;
export type Mode = (typeof MODES)[number];

export interface ModeSpec {
  network: NetworkKind;
  trainable: readonly ParamGroup[];
  description: string;
}

export const MODE_SPECS: Record<Mode, ModeSpec> = {
  full: { network: 'serial', trainable: ['spatial', 'temporal'], description: 'serial net, every weight trains (Fig. 4a)' },
  'delta-serial': { network: 'serial', trainable: ['temporal'], description: 'serial net, temporal layers train (Fig. 4b)' },
  'delta-parallel': { network: 'parallel', trainable: ['temporal', 'extra'], description: "parallel net, temporal layers and the parallel net's own layers train (Fig. 4c)" },
};

export function parseMode(name: string): Mode {
  if (!(MODES as readonly string[]).includes(name)) {
    throw new UserError(`unknown mode '${name}': use one of ${MODES.join(', ')}`);
  }
  return name as Mode;
}

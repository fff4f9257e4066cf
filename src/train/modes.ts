// The tuning modes of the paper's Fig. 4 — which network, which weights
// train — and the activation-checkpointing baselines a user reaches for
// instead of a new architecture (each layer recomputed in the backward pass).
import { UserError } from '../user-error.ts';
import type { ParamGroup } from '../model/params.ts';
import type { NetworkKind } from '../model/video-unet.ts';

export const MODES = ['full', 'delta-serial', 'delta-parallel', 'delta-serial-ckpt', 'delta-parallel-ckpt'] as const;
export type Mode = (typeof MODES)[number];

export interface ModeSpec {
  network: NetworkKind;
  trainable: readonly ParamGroup[];
  /** Each layer (serial: SC → TC → SA → TA; parallel: one time-stream layer) recomputed in backward. */
  checkpointed: boolean;
  description: string;
}

export const MODE_SPECS: Record<Mode, ModeSpec> = {
  full: { network: 'serial', trainable: ['spatial', 'temporal'], checkpointed: false, description: 'serial net, every weight trains (Fig. 4a)' },
  'delta-serial': { network: 'serial', trainable: ['temporal'], checkpointed: false, description: 'serial net, temporal layers train (Fig. 4b)' },
  'delta-parallel': { network: 'parallel', trainable: ['temporal', 'extra'], checkpointed: false, description: "parallel net, temporal layers and the parallel net's own layers train (Fig. 4c)" },
  'delta-serial-ckpt': { network: 'serial', trainable: ['temporal'], checkpointed: true, description: 'delta-serial with each layer activation-checkpointed' },
  'delta-parallel-ckpt': { network: 'parallel', trainable: ['temporal', 'extra'], checkpointed: true, description: 'delta-parallel with each time-stream layer activation-checkpointed' },
};

export function parseMode(name: string): Mode {
  if (!(MODES as readonly string[]).includes(name)) {
    throw new UserError(`unknown mode '${name}': use one of ${MODES.join(', ')}`);
  }
  return name as Mode;
}

// Device memory sizes the planner checks a cell against. The paper's figures
// are MiB-based (an A100-40GB is 40960 MB), so "40gb" means 40 GiB here.
import { UserError } from '../user-error.ts';

const GIB = 1024 ** 3;
export const DEVICES: Record<string, number> = {
  'a100-40gb': 40 * GIB,
  'a100-80gb': 80 * GIB,
  'v100-32gb': 32 * GIB,
  'v100-16gb': 16 * GIB,
  'h100-80gb': 80 * GIB,
};

export interface Device {
  name: string;
  bytes: number;
}

export function parseDevice(text: string): Device {
  const key = text.toLowerCase();
  if (DEVICES[key] != null) return { name: key, bytes: DEVICES[key]! };
  const m = /^(\d+(?:\.\d+)?)gib$/.exec(key);
  if (m && Number(m[1]) > 0) return { name: key, bytes: Number(m[1]) * GIB };
  throw new UserError(`--device '${text}': use one of ${Object.keys(DEVICES).join(', ')} or <N>gib with N > 0 (e.g. 24gib)`);
}

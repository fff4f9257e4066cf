// Flag parsers shared by the commands: each rejects a bad value with a
// message that names the flag and what it accepts.
import { InvalidArgumentError } from 'commander';

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got '${value}'`);
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a non-negative integer, got '${value}'`);
    return n;
  };
}

export function oneOf<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${flag} must be one of ${choices.join(', ')}, got '${value}'`);
    }
    return value as T;
  };
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number, got '${value}'`);
    return n;
  };
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** A memory size: bytes (`42949672960`), a number and unit (`40GiB`, `512 MiB`, `80GB`), or a device the planner knows (`a100-40gb`). */
export function memorySize(flag: string, devices: Record<string, number>) {
  return (value: string): number => {
    const key = value.trim().toLowerCase();
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(key);
    const bytes = devices[key] ?? (m && (m[2] === '' || SIZE_UNITS[m[2]!] != null) ? Number(m[1]) * (m[2] ? SIZE_UNITS[m[2]]! : 1) : NaN);
    if (!Number.isFinite(bytes) || bytes < 1) {
      throw new InvalidArgumentError(`${flag} must be a size such as 40GiB, 512MiB, 80GB or a number of bytes, or one of ${Object.keys(devices).join(', ')}; got '${value}'`);
    }
    return Math.floor(bytes);
  };
}

// Finding the Python that runs the torch worker, and asking it what it has.
// The interpreter is `--python`, then $MOBIUS_PYTHON, then the first of
// `python3` and `/usr/bin/python3` that imports torch (Debian installs its
// torch for /usr/bin/python3 while `python3` on PATH may be a pyenv without
// it). The worker package lives in the repository's python/ folder and is
// put on PYTHONPATH; nothing is installed into the user's environment.
import { execFile } from 'node:child_process';
import { runtimeFile } from '../runtime-files.ts';
import { UserError } from '../../user-error.ts';

/** The folder holding the `mobius_bench_torch` package. */
export const TORCH_PACKAGE_ROOT = runtimeFile('python');

const PROBE_TIMEOUT_MS = 60_000;

/** What `python -m mobius_bench_torch.env` reports. */
export interface TorchEnvironment {
  python: string;
  executable: string;
  torch: string;
  numpy: string | null;
  cudaAvailable: boolean;
  cuda: string | null;
  cudnn: number | null;
  devices: Array<{ name: string; totalMemoryBytes: number; capability: string }>;
  sdpa: boolean;
  flash: boolean | null;
  tf32Capable: boolean;
}

export interface TorchPython {
  executable: string;
  /** Where the choice came from: 'flag', 'MOBIUS_PYTHON' or 'search'. */
  source: 'flag' | 'MOBIUS_PYTHON' | 'search';
  env: TorchEnvironment;
}

/** The environment a torch worker process gets: the package on PYTHONPATH, unbuffered output. */
export function torchWorkerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = base['PYTHONPATH'] ? `${TORCH_PACKAGE_ROOT}:${base['PYTHONPATH']}` : TORCH_PACKAGE_ROOT;
  return { ...base, PYTHONPATH: path, PYTHONUNBUFFERED: '1' };
}

function run(executable: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(executable, args, { env: torchWorkerEnv(), timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const code = err == null ? 0 : typeof (err as NodeJS.ErrnoException).code === 'number' ? ((err as unknown as { code: number }).code) : null;
      resolve({ code, stdout, stderr, missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' });
    });
  });
}

/** Asks `executable` for its torch environment; a string says why it cannot run the worker. */
export async function probeTorchPython(executable: string): Promise<TorchEnvironment | string> {
  const r = await run(executable, ['-m', 'mobius_bench_torch.env']);
  if (r.missing) return `${executable}: no such interpreter`;
  if (r.code !== 0) {
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    if (/No module named 'torch'/.test(last)) return `${executable} has no torch`;
    return `${executable} cannot run the worker: ${last || `exit ${r.code}`}`;
  }
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchEnvironment;
  } catch {
    return `${executable}: the environment probe printed no JSON`;
  }
}

const INSTALL_HINT = 'install PyTorch for a Python ≥ 3.10 (Debian: apt-get install python3-torch; elsewhere: pip install torch), or name the interpreter with --python or MOBIUS_PYTHON';

/** The interpreter for the torch worker, or a UserError naming what to install. */
export async function locateTorchPython(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<TorchPython> {
  const chosen = explicit ? { executable: explicit, source: 'flag' as const } : env['MOBIUS_PYTHON'] ? { executable: env['MOBIUS_PYTHON'], source: 'MOBIUS_PYTHON' as const } : null;
  if (chosen) {
    const probed = await probeTorchPython(chosen.executable);
    if (typeof probed === 'string') throw new UserError(`${chosen.source === 'flag' ? '--python' : 'MOBIUS_PYTHON'}: ${probed}; ${INSTALL_HINT}`);
    return { ...chosen, env: probed };
  }
  const reasons: string[] = [];
  for (const executable of ['python3', '/usr/bin/python3']) {
    const probed = await probeTorchPython(executable);
    if (typeof probed !== 'string') return { executable, source: 'search', env: probed };
    reasons.push(probed);
  }
  throw new UserError(`backend 'torch' needs a Python with torch: ${reasons.join('; ')}; ${INSTALL_HINT}`);
}

/** Refuses a device the interpreter cannot give, before any cell starts. */
export function requireTorchDevice(python: TorchPython, device: string): void {
  if (device === 'cuda' && !python.env.cudaAvailable) {
    throw new UserError(`device 'cuda': torch ${python.env.torch} at ${python.executable} sees no CUDA device; install a CUDA build of torch on a machine with an NVIDIA GPU, or add --device cpu to the run command to run the cells on the CPU (CPU figures: slow, and no GPU memory)`);
  }
}

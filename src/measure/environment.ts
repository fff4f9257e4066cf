// The environment a result was measured in: Node, OS, CPU, RAM, tfjs package
// versions, GPUs (nvidia-smi), CUDA, the git commit, the suite file's hash;
// and which tfjs backends are installed and actually load. Every external tool
// runs in a child process with a timeout; a missing or broken tool gives a
// null and a note, never an exception.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import { parse } from 'csv-parse/sync';
import { isBundledPackage, packageVersion } from '../backend/runtime-files.ts';

export interface GpuDevice {
  index: number;
  name: string;
  uuid: string;
  memoryTotalMiB: number | null;
}

export interface Environment {
  node: string;
  platform: string;
  /** `os.type() os.release()`, e.g. "Linux 6.8.0-45-generic". */
  os: string;
  arch: string;
  cpu: { model: string; cores: number };
  memoryBytes: number;
  /** Installed package versions; null when the package is not installed. */
  tfjs: { core: string; wasm: string | null; node: string | null; nodeGpu: string | null };
  gpu: { available: boolean; devices: GpuDevice[]; driver: string | null; cuda: string | null; note: string | null };
  git: { commit: string | null; dirty: boolean | null; note: string | null };
  suite?: { path: string; sha256: string };
}

export interface BackendProbe {
  name: 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  package: string;
  installed: boolean;
  loads: boolean;
  /** Why it did not load: the first line of the child's stderr. */
  error: string | null;
}

const require = createRequire(import.meta.url);
const TOOL_TIMEOUT_MS = 5_000;
const LOAD_TIMEOUT_MS = 20_000;

interface RunResult {
  ok: boolean;
  /** The executable does not exist (ENOENT). */
  missing: boolean;
  stdout: string;
  stderr: string;
  /** One line saying why it failed; null when ok. */
  error: string | null;
}

function firstLine(text: string): string | null {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
  return line ?? null;
}

/** Runs a command; resolves with what happened, never rejects. */
function run(file: string, args: string[], opts: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve) => {
    try {
      execFile(
        file,
        args,
        { cwd: opts.cwd, timeout: opts.timeoutMs, env: opts.env, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024, windowsHide: true },
        (err, stdout, stderr) => {
          if (!err) {
            resolve({ ok: true, missing: false, stdout, stderr, error: null });
            return;
          }
          const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null; code?: string | number | null };
          const missing = e.code === 'ENOENT';
          let error: string;
          if (missing) error = 'not found';
          else if (e.killed && e.signal) error = `timed out after ${opts.timeoutMs / 1000} s`;
          else error = firstLine(stderr) ?? (e.signal ? `killed by ${e.signal}` : firstLine(e.message) ?? 'failed');
          resolve({ ok: false, missing, stdout, stderr, error });
        },
      );
    } catch (err) {
      // execFile throws synchronously for some bad arguments.
      resolve({ ok: false, missing: false, stdout: '', stderr: '', error: firstLine((err as Error).message) ?? 'failed' });
    }
  });
}

/** nvidia-smi writes "[N/A]", "[Not Supported]" and the like for unknown values. */
function smiValue(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === '' || /^\[.*\]$/.test(t) || t === 'N/A') return null;
  return t;
}

async function captureGpu(nvidiaSmi: string): Promise<Environment['gpu']> {
  const none = (note: string): Environment['gpu'] => ({ available: false, devices: [], driver: null, cuda: null, note });
  const [query, plain] = await Promise.all([
    run(nvidiaSmi, ['--query-gpu=index,name,uuid,memory.total,driver_version', '--format=csv,noheader,nounits'], { timeoutMs: TOOL_TIMEOUT_MS }),
    run(nvidiaSmi, [], { timeoutMs: TOOL_TIMEOUT_MS }),
  ]);
  if (query.missing) return none('nvidia-smi not found');
  if (!query.ok) return none(`nvidia-smi failed: ${query.error}`);
  let rows: string[][];
  try {
    rows = parse(query.stdout, { trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    return none(`could not parse nvidia-smi output: ${firstLine((err as Error).message)}`);
  }
  const devices: GpuDevice[] = [];
  let driver: string | null = null;
  for (const row of rows) {
    const index = Number(smiValue(row[0]));
    const memory = smiValue(row[3]);
    const memoryNumber = memory === null ? NaN : Number(memory);
    devices.push({
      index: Number.isInteger(index) ? index : devices.length,
      name: smiValue(row[1]) ?? 'unknown',
      uuid: smiValue(row[2]) ?? 'unknown',
      memoryTotalMiB: Number.isFinite(memoryNumber) ? memoryNumber : null,
    });
    driver ??= smiValue(row[4]);
  }
  const cuda = plain.ok ? (/CUDA Version:\s*([0-9][0-9.]*)/.exec(plain.stdout)?.[1] ?? null) : null;
  return {
    available: devices.length > 0,
    devices,
    driver,
    cuda,
    note: devices.length === 0 ? 'nvidia-smi lists no GPU' : null,
  };
}

async function captureGit(cwd: string): Promise<Environment['git']> {
  if (!existsSync(cwd)) return { commit: null, dirty: null, note: `directory not found: ${cwd}` };
  const [head, status] = await Promise.all([
    run('git', ['rev-parse', 'HEAD'], { cwd, timeoutMs: TOOL_TIMEOUT_MS }),
    run('git', ['status', '--porcelain'], { cwd, timeoutMs: TOOL_TIMEOUT_MS }),
  ]);
  if (head.missing) return { commit: null, dirty: null, note: 'git not found' };
  const commit = head.ok ? head.stdout.trim() : null;
  const validCommit = commit !== null && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null;
  const dirty = status.ok ? status.stdout.trim().length > 0 : null;
  let note: string | null = null;
  if (!head.ok) note = `no git commit: ${head.error}`;
  else if (validCommit === null) note = `unexpected git rev-parse output: ${firstLine(head.stdout)}`;
  else if (!status.ok) note = `git status failed: ${status.error}`;
  return { commit: validCommit, dirty, note };
}

/**
 * Captures the environment. `cwd` is where git is asked (default: the process
 * cwd); `suitePath` is read relative to the process cwd and recorded as given
 * (a missing suite file rejects); `nvidiaSmi` overrides the executable (tests).
 */
export async function captureEnvironment(opts: { cwd?: string; suitePath?: string; nvidiaSmi?: string } = {}): Promise<Environment> {
  const cpus = os.cpus();
  const [gpu, git, suiteBytes] = await Promise.all([
    captureGpu(opts.nvidiaSmi ?? 'nvidia-smi'),
    captureGit(opts.cwd ?? process.cwd()),
    opts.suitePath === undefined ? Promise.resolve(null) : readFile(opts.suitePath),
  ]);
  const env: Environment = {
    node: process.version,
    platform: process.platform,
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length },
    memoryBytes: os.totalmem(),
    tfjs: {
      core: packageVersion('@tensorflow/tfjs-core') ?? 'unknown',
      wasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
      node: packageVersion('@tensorflow/tfjs-node'),
      nodeGpu: packageVersion('@tensorflow/tfjs-node-gpu'),
    },
    gpu,
    git,
  };
  if (opts.suitePath !== undefined && suiteBytes !== null) {
    env.suite = { path: opts.suitePath, sha256: createHash('sha256').update(suiteBytes).digest('hex') };
  }
  return env;
}

const PROBED: ReadonlyArray<[BackendProbe['name'], string]> = [
  ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ['tensorflow', '@tensorflow/tfjs-node'],
  ['wasm', '@tensorflow/tfjs-backend-wasm'],
  ['cpu', '@tensorflow/tfjs-backend-cpu'],
];

// Runs in the child: loads the module by absolute path and reports a load
// failure as one line on stderr (a crash of a native module leaves it empty).
const LOADER = `try { require(process.argv[1]); } catch (e) { process.stderr.write(String((e && e.message) || e).split('\\n')[0] + '\\n'); process.exit(1); }`;

async function probe(name: BackendProbe['name'], pkg: string): Promise<BackendProbe> {
  // Inside the bundle, which loaded already: there is no package file to load apart.
  if (isBundledPackage(pkg)) return { name, package: pkg, installed: true, loads: true, error: null };
  try {
    require.resolve(`${pkg}/package.json`);
  } catch {
    return { name, package: pkg, installed: false, loads: false, error: null };
  }
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch (err) {
    return { name, package: pkg, installed: true, loads: false, error: firstLine((err as Error).message) ?? 'cannot resolve' };
  }
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', TF_FORCE_GPU_ALLOW_GROWTH: process.env['TF_FORCE_GPU_ALLOW_GROWTH'] ?? 'true' };
  const r = await run(process.execPath, ['-e', LOADER, entry], { timeoutMs: LOAD_TIMEOUT_MS, env });
  return { name, package: pkg, installed: true, loads: r.ok, error: r.ok ? null : r.error };
}

/** Whether each tfjs backend package is installed and loads, each tried in its own child process. */
export async function probeBackends(): Promise<BackendProbe[]> {
  return Promise.all(PROBED.map(([name, pkg]) => probe(name, pkg)));
}

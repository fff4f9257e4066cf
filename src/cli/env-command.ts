// `mobius-bench env`: the machine, the tfjs backends that install and load,
// the torch worker's Python (torch, CUDA, cuDNN, devices, SDPA/flash), the
// GPU and the git commit, as results record them.
import { captureEnvironment, probeBackends } from '../measure/environment.ts';
import type { BackendProbe, Environment } from '../measure/environment.ts';
import { locateTorchPython, type TorchPython } from '../backend/torch/python-locator.ts';
import { formatGiB } from '../results/units.ts';

export interface EnvReport {
  environment: Environment;
  backends: BackendProbe[];
  /** The torch worker's interpreter and what it has, or why there is none. */
  torch: TorchPython | { unavailable: string };
}

export async function envReport(opts: { python?: string } = {}): Promise<EnvReport> {
  const torch = locateTorchPython(opts.python).catch((err: Error) => ({ unavailable: err.message }));
  const [environment, backends] = await Promise.all([captureEnvironment(), probeBackends()]);
  return { environment, backends, torch: await torch };
}

function torchLines(t: EnvReport['torch']): string[] {
  if ('unavailable' in t) return [`  torch          not available: ${t.unavailable}`];
  const e = t.env;
  const lines = [`  torch          torch ${e.torch} (numpy ${e.numpy ?? 'missing'}) at ${t.executable}, Python ${e.python}; SDPA ${e.sdpa ? 'yes' : 'no (explicit attention)'}`];
  if (!e.cudaAvailable) lines.push('                 CUDA not available: the worker trains on the CPU');
  else lines.push(`                 CUDA ${e.cuda ?? '?'}, cuDNN ${e.cudnn ?? '?'}, flash attention ${e.flash == null ? 'unknown' : e.flash ? 'enabled' : 'disabled'}, TF32 ${e.tf32Capable ? 'capable' : 'no'}`);
  for (const d of e.devices) lines.push(`                 ${d.name}, ${formatGiB(d.totalMemoryBytes, 1)}, compute capability ${d.capability}`);
  return lines;
}

export function formatEnv(r: EnvReport): string {
  const e = r.environment;
  const lines = [
    `node ${e.node} on ${e.os} (${e.platform}/${e.arch})`,
    `cpu  ${e.cpu.model} × ${e.cpu.cores}, RAM ${formatGiB(e.memoryBytes, 1)}`,
    `tfjs-core ${e.tfjs.core}`,
    'backends:',
  ];
  for (const b of r.backends) {
    const state = !b.installed ? 'not installed' : b.loads ? 'installed, loads' : `installed, does not load: ${b.error ?? 'unknown error'}`;
    lines.push(`  ${b.name.padEnd(15)}${b.package.padEnd(32)}${state}`);
  }
  lines.push(...torchLines(r.torch));
  if (e.gpu.available) {
    for (const d of e.gpu.devices) {
      const mem = d.memoryTotalMiB === null ? 'memory unknown' : `${d.memoryTotalMiB} MiB`;
      lines.push(`gpu ${d.index}: ${d.name}, ${mem} (driver ${e.gpu.driver ?? 'unknown'}, CUDA ${e.gpu.cuda ?? 'unknown'})`);
    }
  } else {
    lines.push(`no GPU seen (${e.gpu.note ?? 'unknown reason'})`);
  }
  if (e.git.commit !== null) {
    const dirty = e.git.dirty === null ? 'state unknown' : e.git.dirty ? 'dirty' : 'clean';
    lines.push(`git ${e.git.commit} (${dirty})`);
  } else {
    lines.push(`git: no commit (${e.git.note ?? 'unknown reason'})`);
  }
  if (e.suite) lines.push(`suite ${e.suite.path} sha256 ${e.suite.sha256}`);
  return lines.join('\n');
}

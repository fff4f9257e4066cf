// What the torch worker adds to a step: the worker's measured step times
// (through the harness: executor, JSON lines, memory probes between steps)
// against a bare loop of the same Trainer in a plain Python process, same
// cell, alternated A B A B so that machine noise falls on both. Prints the
// medians, their ratio and the worker's start-up.
//   npx tsx bench/torch-worker-overhead.ts [--preset tiny] [--mode delta-serial] [--size 64] [--frames 4] [--steps 20] [--rounds 3] [--device cpu]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { locateTorchPython, torchWorkerEnv } from '../src/backend/torch/python-locator.ts';
import { runCell } from '../src/runner/run-cell.ts';
import { torchWorkerExecutor } from '../src/runner/torch-executor.ts';
import { expandSuite } from '../src/suite/expand.ts';
import { validateSuite } from '../src/suite/load.ts';

const { values } = parseArgs({ options: {
  preset: { type: 'string', default: 'tiny' }, mode: { type: 'string', default: 'delta-serial' }, size: { type: 'string', default: '64' },
  frames: { type: 'string', default: '4' }, steps: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' }, device: { type: 'string', default: 'cpu' },
} });
const python = await locateTorchPython();
const [cell] = expandSuite(validateSuite({
  name: 'overhead', backend: 'torch', device: values.device, presets: [values.preset], modes: [values.mode],
  sweep: { frames: [Number(values.frames)], size: [Number(values.size)] }, warmup: 2, steps: Number(values.steps),
}, 'bench'));

// The same Trainer the worker builds, stepped in a loop with the worker's clock and synchronisation.
const BARE = `
import json, sys, time, torch
from mobius_bench_torch.config import UNetConfig
from mobius_bench_torch.runtime import resolve_device
from mobius_bench_torch.trainer import Trainer
c = json.loads(sys.argv[1])
device = resolve_device(c["device"])
t = Trainer(UNetConfig.from_json(c["unet"]), c["mode"], batch=c["batch"], accum=c["accum"], frames=c["frames"], size=c["size"],
            text_length=c["textLength"], seed=c["seed"], device=device)
sync = (lambda: torch.cuda.synchronize()) if device.type == "cuda" else (lambda: None)
for _ in range(c["warmup"]): t.step()
ms = []
for _ in range(c["steps"]):
    sync(); t0 = time.perf_counter(); t.step(); sync(); ms.append((time.perf_counter() - t0) * 1000)
print(json.dumps(ms))
`;

const worker: number[] = [];
const bare: number[] = [];
const startup: number[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  const r = await runCell(cell!, torchWorkerExecutor(python.executable), { timeoutMs: 600_000, sampler: null });
  if (r.status !== 'ok') throw new Error(`worker: ${r.error.message}\n${r.error.stderrTail}`);
  worker.push(median(r.stepMs));
  if (r.startup) startup.push(r.startup.importMs + r.startup.buildMs);
  const b = spawnSync(python.executable, ['-c', BARE, JSON.stringify(cell!.config)], { env: torchWorkerEnv(), encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`bare loop: ${b.stderr}`);
  bare.push(median(JSON.parse(b.stdout) as number[]));
}
const w = median(worker);
const b = median(bare);
console.log(`${cell!.config.preset} ${cell!.config.mode} ${cell!.config.frames}f ${cell!.config.size}px on ${values.device}, ${values.steps} steps × ${values.rounds} rounds (torch ${python.env.torch})`);
console.log(`median step: worker ${w.toFixed(1)} ms, bare loop ${b.toFixed(1)} ms, worker / bare = ${(w / b).toFixed(4)} (per round: ${worker.map((x, i) => (x / bare[i]!).toFixed(3)).join(', ')})`);
console.log(`worker start-up (torch import + build): median ${median(startup).toFixed(0)} ms`);

// `mobius-bench step`: one training configuration, in this process — step
// times, losses and tensor memory. (The runner's `run` gives each cell a
// process of its own; this is for a quick look.)
import { isInstalled } from '../backend/tfjs/installed.ts';
import { initBackend, type BackendChoice, type BackendInfo } from '../backend/tfjs/select.ts';
import { captureEnvironment } from '../measure/environment.ts';
import { planInChild } from '../plan/plan-in-child.ts';
import { machineMemory, unfitCells } from '../runner/memory-budget.ts';
import { cellOf } from '../protocol/cell-config.ts';
import { cellLabel } from '../protocol/labels.ts';
import { UserError } from '../user-error.ts';
import { getPreset, type PresetName } from '../model/config.ts';
import { measureSteps, type StepMeasurements, type TensorMemory } from '../measure/measure-steps.ts';
import { BufferTracker } from '../measure/tensor-memory.ts';
import type { Mode } from '../train/modes.ts';
import { Trainer } from '../train/trainer.ts';
import { paramsReport, type NetworkParams } from '../model/params-report.ts';
import { MODE_SPECS } from '../train/modes.ts';
import { stepTimeStats } from '../results/stats.ts';
import { formatMB, formatMs, formatNumber } from '../results/units.ts';

export interface StepOptions {
  preset: string;
  mode: Mode;
  backend: BackendChoice;
  batch: number;
  accum: number;
  frames?: number;
  size?: number;
  steps: number;
  warmup: number;
  seed: number;
  /** AdamW's learning rate (default 1e-4). */
  lr?: number;
  /** Run even where the planner says the step cannot fit the backend's memory. */
  force?: boolean;
}

/** Plans the step (a few seconds, in a child process) and refuses it where it cannot fit what the backend can use here. */
async function refuseUnfit(opts: StepOptions, config: StepReport['config']): Promise<void> {
  const preset = getPreset(opts.preset);
  const cell = cellOf({ preset: preset.name, unet: preset.config, mode: opts.mode, backend: opts.backend, ...config, learningRate: opts.lr });
  const [plan] = await planInChild([cell], 'a100-40gb');
  // nvidia-smi is asked only where tfjs-node-gpu could use a GPU.
  const gpus = isInstalled('@tensorflow/tfjs-node-gpu') ? (await captureEnvironment()).gpu.devices : [];
  const [unfit] = unfitCells([plan!], machineMemory(gpus, null));
  if (unfit) throw new UserError(`step ${cellLabel(cell.config)} on ${opts.backend}: ${unfit.reason}`);
}

export interface StepReport extends StepMeasurements {
  preset: PresetName;
  mode: Mode;
  backend: BackendInfo;
  config: { batch: number; accum: number; frames: number; size: number; textLength: number; steps: number; warmup: number; seed: number };
  params: NetworkParams;
  /** The tracker is always on here. */
  memory: TensorMemory;
}

export async function runStepCommand(opts: StepOptions): Promise<StepReport> {
  const preset = getPreset(opts.preset);
  const config = {
    batch: opts.batch,
    accum: opts.accum,
    frames: opts.frames ?? preset.defaults.frames,
    size: opts.size ?? preset.defaults.size,
    textLength: preset.defaults.textLength,
    steps: opts.steps,
    warmup: opts.warmup,
    seed: opts.seed,
  };
  // Before any tensor exists, so every buffer is counted.
  const tracker = new BufferTracker().install();
  try {
    // A missing backend is said before the plan's seconds; the plan runs in a child process, so no tensor exists here yet.
    const backend = await initBackend(opts.backend);
    if (!opts.force) await refuseUnfit(opts, config);
    const trainer = new Trainer({ config: preset.config, mode: opts.mode, ...config, learningRate: opts.lr });
    try {
      const measured = await measureSteps(trainer, tracker, { warmup: opts.warmup, steps: opts.steps });
      const params = paramsReport(preset.name)[MODE_SPECS[opts.mode].network];
      return { preset: preset.name, mode: opts.mode, backend, config, params, ...measured };
    } finally {
      trainer.dispose();
    }
  } finally {
    tracker.uninstall();
  }
}

export function formatStep(r: StepReport): string {
  const m = r.memory;
  return [
    `${r.preset} ${r.mode} on ${r.backend.name} (${r.backend.package} ${r.backend.version}): batch ${r.config.batch} × accum ${r.config.accum}, ${r.config.frames} frames, ${r.config.size} px`,
    `step        median ${formatMs(stepTimeStats(r.stepMs, r.config.batch * r.config.accum).medianMs)}  [${r.stepMs.map((t) => formatMs(t)).join(', ')}]`,
    `loss        ${r.loss.map((l) => l.toFixed(4)).join(', ')}`,
    `tensors     start ${formatMB(m.startBytes)} (weights ${formatMB(m.weightsBytes)}, optimizer ${formatMB(m.optimizerBytes)})  peak ${formatMB(m.peakBytes)}  peak − start ${formatMB(m.peakAboveStartBytes)}`,
    `params      trainable ${formatNumber(r.mode === 'full' ? r.params.trainable.full : r.params.trainable.delta)} of ${formatNumber(r.params.total)}`,
  ].join('\n');
}

// Overhead of the unique-buffer tracker on a training step: the same trainer
// steps with the tracker installed and not, interleaved in rounds, medians
// and their ratio; plus the kernels and buffers a step makes, and the cost of
// one tracked buffer in isolation (to scale to 100k+ kernels a step).
//   npx tsx bench/tracker-overhead.ts [--preset tiny] [--mode delta-serial] [--rounds 7] [--steps 2]
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { getPreset } from '../src/model/config.ts';
import { BufferTracker } from '../src/measure/tensor-memory.ts';
import { parseMode } from '../src/train/modes.ts';
import { Trainer } from '../src/train/trainer.ts';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'tiny' }, mode: { type: 'string', default: 'delta-serial' }, rounds: { type: 'string', default: '7' }, steps: { type: 'string', default: '2' } } });

await initBackend('wasm');
const preset = getPreset(values.preset!);
const trainer = new Trainer({ config: preset.config, mode: parseMode(values.mode!), batch: 1, accum: 1, ...preset.defaults, seed: 1 });
trainer.step();

// Kernels and new buffers in one step.
const engine = tf.engine() as unknown as { trackTensor: (...a: unknown[]) => void; state: { numTensors: number } };
let tracked = 0;
const original = engine.trackTensor;
engine.trackTensor = function (this: unknown, ...a: unknown[]) { tracked++; return original.apply(engine, a); };
const kernelsBefore = (tf.engine() as unknown as { state: { nextTapeNodeId: number } }).state.nextTapeNodeId;
trainer.step();
delete (engine as Partial<typeof engine>).trackTensor;
console.log(`${values.preset} ${values.mode}: ${tracked} tensors tracked in one step (taped kernels ≥ ${(tf.engine() as unknown as { state: { nextTapeNodeId: number } }).state.nextTapeNodeId - kernelsBefore})`);

const on: number[] = [];
const off: number[] = [];
const steps = Number(values.steps);
for (let r = 0; r < Number(values.rounds); r++) {
  for (const withTracker of r % 2 === 0 ? [true, false] : [false, true]) {
    const tracker = withTracker ? new BufferTracker().install(0) : null;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      trainer.step();
      (withTracker ? on : off).push(performance.now() - t0);
    }
    tracker?.uninstall();
  }
}
const mOn = median(on);
const mOff = median(off);
console.log(`step median with tracker ${mOn.toFixed(1)} ms, without ${mOff.toFixed(1)} ms, ratio ${(mOn / mOff).toFixed(4)} (${on.length} steps each)`);

// One tracked buffer in isolation: make and free 200k small tensors.
const N = 200_000;
const churn = () => {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) tf.tidy(() => tf.reshape(tf.scalar(i), [1]));
  return performance.now() - t0;
};
churn();
const plain = median([churn(), churn(), churn()]);
const tracker = new BufferTracker().install(0);
const hooked = median([churn(), churn(), churn()]);
tracker.uninstall();
console.log(`200k tensors made and freed: ${plain.toFixed(0)} ms plain, ${hooked.toFixed(0)} ms tracked: ${(((hooked - plain) / N) * 1e6).toFixed(0)} ns per tensor`);

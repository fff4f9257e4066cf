// Tensor memory as unique buffers: exact for hand-built cases, deterministic,
// and ordered full > delta-serial > delta-parallel on the tiny nets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../src/backend/tfjs/tf.ts';
import { initBackend } from '../src/backend/tfjs/select.ts';
import { BufferTracker } from '../src/measure/tensor-memory.ts';
import { measureSteps } from '../src/measure/measure-steps.ts';
import type { Mode } from '../src/train/modes.ts';
import { MODE_SPECS } from '../src/train/modes.ts';
import { Trainer, type TrainerOptions } from '../src/train/trainer.ts';
import { tinyOptions } from './helpers.ts';

const tracker = new BufferTracker().install();
await initBackend('wasm');

test('a reshape and a clone add 0 bytes; a new tensor adds its bytes; dispose gives them back', () => {
  const base = tracker.current;
  const numBytesBase = tf.memory().numBytes;
  const a = tf.zeros([64, 32]);
  assert.equal(tracker.current - base, 64 * 32 * 4);
  const r = tf.reshape(a, [32, 64]);
  const c = tf.clone(a);
  assert.equal(tracker.current - base, 64 * 32 * 4, 'a reshape and a clone share the buffer');
  // The engine's own counter counts the shared buffer three times.
  assert.equal(tf.memory().numBytes - numBytesBase, 3 * 64 * 32 * 4);
  // (wasm's own Identity kernel copies; initBackend makes it share like the cpu backend's.)
  a.dispose();
  r.dispose();
  assert.equal(tracker.current - base, 64 * 32 * 4, 'still held by the clone');
  c.dispose();
  assert.equal(tracker.current, base);
  tracker.resetPeak();
  tf.tidy(() => tf.add(tf.ones([100]), tf.ones([100]))).dispose();
  assert.equal(tracker.peak - base, 3 * 100 * 4);
  assert.equal(tracker.current, base);
});

// 4 frames of 64 px: at the 32 px test shape weights and optimizer state dominate the peak.
const ACTIVATIONS_MATTER = { frames: 4, size: 64 };

async function measure(options: TrainerOptions) {
  const trainer = new Trainer(options);
  try {
    return { trainer, ...(await measureSteps(trainer, tracker, { warmup: 1, steps: 2 })) };
  } finally {
    trainer.dispose();
  }
}

test('peak bytes: delta-parallel < delta-serial < full, with an exact weights / optimizer split', async () => {
  const peaks = new Map<Mode, number>();
  for (const mode of ['full', 'delta-serial', 'delta-parallel'] as Mode[]) {
    const { trainer, memory } = await measure(tinyOptions(mode, ACTIVATIONS_MATTER));
    const counts = trainer.net.counts();
    const trainable = MODE_SPECS[mode].trainable.reduce((s, g) => s + counts[g], 0);
    assert.equal(memory.weightsBytes, 4 * counts.total);
    // Adam: two moments per trainable weight.
    assert.equal(memory.optimizerBytes, 8 * trainable);
    assert.ok(memory.startBytes >= memory.weightsBytes + memory.optimizerBytes);
    assert.equal(memory.peakAboveStartBytes, memory.peakBytes - memory.startBytes);
    peaks.set(mode, memory.peakBytes);
  }
  assert.ok(peaks.get('delta-parallel')! < peaks.get('delta-serial')!, JSON.stringify([...peaks]));
  assert.ok(peaks.get('delta-serial')! < peaks.get('full')!, JSON.stringify([...peaks]));
});

test('peak bytes are deterministic, and the frozen stream outside the tape lowers them', async () => {
  const before = tracker.current;
  const a = await measure(tinyOptions('delta-parallel', ACTIVATIONS_MATTER));
  assert.equal(tracker.current, before, 'a measured run leaves no tensor behind');
  const b = await measure(tinyOptions('delta-parallel', ACTIVATIONS_MATTER));
  assert.equal(a.memory.peakBytes, b.memory.peakBytes);
  assert.equal(a.memory.startBytes, b.memory.startBytes);
  const inTape = await measure(tinyOptions('delta-parallel', { ...ACTIVATIONS_MATTER, hoistFrozen: false }));
  assert.ok(a.memory.peakBytes < inTape.memory.peakBytes, `${a.memory.peakBytes} vs ${inTape.memory.peakBytes}`);
  const serialHoisted = await measure(tinyOptions('delta-serial', ACTIVATIONS_MATTER));
  const serialInTape = await measure(tinyOptions('delta-serial', { ...ACTIVATIONS_MATTER, hoistFrozen: false }));
  assert.ok(serialHoisted.memory.peakBytes <= serialInTape.memory.peakBytes);
});

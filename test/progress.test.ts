// The runner's progress: on a TTY each finished cell's line is printed above
// the bar while the run goes on (as cargo and hyperfine do), and failures are
// repeated after the bar stops; elsewhere plain lines, with no escape codes.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { readResults } from '../src/results/jsonl.ts';
import { makeProgress } from '../src/runner/progress.ts';

// tiny full (ok), tiny delta-serial (failed: injected fault), tiny delta-parallel (ok).
const [ok, failed, ok2] = readResults(fileURLToPath(new URL('./fixtures/runs/smoke-failed/results.jsonl', import.meta.url))).results;

/** A stream that says it is a terminal, keeping what is written to it. */
class FakeStream extends Writable {
  text = '';
  columns = 160;
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

test('on a TTY each finished cell is printed above the bar as it ends, and failures again after the bar', async () => {
  assert.ok(ok?.status === 'ok' && failed?.status === 'failed' && ok2?.status === 'ok');
  const tty = new FakeStream(true);
  const progress = makeProgress({ json: false, stream: tty });
  progress.start(3);
  progress.cellStart(ok.label);
  await sleep(250);
  assert.match(tty.text, /cell 0\/3 \[/, 'the bar is drawn');
  progress.cellEnd(ok);
  // Within a redraw (100 ms), while the run goes on: not only at the end.
  await sleep(300);
  const first = `[1/3] ${ok.label} ${ok.id}: ok`;
  assert.ok(tty.text.includes(first), tty.text);
  assert.match(tty.text.slice(tty.text.indexOf(first)), /\n(\x1b\[1G)?cell 1\/3 \[/, 'the bar is drawn again below it');
  progress.cellStart(failed.label);
  progress.cellEnd(failed);
  progress.cellStart(ok2.label);
  progress.cellEnd(ok2);
  progress.stop();
  const failure = `[2/3] ${failed.label} ${failed.id}: FAILED (error): injected fault in cell ${failed.id}`;
  const last = `[3/3] ${ok2.label} ${ok2.id}: ok`;
  // Printed before stop() had its redraw or not: every line is there once above the bar.
  assert.ok(tty.text.includes(last), 'a line logged just before stop() is not lost');
  assert.ok(tty.text.indexOf(failure) < tty.text.indexOf(last));
  // The failure once in order, and once more after the final bar.
  assert.equal(tty.text.split(failure).length - 1, 2);
  assert.ok(tty.text.lastIndexOf(failure) > tty.text.lastIndexOf('cell 3/3'), 'repeated below the stopped bar');
  assert.ok(tty.text.endsWith(`${failure}\n`));
  // Never turned off, so a long failure line above the bar wraps instead of being cut.
  assert.doesNotMatch(tty.text, /\x1b\[\?7l/);
});

test('off a TTY: plain lines, one per started and finished cell, no escape codes', () => {
  const plain = new FakeStream(false);
  const progress = makeProgress({ json: false, stream: plain });
  progress.start(2);
  progress.cellStart(ok!.label);
  progress.cellEnd(ok!);
  progress.cellStart(failed!.label);
  progress.cellEnd(failed!);
  progress.stop();
  const lines = plain.text.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1]!, new RegExp(`^\\[1/2\\] ${ok!.label} ${ok!.id}: ok `));
  assert.match(lines[3]!, /^\[2\/2\] .*: FAILED \(error\): injected fault/);
  assert.doesNotMatch(plain.text, /\x1b/);
  // --json: nothing at all.
  const silent = new FakeStream(true);
  const none = makeProgress({ json: true, stream: silent });
  none.start(1);
  none.cellEnd(ok!);
  none.stop();
  assert.equal(silent.text, '');
});

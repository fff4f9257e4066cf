// A CellExecution backed by a child process. Messages arrive over Node's IPC
// channel or as JSON lines on stdout; stderr, and stdout that is not a
// message, is kept as a tail for a failed cell's record. A torch or any
// other process executor only spawns its process and calls this.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { descendants } from './process-tree.ts';
import type { CellExecution, WorkerExit } from './cell-executor.ts';

const OUTPUT_TAIL_CHARS = 4000;
// After the exit, wait this long at most for the pipes to drain: a worker
// that left a grandchild holding them open must not hang the run.
const DRAIN_CAP_MS = 2000;

export type MessageChannel = 'ipc' | 'stdout-json-lines';

/**
 * `processGroup`: the child leads a process group of its own (spawned detached), and
 * everything in it is killed — on kill() and again once the child has exited — so a
 * launcher's workers (torchrun's ranks) never outlive their cell. `onExit` runs after.
 */
export function processExecution(child: ChildProcess, channel: MessageChannel, onMessage: (message: unknown) => void, opts: { processGroup?: boolean; onExit?: () => void } = {}): CellExecution {
  const killAll = () => {
    if (opts.processGroup && child.pid !== undefined) {
      // The tree first, while the launcher is alive to be its root; then its group.
      for (const pid of [...descendants(child.pid), -child.pid]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // ESRCH: gone already.
        }
      }
    } else {
      child.kill('SIGKILL');
    }
  };
  let tail = '';
  const keep = (text: string) => {
    tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')));
  let linesDone: Promise<void> = Promise.resolve();
  if (channel === 'ipc') {
    child.stdout?.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')));
    child.on('message', onMessage);
  } else if (child.stdout) {
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const message = asMessage(line);
      if (message) onMessage(message);
      else keep(`${line}\n`);
    });
    linesDone = new Promise((resolve) => lines.once('close', resolve));
  }
  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('error', (err) => {
      // A process that never started emits no exit.
      if (child.pid === undefined) resolve({ code: null, signal: null, startError: err.message });
    });
    child.once('exit', (code, signal) => {
      if (opts.processGroup) killAll();
      opts.onExit?.();
      const closed = new Promise<void>((done) => (child.stdout || child.stderr ? child.once('close', () => done()) : done()));
      const cap = new Promise<void>((done) => setTimeout(done, DRAIN_CAP_MS).unref());
      void Promise.race([Promise.all([closed, linesDone]), cap]).then(() => resolve({ code, signal }));
    });
  });
  return {
    get pid() {
      return child.pid;
    },
    exited,
    kill: killAll,
    outputTail: () => tail,
  };
}

/** A stdout line that is a protocol message (a JSON object with a string `type`), or null. */
function asMessage(line: string): unknown {
  if (!line.startsWith('{')) return null;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? value : null;
  } catch {
    return null;
  }
}

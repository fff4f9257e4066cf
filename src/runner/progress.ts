// The only place the runner draws: a progress bar on a TTY (cell k of n, the
// current cell, elapsed, ETA) with each finished cell's line printed above it
// (as cargo and hyperfine do), plain lines otherwise, nothing with --json.
import cliProgress from 'cli-progress';
import { type CellResult } from '../results/cell-result.ts';
import { doesNotFitText } from '../results/does-not-fit.ts';
import { trackedMemory } from '../protocol/worker-outcome.ts';
import { formatMB, formatMs } from '../results/units.ts';

export interface Progress {
  start(total: number): void;
  cellStart(label: string): void;
  cellEnd(result: CellResult): void;
  stop(): void;
}

function outcomeText(r: CellResult): string {
  if (r.status === 'failed' && r.error.reason === 'oom') return `DOES NOT FIT${doesNotFitText(r.error).slice('does not fit'.length)}`;
  if (r.status === 'failed') return `FAILED (${r.error.reason}): ${r.error.message}`;
  const memory = trackedMemory(r.memory);
  return `ok  ${formatMs(r.stats.medianMs)}/step  ${memory ? `peak ${formatMB(memory.peakBytes)}` : 'memory not tracked'}`;
}

function endLine(done: number, total: number, r: CellResult): string {
  return `[${done}/${total}] ${r.label} ${r.id}: ${outcomeText(r)}`;
}

class PlainProgress implements Progress {
  private done = 0;
  private total = 0;
  constructor(private readonly out: NodeJS.WritableStream) {}
  start(total: number) {
    this.total = total;
  }
  cellStart(label: string) {
    this.out.write(`[${this.done + 1}/${this.total}] ${label} …\n`);
  }
  cellEnd(result: CellResult) {
    this.done++;
    this.out.write(`${endLine(this.done, this.total, result)}\n`);
  }
  stop() {}
}

class BarProgress implements Progress {
  // A MultiBar of one bar: SingleBar has no log(), MultiBar prints logged
  // lines above its bars at the next redraw. forceRedraw: the bar's line is
  // overwritten by the logged text, so it must be drawn again even unchanged.
  // linewrap: a long failure message wraps rather than being cut at the
  // terminal's edge (the bar itself is cut to the width either way).
  private readonly multi: cliProgress.MultiBar;
  private bar: cliProgress.SingleBar | null = null;
  private done = 0;
  private total = 0;
  private failures: string[] = [];
  constructor(private readonly out: NodeJS.WritableStream) {
    this.multi = new cliProgress.MultiBar({
      format: 'cell {value}/{total} [{bar}] {label} | elapsed {duration_formatted} | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 5,
      forceRedraw: true,
      linewrap: true,
      stream: out,
    }, cliProgress.Presets.shades_classic);
  }
  start(total: number) {
    this.total = total;
    this.bar = this.multi.create(total, 0, { label: '' });
  }
  cellStart(label: string) {
    this.bar?.update({ label });
  }
  cellEnd(result: CellResult) {
    this.done++;
    this.bar?.increment(1, { label: result.label });
    const line = endLine(this.done, this.total, result);
    this.multi.log(`${line}\n`);
    if (result.status === 'failed') this.failures.push(line);
  }
  stop() {
    if (this.multi.isActive) {
      // MultiBar.stop() does not print what is still waiting in its log: redraw once first.
      this.multi.update();
      this.multi.stop();
    }
    // Failures again after the bar, so the last screen shows them together.
    for (const line of this.failures) this.out.write(`${line}\n`);
  }
}

class SilentProgress implements Progress {
  start() {}
  cellStart() {}
  cellEnd() {}
  stop() {}
}

/** `stream`: where progress goes (default stderr); a bar where it is a TTY. */
export function makeProgress(opts: { json: boolean; stream?: NodeJS.WritableStream & { isTTY?: boolean } }): Progress {
  if (opts.json) return new SilentProgress();
  const stream = opts.stream ?? process.stderr;
  return stream.isTTY ? new BarProgress(stream) : new PlainProgress(stream);
}

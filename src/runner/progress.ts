// The only place the runner draws: a progress bar on a TTY (cell k of n, the
// current cell, elapsed, ETA), plain lines otherwise, nothing with --json.
import cliProgress from 'cli-progress';
import { trackedMemory, type CellResult } from '../results/cell-result.ts';
import { formatMB, formatMs } from '../results/units.ts';

export interface Progress {
  start(total: number): void;
  cellStart(label: string): void;
  cellEnd(result: CellResult): void;
  stop(): void;
}

function outcomeText(r: CellResult): string {
  if (r.status === 'failed') return `FAILED (${r.error.reason}): ${r.error.message}`;
  const memory = trackedMemory(r.memory);
  return `ok  ${formatMs(r.stats.medianMs)}/step  ${memory ? `peak ${formatMB(memory.peakBytes)}` : 'memory not tracked'}`;
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
    this.out.write(`[${this.done}/${this.total}] ${result.label} ${result.id}: ${outcomeText(result)}\n`);
  }
  stop() {}
}

class BarProgress implements Progress {
  private bar = new cliProgress.SingleBar({
    format: 'cell {value}/{total} [{bar}] {label} | elapsed {duration_formatted} | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 5,
  }, cliProgress.Presets.shades_classic);
  start(total: number) {
    this.bar.start(total, 0, { label: '' });
  }
  cellStart(label: string) {
    this.bar.update({ label });
  }
  cellEnd(result: CellResult) {
    this.bar.increment(1, { label: result.label });
    if (result.status === 'failed') this.failures.push(`${result.label} ${result.id}: ${outcomeText(result)}`);
  }
  private failures: string[] = [];
  stop() {
    this.bar.stop();
    // After the bar, so the bar's redraws cannot overwrite them.
    for (const line of this.failures) process.stderr.write(`${line}\n`);
  }
}

class SilentProgress implements Progress {
  start() {}
  cellStart() {}
  cellEnd() {}
  stop() {}
}

export function makeProgress(opts: { json: boolean }): Progress {
  if (opts.json) return new SilentProgress();
  return process.stderr.isTTY ? new BarProgress() : new PlainProgress(process.stderr);
}

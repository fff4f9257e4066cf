// Test hook: MOBIUS_BENCH_FAULT="<text>:<throw|hang|crash>@<start|step>[;…]"
// makes the worker of every cell whose "id label" contains <text> fail that
// way, so that the runner's handling of failing workers is tested on real
// processes.
import { cellLabel, type CellConfig } from '../suite/expand.ts';

export function injectFault(id: string, config: CellConfig, where: 'start' | 'step'): void {
  const spec = process.env['MOBIUS_BENCH_FAULT'];
  if (!spec) return;
  const subject = `${id} ${cellLabel(config)} `;
  const m = spec.split(';').map((part) => /^(.*):(throw|hang|crash)@(start|step)$/.exec(part)).find((x) => x && x[3] === where && subject.includes(x[1]!));
  if (!m) return;
  if (m[2] === 'throw') throw new Error(`injected fault in cell ${id}`);
  if (m[2] === 'crash') process.kill(process.pid, 'SIGKILL');
  // hang: block this process for good (the runner's timeout must end it).
  const until = Date.now() + 24 * 3600 * 1000;
  while (Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

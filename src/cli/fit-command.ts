// `mobius-bench fit SUITE`: the largest batch that fits, measured, per
// configuration and mode, beside the planner's; and what Mobius buys in the
// user's own numbers ("delta-parallel fits batch 6 where delta-serial fits 4").
import { fitSuite, type FitConfiguration, type FitOptions, type FitReport } from '../runner/fit-suite.ts';
import { mdTable } from '../results/markdown.ts';
import { formatBytes } from '../results/units.ts';

/** "6", "≥ 64" (every probe up to the bound fit), "0" (batch 1 does not fit), with an error where the search stopped. */
function measuredText(c: FitConfiguration, maxBatch: number): string {
  if (c.error) return `${c.largestFit} (stopped: ${c.error})`;
  return c.firstUnfit === null && c.largestFit === maxBatch ? `≥ ${maxBatch}` : String(c.largestFit);
}

function plannedText(c: FitConfiguration, maxBatch: number): string {
  if (!c.planned) return '–';
  return c.planned.largestFit >= maxBatch ? `≥ ${maxBatch}` : String(c.planned.largestFit);
}

/** Per configuration: each mode against delta-serial, where both were searched and neither stopped on an error. */
export function savingLines(report: FitReport): string[] {
  const lines: string[] = [];
  const byConfiguration = new Map<string, FitConfiguration[]>();
  for (const c of report.configurations) {
    const key = `${c.backend} ${c.configuration}`;
    byConfiguration.set(key, [...(byConfiguration.get(key) ?? []), c]);
  }
  for (const group of byConfiguration.values()) {
    const serial = group.find((c) => c.mode === 'delta-serial' && !c.error);
    if (!serial) continue;
    for (const c of group) {
      if (c === serial || c.error) continue;
      const ratio = serial.largestFit > 0 ? ` (×${(c.largestFit / serial.largestFit).toFixed(2)})` : '';
      lines.push(`${c.configuration}: ${c.mode} fits batch ${measuredText(c, report.maxBatch)} where delta-serial fits ${measuredText(serial, report.maxBatch)}${ratio}`);
    }
  }
  return lines;
}

export function formatFit(report: FitReport): string {
  const rows = report.configurations.map((c) => [
    c.configuration, c.mode, c.backend, measuredText(c, report.maxBatch), c.firstUnfit === null ? '–' : String(c.firstUnfit),
    plannedText(c, report.maxBatch), `${formatBytes(c.memory.bytes)} (${c.memory.what})`, String(c.probes.length),
  ]);
  const table = mdTable(['configuration', 'mode', 'backend', 'largest batch that fit', 'first that did not', 'planned', 'memory', 'probes'], rows);
  const note = `Each probe: ${report.warmup} warm-up and ${report.steps} measured step(s) in a worker of its own; batches up to ${report.maxBatch}. `
    + 'planned: the planner\'s largest batch for the same memory (PyTorch\'s CUDA allocator for torch cells, so only an estimate for a CPU run).';
  return [table, '', ...savingLines(report), ...(savingLines(report).length ? [''] : []), note].join('\n');
}

export async function fitCommand(opts: FitOptions & { json?: boolean }): Promise<number> {
  const { out, report } = await fitSuite({ ...opts, onProbe: opts.json ? undefined : (line) => console.error(line) });
  if (opts.json) {
    console.log(JSON.stringify(report.configurations.map((c) => ({
      configuration: c.configuration, mode: c.mode, backend: c.backend, largestFit: c.largestFit, firstUnfit: c.firstUnfit,
      planned: c.planned?.largestFit ?? null, memoryBytes: c.memory.bytes, error: c.error,
    })), null, 2));
  } else {
    console.log(formatFit(report));
    console.error(`probes in ${out}/probes.jsonl, the search in ${out}/fit.json${report.interrupted ? ' — interrupted' : ''}`);
  }
  if (report.interrupted) return 130;
  return report.configurations.some((c) => c.error) ? 1 : 0;
}

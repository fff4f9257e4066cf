// The comparison as GitHub Actions workflow commands: `::error` for each
// regression that fails the gate, `::warning` for failing claims, cells on one
// side only and the comparison's warnings. Report-only metrics stay in the
// table and the Markdown: on shared runners they would warn on every run.
// Printed when GITHUB_ACTIONS=true.
import type { Comparison } from './compare.ts';
import { describeMetric } from './format-util.ts';

/** Workflow-command escaping of a message (data). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command escaping of a property value (title=…). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(level: 'error' | 'warning', title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}`;
}

export function formatAnnotations(c: Comparison): string[] {
  const out: string[] = [];
  for (const cell of c.cells) {
    if (cell.metrics.length === 0 && cell.note && (cell.verdict === 'regression' || cell.verdict === 'warning')) {
      out.push(command(cell.verdict === 'regression' ? 'error' : 'warning', `mobius-bench ${c.suite}: ${cell.label}`, `${cell.label} (${cell.id}) ${cell.note}`));
    }
    for (const m of cell.metrics) {
      if (m.verdict !== 'regression' || !m.gated) continue;
      out.push(command('error', `mobius-bench ${c.suite}: ${cell.label}`, `${cell.label} (${cell.id}): ${describeMetric(m)}`));
    }
  }
  for (const cl of c.claims) {
    if (cl.verdict === 'regression' || cl.verdict === 'warning') {
      const level = cl.verdict === 'regression' && cl.gated ? 'error' : 'warning';
      out.push(command(level, `mobius-bench ${c.suite}: claim`, `claim "${cl.label}" ${cl.current === 'fail' ? 'fails' : cl.current} on the current run (baseline: ${cl.baseline})`));
    }
  }
  for (const x of c.onlyInBaseline) out.push(command(c.thresholds.missingGated ? 'error' : 'warning', `mobius-bench ${c.suite}: cell missing`, `${x.label} (${x.id}) is in the baseline but not in the current run${x.skipped ? ` (skipped by the planner: ${x.skipped})` : ''}`));
  for (const x of c.onlyInCurrent) out.push(command('warning', `mobius-bench ${c.suite}: new cell`, `${x.label} (${x.id}) is in the current run but not in the baseline`));
  for (const w of c.warnings) out.push(command('warning', `mobius-bench ${c.suite}`, w));
  return out;
}

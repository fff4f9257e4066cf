// Writes the history site into a folder: index.html, commits.html, one page
// per cell (cells/) and per matched group (groups/), and the two scripts in
// assets/ — Chart.js's browser build and the page script — that every page
// loads from the folder itself. No page asks the network for anything: the
// folder can be opened from disk or published as it is (gh-pages).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chartJs } from '../report/html.ts';
import { UserError } from '../user-error.ts';
import type { ChangePointRecord } from './change-point-report.ts';
import type { HistorySeries } from './series.ts';
import { subjectCharts, type CommitLink } from './site-charts.ts';
import { CHART_JS_ASSET, commitsPage, indexPage, PAGE_SCRIPT, PAGE_SCRIPT_ASSET, subjectHref, subjectPage } from './site-pages.ts';

/**
 * Links to commits: `template` with `{commit}` for the forge's page
 * (https://github.com/owner/repo/commit/{commit}), else the site's commits page.
 */
export function commitLinks(template: string | undefined): { link: CommitLink; forge: boolean } {
  if (template == null) return { link: (sha, depth) => `${depth === 1 ? '../' : ''}commits.html#${sha}`, forge: false };
  if (!/^https?:\/\/[^\s"'<>]+$/.test(template) || !template.includes('{commit}')) {
    throw new UserError(`--commit-url ${template}: give an http(s) address with {commit} where the commit goes, e.g. https://github.com/owner/repo/commit/{commit}`);
  }
  return { link: (sha) => template.replaceAll('{commit}', sha), forge: true };
}

export interface SiteOptions {
  commitUrl?: string;
}

/** Writes the site; returns the files written. */
export async function writeSite(h: HistorySeries, records: ChangePointRecord[], outDir: string, opts: SiteOptions = {}): Promise<string[]> {
  const { link, forge } = commitLinks(opts.commitUrl);
  const suites = [...new Set(h.runs.map((r) => r.suite.name))];
  const title = `mobius-bench history: ${suites.join(', ') || 'no runs'}`;
  const files: Array<[string, string]> = [
    ['index.html', indexPage(h, link, { title, records })],
    ['commits.html', commitsPage(h, link, records, forge)],
    [CHART_JS_ASSET, chartJs()],
    [PAGE_SCRIPT_ASSET, PAGE_SCRIPT],
  ];
  for (const subject of h.subjects) {
    files.push([subjectHref(subject, 0), subjectPage(h, subject, subjectCharts(h, subject.id, link), link, records)]);
  }
  for (const folder of ['assets', 'cells', 'groups']) await mkdir(join(outDir, folder), { recursive: true });
  for (const [name, text] of files) await writeFile(join(outDir, name), text);
  return files.map(([name]) => join(outDir, name));
}

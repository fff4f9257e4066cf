// report.html opened from disk in real headless Chromium (Debian's, driven by
// playwright-core): no console errors, no network requests, every chart
// canvas drawn, one table row per cell, sortable; and run text that tries to
// inject markup or close a <script> shows as text and runs nothing.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildCharts } from '../src/report/charts.ts';
import { loadReportData } from '../src/report/report-data.ts';
import { writeReports } from '../src/report/write-reports.ts';
import { tempDir } from './temp-dir.ts';

const RUNS = fileURLToPath(new URL('./fixtures/runs/', import.meta.url));
// Debian's chromium (what .ci/run installs); CHROMIUM_PATH elsewhere (GitHub's runners have Chrome).
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const XSS_NAME = '<img src=x onerror=alert(1)>';
const XSS_DESCRIPTION = '</script><script>alert(2)</script>';
const XSS_CLAIM = 'claim <b onmouseover=alert(3)>bold</b>';
const XSS_FAILURE = 'failed </script><img src=y onerror=alert(4)> & more';
const XSS_LABEL = 'tiny full </script><svg onload=alert(5)>';

let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium (.ci/run does)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

after(async () => {
  await browser?.close();
});

interface Visit {
  page: Page;
  errors: string[];
  requests: string[];
  blocked: string[];
  dialogs: string[];
}

/** Opens a report from disk with every non-file request blocked and counted. */
async function open(html: string): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const page = await context.newPage();
  const visit: Visit = { page, errors: [], requests: [], blocked: [], dialogs: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    visit.blocked.push(url);
    return route.abort();
  });
  page.on('request', (r) => visit.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') visit.errors.push(m.text());
  });
  page.on('pageerror', (e) => visit.errors.push(String(e)));
  page.on('dialog', (d) => {
    visit.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector('body[data-charts-drawn]', { timeout: 10_000 });
  return visit;
}

/** Per canvas: its pixel size and how many pixels are painted (non-transparent). */
function canvasInk(page: Page): Promise<Array<{ id: string; width: number; height: number; painted: number }>> {
  return page.evaluate(() => Array.from(document.querySelectorAll('canvas')).map((c) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return { id: c.id, width: c.width, height: c.height, painted };
  }));
}

/** The CPU run with a third claim that two groups leave inconclusive (time ratios 0.721 and 0.727, intervals reaching below 0.72). */
function cpuRunWithInconclusiveClaim(): string {
  const dir = tempDir('mobius-html-run-');
  cpSync(join(RUNS, 'cpu-wasm'), dir, { recursive: true });
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  run.suite.definition.claims.push({ label: 'Mobius at 0.72 of serial time', compare: ['delta-parallel', 'delta-serial'], time: { atMost: 0.72 } });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  return dir;
}

test('the CPU run report: no console errors, no network, every chart drawn, one sortable row per cell', async () => {
  const out = tempDir('mobius-html-');
  const run = cpuRunWithInconclusiveClaim();
  await writeReports(run, out);
  const specs = buildCharts(loadReportData(run));
  const { page, errors, requests, blocked } = await open(join(out, 'report.html'));
  try {
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, []);
    assert.equal(requests.length, 1, requests.join('\n'));
    assert.equal(await page.getAttribute('body', 'data-charts-drawn'), String(specs.length));
    const ink = await canvasInk(page);
    assert.equal(ink.length, specs.length);
    for (const c of ink) {
      assert.ok(c.width > 100 && c.height > 100, `${c.id} is ${c.width}×${c.height}`);
      assert.ok(c.painted > 0.02 * c.width * c.height, `${c.id}: ${c.painted} painted pixels of ${c.width * c.height}`);
    }
    assert.equal(await page.locator('#cells-table tbody tr').count(), 24);
    // Sorting by median step time orders the rows by it.
    const header = page.locator('#cells-table thead th', { hasText: 'median step (ms)' });
    await header.click();
    const col = await header.evaluate((th) => (th as HTMLTableCellElement).cellIndex);
    const values = await page.$$eval(`#cells-table tbody tr td:nth-child(${col + 1})`, (tds) => tds.map((td) => Number(td.getAttribute('data-v'))));
    assert.deepEqual(values, [...values].sort((a, b) => a - b));
    await header.click();
    const desc = await page.$$eval(`#cells-table tbody tr td:nth-child(${col + 1})`, (tds) => tds.map((td) => Number(td.getAttribute('data-v'))));
    assert.deepEqual(desc, [...values].reverse());
    assert.equal(await page.locator('#claims .status-pass').count(), 2);
    // An inconclusive claim shows why, without opening anything.
    const inconclusive = page.locator('#claims .status-inconclusive');
    assert.ok(await inconclusive.locator('.reason').isVisible());
    assert.equal(await inconclusive.innerText(), 'inconclusive\n95 % interval straddles the limit');
    assert.match(await page.locator('#claims tr', { hasText: 'Mobius at 0.72' }).locator('summary').innerText(), /^inconclusive in 2 of 8 groups; worst: tiny b1 a2 8f 96px: .*\(95 % interval straddles the limit\)$/);
    // Fig. 6: one short unrotated label per group; the changes per group in the tooltip.
    const fig6 = await page.evaluate(() => Array.from(document.querySelectorAll('#fig6 canvas')).map((c) => {
      const chart = (window as unknown as { Chart: { getChart(c: Element): { scales: { x: { labelRotation: number } }; data: { labels: unknown[] }; options: { plugins: { tooltip: { callbacks: { footer(items: Array<{ dataIndex: number }>): string[] } } } } } } }).Chart.getChart(c)!;
      return { rotation: chart.scales.x.labelRotation, labels: chart.data.labels, footer: chart.options.plugins.tooltip.callbacks.footer([{ dataIndex: 0 }]) };
    }));
    assert.equal(fig6.length, 4);
    for (const f of fig6) {
      assert.equal(f.rotation, 0);
      assert.deepEqual(f.labels, ['b1 a1', 'b1 a2', 'b2 a1', 'b2 a2']);
    }
    assert.deepEqual(fig6[0]!.footer, ['delta-parallel vs delta-serial: −37 %', 'delta-parallel vs full: −42 %']);
    // The all-cells table fits the page: no sideways scrolling, of the page or of the table's wrapper.
    const widths = await page.evaluate(() => {
      const wrap = document.querySelector('#cells-table')!.parentElement!;
      return { page: document.documentElement.scrollWidth, viewport: window.innerWidth, table: wrap.scrollWidth, wrap: wrap.clientWidth };
    });
    assert.ok(widths.page <= widths.viewport && widths.table <= widths.wrap, JSON.stringify(widths));
    assert.equal(await page.locator('#cells-same').innerText(), 'The same in every cell: frames 8 · size (px) 96 · status ok · steps 3.');
  } finally {
    await page.context().close();
  }
});

/** A run whose suite name, description, claim label, cell label and failure text try to inject markup. */
function hostileRun(): string {
  const dir = tempDir('mobius-xss-');
  cpSync(join(RUNS, 'smoke-failed'), dir, { recursive: true });
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  run.suite.name = XSS_NAME;
  run.suite.description = XSS_DESCRIPTION;
  run.suite.definition.claims = [{ label: XSS_CLAIM, compare: ['delta-parallel', 'full'], memory: { atMost: 0.9 } }];
  run.notes.push(XSS_DESCRIPTION);
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  const rows = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  rows[0].label = XSS_LABEL;
  // nvidia-smi samples, so that the cell has a timeline chart titled with its label.
  rows[0].gpu = JSON.parse(readFileSync(join(RUNS, 'smoke-fake-gpu', 'results.jsonl'), 'utf8').split('\n')[0]!).gpu;
  const failed = rows.find((r: { status: string }) => r.status === 'failed');
  failed.error.message = XSS_FAILURE;
  failed.error.stderrTail = `${XSS_FAILURE}\n<script>alert(6)</script>`;
  writeFileSync(join(dir, 'results.jsonl'), rows.map((r: unknown) => JSON.stringify(r)).join('\n') + '\n');
  return dir;
}

test('run text that tries to inject markup shows as text and runs nothing; the embedded JSON stays inside its <script>', async () => {
  const dir = hostileRun();
  await writeReports(dir);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  // Exactly the page's three scripts: the chart JSON, Chart.js, the page script.
  assert.equal((html.match(/<script[\s>]/gi) ?? []).length, 3);
  const json = /<script type="application\/json" id="mobius-charts">([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.doesNotMatch(json, /</);
  assert.ok(JSON.parse(json).some((s: { config: unknown }) => JSON.stringify(s.config).includes(XSS_LABEL)), 'the label is in the chart JSON, escaped');

  const { page, errors, dialogs, blocked } = await open(join(dir, 'report.html'));
  try {
    await page.locator('details summary', { hasText: 'stderr' }).click();
    await page.hover('#claims td');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, []);
    assert.equal(await page.locator('#suite-name').textContent(), XSS_NAME);
    assert.equal(await page.locator('#suite-description').textContent(), XSS_DESCRIPTION);
    assert.equal(await page.title(), `mobius-bench: ${XSS_NAME}`);
    const text = await page.locator('body').innerText();
    for (const s of [XSS_CLAIM, XSS_FAILURE, '<script>alert(6)</script>']) assert.ok(text.includes(s), `shows ${s} as text`);
    // No element any of the strings would have made.
    assert.equal(await page.locator('img, svg, b, main script, header script').count(), 0);
    assert.equal(await page.locator('script').count(), 3);
    // The charts still drew (the label went into a chart title as text).
    const ink = await canvasInk(page);
    assert.ok(ink.length > 0 && ink.every((c) => c.painted > 0));
  } finally {
    await page.context().close();
  }
});

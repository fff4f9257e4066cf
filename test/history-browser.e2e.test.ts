// The history site opened from disk in headless Chromium (Debian's, driven
// by playwright-core, as test/report-browser.e2e.test.ts): a history of 19 runs
// of 12 commits on three machines (two CPUs on wasm, one H200 on torch),
// with commit messages that try to inject markup. Every page: no console
// error, no request off the disk, every chart and sparkline drawn; the
// messages show as text and run nothing; a point links to its commit.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { historyReportCommand } from '../src/cli/history-command.ts';
import { addRun } from '../src/history/add-run.ts';
import { FIXTURE_RUNS, GPU_RUN, gitRepo, runCopy, type Repo } from './history-fixtures.ts';
import { tempDir } from './temp-dir.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const XSS = [
  '</script><script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '"><svg onload=alert(3)>',
  "'; alert(4); '",
];

let browser: Browser;
let site: string;
let repo: Repo;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium (.ci/run does)`);
  repo = gitRepo(Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `commit ${i + 1} ${XSS[(i / 3) % XSS.length]}` : `commit ${i + 1}`)));
  const history = join(tempDir('mobius-history-site-'), 'history');
  const at = (i: number, hour: number) => new Date(Date.parse(repo.dates[i]!) + hour * 3_600_000).toISOString();
  repo.shas.forEach((commit, i) => {
    // From commit 7 on, delta-parallel holds 1 % more memory; commit 4's tree was dirty.
    addRun(runCopy(join(FIXTURE_RUNS, 'smoke-five-modes'), { commit, dirty: i === 3, startedAt: at(i, 1), timeScale: 1 + 0.01 * Math.sin(i), memoryScale: i >= 6 ? 1.01 : 1, memoryModes: ['delta-parallel'] }), history, repo.dir);
    if (i % 3 === 2) addRun(runCopy(join(FIXTURE_RUNS, 'smoke-failed'), { commit, startedAt: at(i, 2), timeScale: 1 + 0.01 * Math.cos(i) }), history, repo.dir);
    if (i >= 9) addRun(runCopy(GPU_RUN, { commit, startedAt: at(i, 3), timeScale: 1 + 0.005 * i }), history, repo.dir);
  });
  site = join(tempDir('mobius-history-site-'), 'site');
  await historyReportCommand(history, { out: site });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

after(async () => {
  await browser?.close();
});

interface Visit {
  page: Page;
  errors: string[];
  /** Requests for anything not on the disk. */
  offDisk: string[];
  dialogs: string[];
}

let visit: Visit;

/** Opens a page of the site in the one browser page the tests share (a page costs a second to make here). */
async function open(file: string): Promise<Visit> {
  if (!visit) {
    const page = await (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
    const v: Visit = { page, errors: [], offDisk: [], dialogs: [] };
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) v.offDisk.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') v.errors.push(m.text());
    });
    page.on('pageerror', (e) => v.errors.push(String(e)));
    page.on('dialog', (d) => {
      v.dialogs.push(d.message());
      void d.dismiss();
    });
    visit = v;
  }
  visit.errors.length = 0;
  visit.offDisk.length = 0;
  visit.dialogs.length = 0;
  // The page's scripts run before its load event, so the charts are drawn by then.
  await visit.page.goto(pathToFileURL(join(site, file)).href, { waitUntil: 'load' });
  return visit;
}

async function clean(v: Visit, what: string): Promise<void> {
  assert.ok(await v.page.evaluate(() => document.body.hasAttribute('data-charts-drawn')), `${what}: the page script did not finish`);
  assert.deepEqual(v.errors, [], `${what}: console errors`);
  assert.deepEqual(v.offDisk, [], `${what}: requests off the disk`);
  assert.deepEqual(v.dialogs, [], `${what}: dialogs`);
}

/** No element that a commit message would have made: every <svg> is a sparkline, every <script> one of the site's. */
async function inert(page: Page, what: string): Promise<void> {
  const { injected, scripts } = await page.evaluate(() => ({
    injected: document.querySelectorAll('img, b, svg:not(.sparkline), script:not([src]):not([type="application/json"])').length,
    scripts: Array.from(document.querySelectorAll('script[src]')).map((e) => e.getAttribute('src') ?? ''),
  }));
  assert.equal(injected, 0, `${what}: injected elements`);
  assert.ok(scripts.every((s) => /^(\.\.\/)?assets\/(chart\.umd|history)\.js$/.test(s)), `${what}: scripts ${scripts.join(', ')}`);
}

test('the index: every cell and group per machine, latest values, last change, sparklines drawn; messages inert', async () => {
  const v = await open('index.html');
  const { page } = v;
  await clean(v, 'index');
  await inert(page, 'index');
  // 5 smoke cells: on two machines for the two that smoke-failed finished; 5 GPU cells.
  assert.equal(await page.locator('#cells-table tbody tr').count(), 5 + 2 + 5);
  // smoke: 3 pairs on one machine, and delta-parallel / full on the other (its delta-serial failed); GPU: 3 pairs.
  assert.equal(await page.locator('#groups-table tbody tr').count(), 3 + 1 + 3);
  assert.equal(await page.locator('#machines-table tbody tr').count(), 3);
  // Two sparklines a row, each a drawn line.
  const sparks = await page.$$eval('svg.sparkline', (svgs) => svgs.map((s) => {
    const box = s.getBoundingClientRect();
    return { points: (s.querySelector('polyline')?.getAttribute('points') ?? '').split(' ').length, width: box.width, height: box.height };
  }));
  assert.equal(sparks.length, 2 * (12 + 7));
  assert.ok(sparks.every((s) => s.points >= 3 && s.width > 50 && s.height > 10), JSON.stringify(sparks));
  // The memory step at commit 7, in the recent change points, with its (hostile) message as text.
  const recent = await page.locator('#changes-table tbody tr', { hasText: 'tiny delta-parallel b1 a1 4f 64px' }).first().innerText();
  assert.match(recent, new RegExp(`${repo.shas[6]!.slice(0, 7)}[\\s\\S]*${XSS[2]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*\\+1\\.0 %`));
  const row = await page.locator('#cells-table tbody tr', { hasText: 'tiny delta-parallel b1 a1 4f 64px' }).filter({ hasText: 'AMD EPYC' }).innerText();
  assert.match(row, /66\.26 MB\s+\+1\.0 % at [0-9a-f]{7}/);
});

test('every cell and group page: each chart drawn, no console error, no network; a point links to its commit', async () => {
  const index = await open('index.html');
  const pages = [...new Set(await index.page.$$eval('#cells-table a, #groups-table a', (as) => as.map((a) => a.getAttribute('href')!)))].filter((href) => !href.startsWith('commits.html'));
  assert.equal(pages.length, 5 + 5 + 2, pages.join(', '));
  let charts = 0;
  for (const file of pages) {
    const v = await open(file);
    await clean(v, file);
    await inert(v.page, file);
    // One round trip a page: how many charts there are, how many the script drew, and each one's ink.
    const seen = await v.page.evaluate(() => ({
      drawn: Number(document.body.getAttribute('data-charts-drawn')),
      ink: Array.from(document.querySelectorAll('canvas')).map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
        return { id: c.id, painted, size: data.length / 4 };
      }),
    }));
    // The chart data holds the commit messages (tooltips) in a JSON <script>: escaped, it has no '<' to close it.
    const json = /<script type="application\/json" id="history-charts">([\s\S]*?)<\/script>/.exec(readFileSync(join(site, file), 'utf8'))![1]!;
    assert.doesNotMatch(json, /</, file);
    const data = JSON.stringify(JSON.parse(json));
    assert.ok(XSS.some((x) => data.includes(x)), `${file}: the messages are in the chart data, as text`);
    assert.ok(seen.ink.length >= 2, `${file}: ${seen.ink.length} charts`);
    assert.equal(seen.drawn, seen.ink.length, file);
    for (const c of seen.ink) assert.ok(c.painted > 0.02 * c.size, `${file} ${c.id}: ${c.painted} of ${c.size} pixels painted`);
    charts += seen.ink.length;
  }
  // The GPU cells have MFU and nvidia-smi's peak as well: 5 charts each; smoke cells 3; groups 2 per pair.
  assert.equal(charts, 5 * 5 + 5 * 3 + 2 * 3 * 2);

  // Clicking the newest point of tiny delta-parallel's memory opens that commit's line in the commits page.
  const v = await open('cells/61a0c0d1437f.html');
  const { page } = v;
  const target = await page.evaluate(() => {
    const canvas = document.querySelector('canvas')!;
    const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
    const points = chart.getDatasetMeta(0).data;
    const last = points[points.length - 1];
    const box = canvas.getBoundingClientRect();
    return { x: box.left + last.x, y: box.top + last.y, url: chart.data.datasets[0].data[points.length - 1].url };
  });
  assert.equal(target.url, `../commits.html#${repo.shas[11]}`);
  await Promise.all([page.waitForURL(/commits\.html#/), page.mouse.click(target.x, target.y)]);
  assert.ok(page.url().endsWith(target.url.slice(2)), page.url());
  assert.equal(await page.locator(`tr[id="${target.url.split('#')[1]}"]`).count(), 1);
});

test('a cell that failed on a machine lists those runs on its page', async () => {
  const v = await open('cells/c49da33dd6dc.html');
  await clean(v, 'delta-serial');
  const failures = await v.page.locator('li', { hasText: 'Intel(R) Xeon(R) Processor' }).allInnerTexts();
  assert.deepEqual(failures.map((f) => f.slice(0, 7)), [2, 5, 8, 11].map((i) => repo.shas[i]!.slice(0, 7)));
});

test('the commits page: newest first, messages as text, dirty runs marked, git dates', async () => {
  const v = await open('commits.html');
  const { page } = v;
  await clean(v, 'commits');
  await inert(page, 'commits');
  const ids = await page.$$eval('#commits-table tbody tr', (rows) => rows.map((r) => r.id));
  assert.deepEqual(ids, [...repo.shas].reverse());
  const text = await page.locator('body').innerText();
  for (const s of XSS) assert.ok(text.includes(s), `shows ${s} as text`);
  assert.equal(await page.locator(`tr[id="${repo.shas[3]}"] .regression`, { hasText: 'dirty tree' }).count(), 1);
  assert.match(await page.locator(`tr[id="${repo.shas[0]}"]`).innerText(), new RegExp(repo.dates[0]!.slice(0, 10)));
});

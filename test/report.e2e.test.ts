// Reports written from real run folders (test/fixtures/runs): results.csv
// parses back to the same values, summary.md says what the run measured, the
// PNG charts decode to their size and are not blank, a run with failed cells
// and a CPU run without GPU figures both render, bad inputs are UserErrors;
// memory timelines only where nvidia-smi sampled, dashed legend samples for
// dashed series, an all-failed run and the planner's skipped cells; the
// exporters only return files, the writer alone writes them.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { Chart, registerables } from 'chart.js';
import { parse } from 'csv-parse/sync';
import { reportCommand } from '../src/cli/report-command.ts';
import { median } from 'simple-statistics';
import { buildCharts } from '../src/report/charts.ts';
import { CSV_COLUMNS, csvRecord, toCsv } from '../src/report/csv.ts';
import { esc, scriptJson, toHtml } from '../src/report/html.ts';
import { toMarkdown } from '../src/report/markdown.ts';
import { PNG_SCALE, renderPng } from '../src/report/png.ts';
import { loadReportData } from '../src/report/report-data.ts';
import { mdCode, mdTable, mdText } from '../src/results/markdown.ts';
import { EXPORTERS, writeReports } from '../src/report/write-reports.ts';
import { runSuite } from '../src/runner/run-suite.ts';
import { MODES } from '../src/train/modes.ts';
import { UserError } from '../src/user-error.ts';
import { fakeExecutor } from './fake-executor.ts';
import { malformedTables, readTables, shownText } from './markdown-tables.ts';
import { tempDir } from './temp-dir.ts';

const RUNS = fileURLToPath(new URL('./fixtures/runs/', import.meta.url));
const CPU = join(RUNS, 'cpu-wasm');
const FAILED = join(RUNS, 'smoke-failed');
const GPU = join(RUNS, 'smoke-fake-gpu');

function tmp(): string {
  return tempDir('mobius-report-');
}

/** A copy of a fixture run, to write into or damage. */
function copyRun(src: string): string {
  const dir = tmp();
  cpSync(src, dir, { recursive: true });
  return dir;
}

function lines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('results.csv parses back (csv-parse) to the values of every cell, with awkward text intact', () => {
  const dir = copyRun(FAILED);
  // A failure message with a comma, quotes, a newline and non-ASCII text.
  const rows = lines(join(dir, 'results.jsonl'));
  const failed = rows.find((r) => r['status'] === 'failed')! as { error: { message: string } };
  failed.error.message = 'out of memory, "allocator" said:\nOOM — 24 GiB';
  writeFileSync(join(dir, 'results.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const data = loadReportData(dir);
  const parsed = parse(toCsv(data), { columns: true }) as Array<Record<string, string>>;
  assert.equal(parsed.length, 3);
  assert.deepEqual(Object.keys(parsed[0]!), [...CSV_COLUMNS]);
  data.cells.forEach((cell, i) => {
    const expected = Object.fromEntries(Object.entries(csvRecord(cell)).map(([k, v]) => [k, v == null ? '' : String(v)]));
    assert.deepEqual(parsed[i], expected);
  });
  assert.equal(parsed[1]!['failure_message'], 'out of memory, "allocator" said:\nOOM — 24 GiB');
  assert.equal(parsed[1]!['failure_reason'], 'error');
  assert.equal(parsed[1]!['step_ms_median'], '');
});

test('results.csv figures are the cells’ own: step statistics from stepMs, memory in MB, params by mode', () => {
  const data = loadReportData(CPU);
  const parsed = parse(toCsv(data), { columns: true, cast: true }) as Array<Record<string, string | number>>;
  assert.equal(parsed.length, 24);
  const results = lines(join(CPU, 'results.jsonl')) as unknown as Array<{ id: string; stepMs: number[]; memory: { peakBytes: number; rssPeakBytes: number }; params: { total: number; trainable: { full: number; delta: number } }; config: { mode: string; batch: number; accum: number } }>;
  for (const r of results) {
    const row = parsed.find((p) => p['id'] === r.id)!;
    assert.ok(row, r.id);
    const m = median(r.stepMs);
    assert.ok(Math.abs((row['step_ms_median'] as number) - m) < 1e-3, `${row['step_ms_median']} vs ${m}`);
    assert.equal(row['step_ms_min'], Number(Math.min(...r.stepMs).toFixed(3)));
    assert.ok(Math.abs((row['samples_per_s'] as number) - (r.config.batch * r.config.accum * 1000) / m) < 1e-3);
    assert.ok(Math.abs((row['tensor_peak_mb'] as number) - r.memory.peakBytes / 1e6) < 1e-3);
    assert.ok(Math.abs((row['rss_peak_mb'] as number) - r.memory.rssPeakBytes / 1e6) < 1e-3);
    const trainable = r.config.mode === 'full' ? r.params.trainable.full : r.params.trainable.delta;
    assert.equal(row['params_trainable'], trainable);
    assert.equal(row['params_frozen'], r.params.total - trainable);
    assert.equal(row['gpu_process_peak_mib'], '', 'a CPU run has no GPU figures');
  }
});

test('summary.md: environment line, each matched group with changes and an interval, claims, no failed section when none failed', () => {
  const md = toMarkdown(loadReportData(CPU));
  assert.match(md, /^## mobius-bench: cpu — 24 ok, 0 failed of 24 cells$/m);
  assert.match(md, /wasm 4\.22\.0 · no GPU/);
  assert.match(md, /### delta-parallel vs delta-serial/);
  assert.match(md, /### delta-parallel vs full/);
  // Eight matched groups in each comparison table.
  const rows = md.slice(0, md.indexOf('### Claims')).split('\n').filter((l) => /^\| (small|tiny) b\d a\d 8f 96px \|/.test(l));
  assert.equal(rows.length, 16);
  // small b1 a1: tensor peak 1,005 MB (serial) → 632 MB (parallel), −37 %; interval brackets the ratio.
  const row = rows.find((l) => l.startsWith('| small b1 a1 8f 96px') && l.includes('1,005 MB'))!;
  assert.match(row, /1,005 MB → 632 MB \(tensor peak\) \| \*\*−37 %\*\*/);
  const [, ratio, low, high] = /(\d\.\d{3}) \[(\d\.\d{3}), (\d\.\d{3})\]/.exec(row)!.map(Number);
  assert.ok(low! <= ratio! && ratio! <= high!);
  const claims = readTables(md).find((t) => t.header[0] === 'claim')!;
  assert.deepEqual(claims.rows.map((r) => r[1]), ['✅ pass', '✅ pass']);
  // Each claim in a line naming the group that decides it, every group's verdict folded under it.
  assert.match(md, /^\*\*Mobius vs serial delta-tuning \(paper: −24 % memory, −12 % time\)\*\*: pass in 8 of 8 groups; closest to its limit: small b1 a2 8f 96px: memory ×0\.635 ≤ 0\.76, time ×0\.721 ≤ 0\.88$/m);
  const groups = readTables(md).filter((t) => t.header.join('|') === 'group|verdict|memory ratio|time ratio');
  assert.deepEqual(groups.map((t) => t.rows.length), [8, 8]);
  assert.deepEqual(groups[0]!.rows[0], ['small b1 a1 8f 96px', '✅ pass', '×0.628 ≤ 0.76', '×0.708 ≤ 0.88']);
  assert.doesNotMatch(md, /Failed cells/);
});

test('an inconclusive claim says why, in summary.md and report.html, and names its inconclusive group', () => {
  // Two groups' time ratios are over 0.72 with intervals that reach below it (small b1 a2 0.721, tiny b1 a2 0.727).
  const dir = editRun(CPU, () => {}, (run) => {
    (run['suite'] as { definition: { claims: unknown[] } }).definition.claims = [{ label: 'Mobius at 0.72 of serial time', compare: ['delta-parallel', 'delta-serial'], time: { atMost: 0.72 } }];
  });
  const data = loadReportData(dir);
  assert.equal(data.claims[0]!.status, 'inconclusive');
  const verdict = 'inconclusive in 2 of 8 groups; worst: tiny b1 a2 8f 96px: memory ×0.604, time ×0.727 > 0.72 (95 % interval straddles the limit)';
  const md = toMarkdown(data);
  assert.ok(md.includes(`**Mobius at 0.72 of serial time**: ${mdText(verdict)}`), md);
  const groups = readTables(md).find((t) => t.header.join('|') === 'group|verdict|memory ratio|time ratio')!;
  assert.deepEqual(groups.rows.filter((r) => r[1] === '🟡 inconclusive').map((r) => [r[0], shownText(r[3]!)]), [
    ['small b1 a2 8f 96px', '×0.721 > 0.72 (95 % interval straddles the limit)'],
    ['tiny b1 a2 8f 96px', '×0.727 > 0.72 (95 % interval straddles the limit)'],
  ]);
  const html = toHtml(data);
  assert.match(html, /<td class="status-inconclusive">inconclusive<div class="reason">95 % interval straddles the limit<\/div><\/td>/);
  assert.ok(html.includes(`<summary>${esc(verdict)}</summary>`));
  assert.ok(html.includes(`<li>${esc('inconclusive: tiny b1 a2 8f 96px: memory ×0.604, time ×0.727 > 0.72 (95 % interval straddles the limit)')}</li>`));
});

test('summary.md of a run with a failed cell lists it, and says which comparison it prevented', () => {
  const md = toMarkdown(loadReportData(FAILED));
  assert.match(md, /2 ok, 1 failed of 3 cells/);
  assert.match(md, /### Failed cells[\s\S]*\| tiny delta-serial b1 a1 4f 64px \| `c49da33dd6dc` \| error \| injected fault in cell c49da33dd6dc \|/);
  assert.match(md, /delta-parallel vs delta-serial: not compared in 1 group/);
  assert.match(md, /### delta-parallel vs full/);
});

test('summary.md uses GPU process memory where the cells have it', () => {
  const md = toMarkdown(loadReportData(GPU));
  assert.match(md, /NVIDIA H100 80GB HBM3/);
  assert.match(md, /8,192 MiB → 8,192 MiB \(GPU process peak\)/);
});

test('Markdown and HTML escaping make run text inert', () => {
  assert.equal(mdText('a|b <img src=x> *x*\nnext'), 'a\\|b &lt;img src=x&gt; \\*x\\* next');
  assert.equal(esc(`<img src=x onerror="alert('1')">&`), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
  const json = scriptJson({ s: '</script><script>alert(1)</script>', t: '<!-- & \u2028' });
  assert.doesNotMatch(json, /[<>&\u2028]/);
  assert.deepEqual(JSON.parse(json), { s: '</script><script>alert(1)</script>', t: '<!-- & \u2028' });
});

test('one Markdown table writer: a divider per column, right-aligned figures, code spans that keep to their cell', () => {
  assert.equal(mdTable(['cell', { title: 'MB', align: 'right' }], [['a', '1'], ['b', '2']]), '| cell | MB |\n| --- | ---: |\n| a | 1 |\n| b | 2 |');
  assert.throws(() => mdTable(['cell', 'MB'], [['a']]), /1 cells under 2 columns/);
  assert.equal(mdCode('a`b|c\r\nd'), "`a'b\\|c d`");
  assert.deepEqual(readTables(mdTable(['id'], [[mdCode('x|y')]]))[0]!.rows, [['`x|y`']]);
});

test('chart definitions are plain data (the page and the PNG draw the same thing) and cover every section', () => {
  const specs = buildCharts(loadReportData(CPU));
  for (const s of specs) assert.deepEqual(JSON.parse(JSON.stringify(s.config)), s.config, `${s.id} is not plain JSON`);
  const count = (section: string) => specs.filter((s) => s.section === section).length;
  assert.equal(count('fig6'), 4); // memory and time, for each of the two presets
  assert.equal(count('sweep'), 8); // memory and time, per preset and accum
  assert.equal(count('timeline'), 0); // a CPU run: no sampler, no timeline
  assert.equal(count('loss'), 8);
  assert.equal(new Set(specs.map((s) => s.id)).size, specs.length);
  // GPU samples are drawn where a cell has them.
  const gpu = buildCharts(loadReportData(GPU)).filter((s) => s.section === 'timeline');
  assert.equal(gpu.length, 3);
  assert.match(JSON.stringify(gpu[0]!.config), /device \(all GPUs\)/);
});

async function pixelsOf(png: Buffer): Promise<{ width: number; height: number; inked: number; colors: number }> {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  let inked = 0;
  const colors = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3]! > 0 && (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240)) inked++;
    colors.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
  }
  return { width: img.width, height: img.height, inked, colors: colors.size };
}

test('writeReports writes every format into the run folder; the PNGs decode to their size and are drawn', async () => {
  const dir = copyRun(GPU);
  mkdirSync(join(dir, 'charts'));
  writeFileSync(join(dir, 'charts', 'stale-from-an-earlier-report.png'), 'x');
  const files = await writeReports(dir);
  for (const f of ['results.csv', 'summary.md', 'report.html']) assert.ok(files.includes(join(dir, f)), f);
  const specs = buildCharts(loadReportData(dir));
  const pngs = readdirSync(join(dir, 'charts')).sort();
  assert.deepEqual(pngs, specs.map((s) => `${s.id}.png`).sort(), 'one PNG per chart, and no stale one');
  for (const spec of specs) {
    const p = await pixelsOf(readFileSync(join(dir, 'charts', `${spec.id}.png`)));
    assert.equal(p.width, spec.width * PNG_SCALE, spec.id);
    assert.equal(p.height, spec.height * PNG_SCALE, spec.id);
    assert.ok(p.inked > 0.02 * p.width * p.height, `${spec.id}: ${p.inked} drawn pixels`);
    assert.ok(p.colors > 20, `${spec.id}: ${p.colors} colours`);
  }
});

test('a PNG of a blank chart would be caught: the pixel check sees an empty canvas as blank', async () => {
  const empty = await pixelsOf(await createCanvas(100, 50).encode('png'));
  assert.equal(empty.inked, 0);
  const spec = buildCharts(loadReportData(FAILED)).find((s) => s.section === 'fig6')!;
  const drawn = await pixelsOf(await renderPng(spec));
  assert.ok(drawn.inked > 0);
});

test('a run with failed cells and a CPU run without GPU figures both render into every format', async () => {
  for (const run of [FAILED, CPU]) {
    const out = tmp();
    const files = await writeReports(run, out);
    assert.ok(files.length >= 4);
    for (const f of files) assert.ok(existsSync(f), f);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<\/html>\s*$/);
  }
  const html = toHtml(loadReportData(FAILED));
  assert.match(html, /<td class="status-failed">error<\/td><td><pre>injected fault in cell c49da33dd6dc<\/pre>/);
  assert.ok(!existsSync(join(FAILED, 'report.html')), 'the fixture folder itself is not written to');
});

test('reportCommand takes a run folder or a results.jsonl path; --out elsewhere; default out is the run folder', async () => {
  const dir = copyRun(FAILED);
  const a = await reportCommand(dir, {});
  assert.equal(a.outDir, dir);
  assert.ok(a.files.includes(join(dir, 'summary.md')));
  const out = join(tmp(), 'nested', 'out');
  const b = await reportCommand(join(dir, 'results.jsonl'), { out });
  assert.equal(b.outDir, out);
  assert.ok(existsSync(join(out, 'report.html')));
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /mobius-bench: smoke/);
});

test('results.jsonl alone (no run.json), an empty run and a cut-off last line still render, with a note', async () => {
  const dir = tmp();
  cpSync(join(FAILED, 'results.jsonl'), join(dir, 'results.jsonl'));
  const md = toMarkdown(loadReportData(join(dir, 'results.jsonl')));
  assert.match(md, /^## mobius-bench: results — 2 ok, 1 failed/m);
  assert.match(md, /no run\.json beside results\.jsonl/);

  const empty = copyRun(FAILED);
  writeFileSync(join(empty, 'results.jsonl'), '');
  const files = await writeReports(empty);
  assert.match(readFileSync(join(empty, 'summary.md'), 'utf8'), /0 ok, 0 failed of 0 cells/);
  assert.ok(files.some((f) => f.endsWith('report.html')));

  const cut = copyRun(FAILED);
  writeFileSync(join(cut, 'results.jsonl'), readFileSync(join(cut, 'results.jsonl'), 'utf8') + '{"schema":1,"id":"abc","lab');
  const data = loadReportData(cut);
  assert.equal(data.cells.length, 3);
  assert.ok(data.notes.some((n) => n.includes('cut-off last line')));
});

test('a missing or damaged input is a UserError that names the path', async () => {
  const missing = join(tmp(), 'nope');
  await assert.rejects(reportCommand(missing, {}), (e: Error) => e instanceof UserError && e.message.includes(missing));
  const noResults = tmp();
  await assert.rejects(writeReports(noResults), (e: Error) => e instanceof UserError && e.message.includes(noResults) && /no results\.jsonl/.test(e.message));

  const badLine = copyRun(FAILED);
  const text = readFileSync(join(badLine, 'results.jsonl'), 'utf8').split('\n');
  text[0] = '{not json';
  writeFileSync(join(badLine, 'results.jsonl'), text.join('\n'));
  await assert.rejects(writeReports(badLine), (e: Error) => e instanceof UserError && e.message.includes(`${join(badLine, 'results.jsonl')}:1`));

  const noConfig = copyRun(FAILED);
  const rows = lines(join(noConfig, 'results.jsonl'));
  delete rows[1]!['config'];
  writeFileSync(join(noConfig, 'results.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await assert.rejects(writeReports(noConfig), (e: Error) => e instanceof UserError && e.message.includes(`${join(noConfig, 'results.jsonl')}:2`) && /config/.test(e.message));

  const badRun = copyRun(FAILED);
  writeFileSync(join(badRun, 'run.json'), '{"schema": 1, "suite": ');
  await assert.rejects(writeReports(badRun), (e: Error) => e instanceof UserError && e.message.includes(join(badRun, 'run.json')));

  const noSuite = copyRun(FAILED);
  writeFileSync(join(noSuite, 'run.json'), JSON.stringify({ schema: 1, notes: [] }));
  await assert.rejects(writeReports(noSuite), (e: Error) => e instanceof UserError && e.message.includes(join(noSuite, 'run.json')) && /suite/.test(e.message));
});

test("older results.jsonl lines read as today's: workingBytes is peakAboveStartBytes, trainable by mode, stats from the samples", () => {
  const data = loadReportData(CPU);
  const raw = lines(join(CPU, 'results.jsonl')) as unknown as Array<{ stepMs: number[]; config: { mode: string }; memory: { workingBytes: number }; params: { total: number; trainable: { full: number; delta: number } } }>;
  data.cells.forEach(({ result }, i) => {
    const old = raw[i]!;
    assert.equal(result.status, 'ok');
    if (result.status !== 'ok' || result.memory.source === 'untracked') return assert.fail('a tracked ok cell');
    assert.equal(result.memory.source, 'tensors');
    assert.equal(result.memory.peakAboveStartBytes, old.memory.workingBytes);
    const trainable = old.config.mode === 'full' ? old.params.trainable.full : old.params.trainable.delta;
    assert.deepEqual([result.params.trainable, result.params.frozen], [trainable, old.params.total - trainable]);
    assert.equal(result.stats.medianMs, median(old.stepMs));
  });
});

test('a cell whose memory was not tracked (MOBIUS_BENCH_TRACKER=0) renders in every format, its tensor figures empty', async () => {
  const dir = copyRun(CPU);
  const rows = lines(join(dir, 'results.jsonl'));
  rows[0]!['memory'] = { source: 'untracked', rssPeakBytes: 1_400_000_000 };
  rows[0]!['stepPeakBytes'] = [];
  writeFileSync(join(dir, 'results.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const files = await writeReports(dir);
  assert.ok(files.length >= 4);
  const csv = parse(readFileSync(join(dir, 'results.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual([csv[0]!['tensor_peak_mb'], csv[0]!['tensor_start_mb'], csv[0]!['rss_peak_mb']], ['', '', '1400']);
  // Its group has no memory figure: not evaluated, and said so.
  assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /not compared in 1 group/);
});

test('a run of every mode: Mobius against each serial mode that checkpoints as it does, in every format', async () => {
  const out = tmp();
  await runSuite({ suiteFile: fileURLToPath(new URL('./fixtures/suites/five-modes.ts', import.meta.url)), out, json: true, executor: fakeExecutor() });
  const data = loadReportData(out);
  assert.deepEqual(data.modes, [...MODES]);
  const pairs = [...new Set(data.comparisons.map((c) => `${c.candidateMode} vs ${c.baselineMode}`))];
  assert.deepEqual(pairs, ['delta-parallel vs delta-serial', 'delta-parallel vs full', 'delta-parallel-ckpt vs delta-serial-ckpt']);
  assert.equal(data.claims[0]!.status, 'pass');
  const md = toMarkdown(data);
  assert.match(md, /### delta-parallel-ckpt vs delta-serial-ckpt\n\n\| group \|/);
  const fig6 = buildCharts(data).filter((s) => s.section === 'fig6');
  assert.ok(fig6.every((s) => (s.config.data.datasets as Array<{ label: string }>).map((d) => d.label).join() === MODES.join()));
  // The axis says the group only; Mobius's changes are a subtitle line per comparison and, per group, the tooltip.
  assert.deepEqual(fig6[0]!.config.data.labels, ['b1 a1', 'b2 a1']);
  assert.deepEqual((fig6[0]!.config.options!.plugins!.subtitle as { text: string[] }).text, [
    'delta-parallel vs delta-serial: −40 %', 'delta-parallel vs full: −40 %', 'delta-parallel-ckpt vs delta-serial-ckpt: −40 %',
  ]);
  assert.deepEqual(fig6[0]!.tooltipFooters![1], ['delta-parallel vs delta-serial: −40 %', 'delta-parallel vs full: −40 %', 'delta-parallel-ckpt vs delta-serial-ckpt: −40 %']);
  assert.equal((fig6[0]!.config.options!.scales!['x']!.ticks as { maxRotation: number }).maxRotation, 0);
  assert.ok((await writeReports(out)).length >= 4);
});

test('the loss chart says where a checkpointed mode has its twin\'s losses, instead of hiding it under its twin', () => {
  const five = fileURLToPath(new URL('./fixtures/runs/smoke-five-modes', import.meta.url));
  const loss = (dir: string) => buildCharts(loadReportData(dir)).find((c) => c.section === 'loss')!;
  const labels = (spec: ReturnType<typeof loss>) => (spec.config.data.datasets as Array<{ label: string }>).map((d) => d.label);
  // delta-serial-ckpt's losses are delta-serial's to float32 rounding (3e-7 apart), delta-parallel-ckpt's bit for bit.
  const same = loss(five);
  assert.deepEqual(labels(same), ['full', 'delta-serial', 'delta-parallel', 'delta-serial-ckpt (= delta-serial)', 'delta-parallel-ckpt (= delta-parallel)']);
  assert.deepEqual((same.config.options!.plugins!.subtitle as { text: string[] }).text, [
    'delta-serial-ckpt: same losses as delta-serial', 'delta-parallel-ckpt: same losses as delta-parallel', '(checkpointing recomputes; it does not change the maths)',
  ]);
  // Losses that differ are lines of their own, with nothing said.
  const apart = loss(editRun(five, (rows) => {
    const ckpt = rows.find((r) => (r['config'] as { mode: string }).mode === 'delta-serial-ckpt')! as { loss: number[] };
    ckpt.loss = ckpt.loss.map((x) => x * 1.01);
  }));
  assert.deepEqual(labels(apart).slice(3), ['delta-serial-ckpt', 'delta-parallel-ckpt (= delta-parallel)']);
  assert.deepEqual((apart.config.options!.plugins!.subtitle as { text: string[] }).text, ['delta-parallel-ckpt: same losses as delta-parallel', '(checkpointing recomputes; it does not change the maths)']);
});

test('memory against step time: one chart per matched group, one point per mode, in the page and as a PNG', async () => {
  const data = loadReportData(fileURLToPath(new URL('./fixtures/runs/smoke-five-modes', import.meta.url)));
  const pareto = buildCharts(data).filter((c) => c.section === 'pareto');
  assert.equal(pareto.length, 1, 'one matched group');
  const datasets = pareto[0]!.config.data.datasets as Array<{ label: string; data: Array<{ x: number; y: number }> }>;
  assert.deepEqual(datasets.map((d) => d.label), [...MODES]);
  for (const d of datasets) {
    const cell = data.cells.find((c) => c.result.config.mode === d.label)!.result;
    assert.ok(cell.status === 'ok');
    assert.deepEqual(d.data, [{ x: cell.stats.medianMs, y: (cell.memory as { peakBytes: number }).peakBytes / 1e6 }]);
  }
  // Checkpointing is the smallest of the delta modes here: the view must show it lower.
  const y = (mode: string) => datasets.find((d) => d.label === mode)!.data[0]!.y;
  assert.ok(y('delta-serial-ckpt') < y('delta-serial') && y('delta-parallel-ckpt') < y('delta-parallel'));
  assert.match(toHtml(data), /id="pareto"[\s\S]*memory against step time, one point per mode/);
  const png = await renderPng(pareto[0]!);
  const image = await loadImage(png);
  assert.equal(image.width, pareto[0]!.width * PNG_SCALE);
});

/** Rows of a results.jsonl rewritten by `edit`, in a copy of the run. */
function editRun(src: string, edit: (rows: Array<Record<string, unknown>>) => void, runJson?: (run: Record<string, unknown>) => void): string {
  const dir = copyRun(src);
  const rows = lines(join(dir, 'results.jsonl'));
  edit(rows);
  writeFileSync(join(dir, 'results.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (runJson) {
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
    runJson(run);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  }
  return dir;
}

/** A cell as the runner writes a failure. */
function failedRow(r: Record<string, unknown>): Record<string, unknown> {
  return {
    schema: r['schema'], id: r['id'], label: r['label'], config: r['config'], env: 'run.json', startedAt: r['startedAt'], endedAt: r['endedAt'], gpu: null,
    status: 'failed', backend: null, params: null, stepMs: [], loss: [], stepPeakBytes: [], stats: null, memory: null,
    error: { reason: 'crashed', message: 'out of memory', stderrTail: '' },
  };
}

test('memory timelines only where nvidia-smi sampled a cell; a CPU run says once that no sampler ran', () => {
  const cpu = loadReportData(CPU);
  assert.equal(buildCharts(cpu).filter((s) => s.section === 'timeline').length, 0, 'no flat per-step lines for 24 cells');
  const html = toHtml(cpu);
  const section = /<section id="timelines">([\s\S]*?)<\/section>/.exec(html)![1]!;
  assert.match(section, /No memory timeline: no sampler ran on the run&#39;s machine \(nvidia-smi not found\)\./);
  assert.equal((section.match(/<p /g) ?? []).length, 1, 'one sentence');
  assert.doesNotMatch(section, /<canvas/);

  // Three cells sampled; one with only two samples is left out, and named.
  const dir = editRun(GPU, (rows) => {
    const gpu = rows[1]!['gpu'] as { timeline: unknown[] };
    gpu.timeline = gpu.timeline.slice(0, 2);
  });
  const data = loadReportData(dir);
  const timelines = buildCharts(data).filter((s) => s.section === 'timeline');
  assert.deepEqual(timelines.map((s) => s.title), [data.cells[0]!.result.label, data.cells[2]!.result.label]);
  assert.match(toHtml(data), new RegExp(`Not drawn \\(fewer than 3 nvidia-smi samples\\): ${data.cells[1]!.result.label}\\.`));
  assert.equal(buildCharts(loadReportData(GPU)).filter((s) => s.section === 'timeline').length, 3);
});

test('legends draw each series as a line sample with its own dash, as Chart.js resolves the legend', () => {
  Chart.register(...registerables);
  let dashed = 0;
  for (const run of [CPU, GPU]) {
    for (const spec of buildCharts(loadReportData(run))) {
      const datasets = spec.config.data.datasets as Array<{ label: string; borderDash?: number[] }>;
      if (!datasets.some((d) => d.borderDash)) continue;
      const canvas = createCanvas(spec.width, spec.height);
      const chart = new Chart(canvas.getContext('2d') as unknown as CanvasRenderingContext2D, { ...spec.config, options: { ...spec.config.options, responsive: false, animation: false } });
      try {
        const items = chart.legend!.legendItems!;
        for (const d of datasets) {
          const item = items.find((i) => i.text === d.label)!;
          // usePointStyle took the first point's style: no dash, a solid sample for a dashed line.
          assert.deepEqual(item.lineDash, d.borderDash ?? [], `${spec.id}: legend of ${d.label}`);
          if (d.borderDash) dashed++;
        }
      } finally {
        chart.destroy();
      }
    }
  }
  assert.ok(dashed > 0, 'some chart has a dashed series');
});

test('an all-failed run: no empty Fig. 6 axes, one sentence that no cell succeeded, not "one batch size" for a sweeping suite', () => {
  const dir = editRun(CPU, (rows) => rows.splice(0, rows.length, ...rows.map(failedRow)));
  const data = loadReportData(dir);
  const specs = buildCharts(data);
  assert.deepEqual(specs.filter((s) => s.section === 'fig6'), []);
  assert.deepEqual(specs, []);
  const html = toHtml(data);
  assert.doesNotMatch(html, /<canvas/);
  assert.doesNotMatch(html, /one batch size per configuration/);
  const fig6 = /<section id="fig6">([\s\S]*?)<\/section>/.exec(html)![1]!;
  assert.match(fig6, /No cell succeeded, so there is nothing to plot\./);
  assert.match(/<section id="sweeps">([\s\S]*?)<\/section>/.exec(html)![1]!, /No cell succeeded, so there is nothing to plot\./);
  const md = toMarkdown(data);
  assert.match(md, /0 ok, 24 failed of 24 cells/);
  assert.match(md, /^No cell succeeded, so there is nothing to compare\.$/m);

  // Only batch 1 succeeded in a suite that sweeps batch 1 and 2: no sweep drawn, and why.
  const half = loadReportData(editRun(CPU, (rows) => rows.splice(0, rows.length, ...rows.map((r) => ((r['config'] as { batch: number }).batch === 2 ? failedRow(r) : r)))));
  assert.equal(buildCharts(half).filter((s) => s.section === 'sweep').length, 0);
  assert.match(toHtml(half), /No sweep to draw: fewer than two batch sizes succeeded in each configuration\./);
  assert.match(toHtml(loadReportData(FAILED)), /No sweep: the run has one batch size per configuration\./);
});

test("the planner's skipped cells are listed with their reasons, apart from the failed cells", async () => {
  const reason = "planned peak 44.6 GiB exceeds wasm's 4 GiB address space";
  const dir = editRun(FAILED, () => {}, (run) => {
    run['skipped'] = [
      { id: '5eedc0ffee01', label: 'sd21 full b64 a1 8f 512px', reason },
      // One a later --force run measured: it is in the results, not skipped.
      { id: 'c49da33dd6dc', label: 'tiny delta-serial b1 a1 4f 64px', reason },
    ];
  });
  await writeReports(dir);
  const md = readFileSync(join(dir, 'summary.md'), 'utf8');
  assert.match(md, /2 ok, 1 failed of 3 cells, 1 skipped as unfit/);
  assert.match(md, /### Skipped cells\n\nNot run: the planner said they cannot fit[^\n]*\n\n\| cell \| id \| why it was not run \|\n\| --- \| --- \| --- \|\n\| sd21 full b64 a1 8f 512px \| `5eedc0ffee01` \| planned peak 44\.6 GiB exceeds wasm's 4 GiB address space \|\n/);
  const failed = /### Failed cells\n([\s\S]*?)(?:\n###|$)/.exec(md)![1]!;
  assert.doesNotMatch(failed, /5eedc0ffee01|sd21/);
  assert.equal((md.match(/`c49da33dd6dc`/g) ?? []).length, 1, 'the measured one only as failed');

  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const skipped = /<section id="skipped">([\s\S]*?)<\/section>/.exec(html)![1]!;
  assert.match(skipped, /<td>sd21 full b64 a1 8f 512px<\/td><td><code>5eedc0ffee01<\/code><\/td><td>planned peak 44\.6 GiB exceeds wasm&#39;s 4 GiB address space<\/td>/);
  assert.doesNotMatch(skipped, /c49da33dd6dc/);
  assert.doesNotMatch(/<section id="failed">([\s\S]*?)<\/section>/.exec(html)![1]!, /5eedc0ffee01/);
  assert.match(html, /<a href="#skipped">skipped cells<\/a>/);
  // A run that skipped nothing has no such section.
  assert.doesNotMatch(toHtml(loadReportData(FAILED)), /id="skipped"/);
  assert.doesNotMatch(toMarkdown(loadReportData(FAILED)), /Skipped cells|skipped as unfit/);
});

/** Every file under a folder with its size and modification time. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((name) => {
    const s = statSync(join(dir, name));
    return `${name} ${s.size} ${s.mtimeMs}`;
  });
}

test('every exporter is pure: the same files from the same data, each time, and nothing written', async () => {
  const dir = copyRun(GPU);
  const before = listing(dir);
  const data = loadReportData(dir);
  for (const exporter of EXPORTERS) {
    const first = await exporter.render(data);
    assert.deepEqual(await exporter.render(data), first, exporter.name);
    if ('unavailable' in first) continue;
    assert.ok(first.files.length > 0, exporter.name);
    for (const f of first.files) assert.ok(!f.path.startsWith('/') && !f.path.includes('..'), `${exporter.name}: ${f.path} stays in the output folder`);
  }
  assert.deepEqual(listing(dir), before, 'the run folder is untouched');
  const text = (name: string) => EXPORTERS.find((e) => e.name === name)!.render(data) as { files: Array<{ path: string; contents: string }> };
  assert.deepEqual(text('csv').files, [{ path: 'results.csv', contents: toCsv(data) }]);
  assert.deepEqual(text('markdown').files, [{ path: 'summary.md', contents: toMarkdown(data) }]);
  assert.deepEqual(text('html').files, [{ path: 'report.html', contents: toHtml(data) }]);
});

test('writeReports writes exactly the files the exporters return, byte for byte', async () => {
  const out = tmp();
  const written = await writeReports(GPU, out);
  const data = loadReportData(GPU);
  const expected = new Map<string, string | Uint8Array>();
  for (const exporter of EXPORTERS) {
    const rendered = await exporter.render(data);
    if ('files' in rendered) for (const f of rendered.files) expected.set(f.path, f.contents);
  }
  assert.deepEqual(written.map((p) => relative(out, p)), [...expected.keys()]);
  for (const [path, contents] of expected) assert.ok(Buffer.from(contents).equals(readFileSync(join(out, path))), path);
});

test('in report/ only write-reports.ts touches the disk or the terminal', () => {
  const src = fileURLToPath(new URL('../src/report/', import.meta.url));
  const touching = readdirSync(src).filter((f) => f.endsWith('.ts') && f !== 'write-reports.ts')
    .filter((f) => /\b(writeFile|writeFileSync|appendFile|mkdir|mkdirSync|rm|rmSync|rename|createWriteStream)\s*\(|process\.(stdout|stderr)/.test(readFileSync(join(src, f), 'utf8')));
  assert.deepEqual(touching, []);
});

test('a pipe, a line break or markup in run text stays in its cell of every summary.md table, shown as text', () => {
  const label = 'tiny | full\r\nb1 <b>a1</b> *x* `y` \\ z';
  // A progress line's carriage return in a failure message ends a Markdown line as a newline does.
  const message = 'loading 10%\rloading | 100% <oom>';
  const claim = 'memory | time <i>claim</i>';
  const dir = editRun(FAILED, (rows) => {
    const failed = rows.find((r) => r['status'] === 'failed')!;
    failed['label'] = label;
    (failed['error'] as { message: string }).message = message;
  }, (run) => {
    (run['suite'] as { definition: { claims: unknown[] } }).definition.claims = [{ label: claim, compare: ['delta-parallel', 'full'], memory: { atMost: 0.9 } }];
    run['skipped'] = [{ id: '5eedc0ffee01', label, reason: message }];
  });
  const md = toMarkdown(loadReportData(dir));
  assert.deepEqual(malformedTables(md), []);
  /** The first row of the table with these columns, as it shows. */
  const shown = (...header: string[]) => readTables(md).find((t) => t.header.join('|') === header.join('|'))!.rows[0]!.map(shownText);
  const labelShown = 'tiny | full b1 <b>a1</b> *x* `y` \\ z';
  const messageShown = 'loading 10% loading | 100% <oom>';
  assert.deepEqual(shown('cell', 'id', 'reason', 'message'), [labelShown, '`c49da33dd6dc`', 'error', messageShown]);
  assert.deepEqual(shown('cell', 'id', 'why it was not run'), [labelShown, '`5eedc0ffee01`', messageShown]);
  assert.equal(shown('claim', 'status', 'memory limit', 'worst memory ratio', 'time limit', 'worst time ratio', 'groups')[0], 'memory | time <i>claim</i>');
  assert.doesNotMatch(md, /<[bi]>|\r/, 'no markup, no stray line end');
  for (const run of [CPU, FAILED, GPU]) assert.deepEqual(malformedTables(toMarkdown(loadReportData(run))), [], run);
});

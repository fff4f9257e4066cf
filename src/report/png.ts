// charts/*.png: the charts of charts.ts drawn by Chart.js on a @napi-rs/canvas
// (no browser), on a white background, at PNG_SCALE times their CSS size.
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';
import { buildCharts, type ChartSpec } from './charts.ts';
import type { Exporter, Rendered, ReportFile } from './exporter.ts';
import type { ReportData } from './report-data.ts';

export const PNG_SCALE = 2;

let registered = false;

const whiteBackground: Plugin = {
  id: 'mobius-white-background',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

type Canvas = typeof import('@napi-rs/canvas');

/**
 * The native canvas, loaded when the first PNG is drawn; null where it is not
 * installed (the single-file bundle leaves it out unless built with --png: 35 MB).
 */
async function loadCanvas(): Promise<Canvas | null> {
  try {
    return await import('@napi-rs/canvas');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}

/** One chart as PNG bytes. */
export async function renderPng(spec: ChartSpec, canvasModule?: Canvas): Promise<Buffer> {
  const { createCanvas } = canvasModule ?? (await loadCanvas()) ?? missingCanvas();
  if (!registered) {
    Chart.register(...registerables);
    registered = true;
  }
  // Off the DOM, Chart.js takes the canvas's size as the CSS size and scales it by devicePixelRatio.
  const canvas = createCanvas(spec.width, spec.height);
  const config: ChartConfiguration = {
    ...spec.config,
    options: { ...spec.config.options, responsive: false, animation: false, devicePixelRatio: PNG_SCALE },
    plugins: [whiteBackground],
  };
  const ctx = canvas.getContext('2d');
  const chart = new Chart(ctx as unknown as CanvasRenderingContext2D, config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}

function missingCanvas(): never {
  throw new Error('@napi-rs/canvas is not installed: charts cannot be drawn as PNG');
}

const CHARTS_FOLDER = 'charts';

export const pngExporter: Exporter = {
  name: 'png',
  replaces: { folder: CHARTS_FOLDER, extension: '.png' },
  async render(data: ReportData): Promise<Rendered> {
    const canvas = await loadCanvas();
    if (!canvas) return { unavailable: `${CHARTS_FOLDER}/*.png not written: @napi-rs/canvas is not installed here (report.html has the same charts)` };
    const files: ReportFile[] = [];
    for (const spec of buildCharts(data)) files.push({ path: `${CHARTS_FOLDER}/${spec.id}.png`, contents: await renderPng(spec, canvas) });
    return { files };
  },
};

// `mobius-bench step` on the tiny and small presets, wasm, batch 1 and 2,
// every mode — each in a fresh process — with the delta-parallel /
// delta-serial ratios beside the paper's (memory ≤ 0.76, time ≤ 0.88) and
// the checkpointing ratios (ckpt / plain serial, Mobius / serial-ckpt,
// Mobius-ckpt / serial-ckpt) beside the H100 PyTorch figures.
//   npx tsx bench/step-figures.ts [--presets tiny,small] [--steps 3] [--warmup 1]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { MODES } from '../src/train/modes.ts';

const { values } = parseArgs({ options: { presets: { type: 'string', default: 'tiny,small' }, steps: { type: 'string', default: '3' }, warmup: { type: 'string', default: '1' }, batches: { type: 'string', default: '1,2' } } });
const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));


console.log('| preset | batch | mode | median step ms | peak MB | start MB | loss (last) |');
console.log('|---|---|---|---|---|---|---|');
const ratios: string[] = [];
const ckptRatios: string[] = [];
for (const preset of values.presets!.split(',')) {
  for (const batch of values.batches!.split(',')) {
    const byMode = new Map<string, { ms: number; peak: number }>();
    for (const mode of MODES) {
      const r = spawnSync(process.execPath, [BIN, 'step', '--preset', preset, '--mode', mode, '--batch', batch, '--steps', values.steps!, '--warmup', values.warmup!, '--json'], { encoding: 'utf8' });
      if (r.status !== 0) {
        console.log(`| ${preset} | ${batch} | ${mode} | failed: ${r.stderr.trim().split('\n').pop()} |`);
        continue;
      }
      const report = JSON.parse(r.stdout);
      const ms = median(report.stepMs);
      byMode.set(mode, { ms, peak: report.memory.peakBytes });
      console.log(`| ${preset} | ${batch} | ${mode} | ${ms.toFixed(0)} | ${(report.memory.peakBytes / 1e6).toFixed(1)} | ${(report.memory.startBytes / 1e6).toFixed(1)} | ${report.loss.at(-1).toFixed(4)} |`);
    }
    const s = byMode.get('delta-serial');
    const p = byMode.get('delta-parallel');
    const f = byMode.get('full');
    if (s && p) {
      ratios.push(`| ${preset} | ${batch} | ${(p.peak / s.peak).toFixed(3)} | ${(p.ms / s.ms).toFixed(3)} | ${f ? (p.peak / f.peak).toFixed(3) : '–'} | ${f ? (p.ms / f.ms).toFixed(3) : '–'} |`);
    }
    const sc = byMode.get('delta-serial-ckpt');
    const pc = byMode.get('delta-parallel-ckpt');
    if (s && p && sc && pc) {
      const r = (a: { ms: number; peak: number }, b: { ms: number; peak: number }) => `${(a.peak / b.peak).toFixed(3)} / ${(a.ms / b.ms).toFixed(3)}`;
      ckptRatios.push(`| ${preset} | ${batch} | ${r(sc, s)} | ${r(p, sc)} | ${r(pc, sc)} |`);
    }
  }
}
console.log('\n| preset | batch | parallel/serial memory | parallel/serial time | parallel/full memory | parallel/full time |');
console.log('|---|---|---|---|---|---|');
for (const line of ratios) console.log(line);
console.log('\nmemory / time ratios');
console.log('| preset | batch | serial-ckpt / serial | parallel / serial-ckpt | parallel-ckpt / serial-ckpt |');
console.log('|---|---|---|---|---|');
for (const line of ckptRatios) console.log(line);
console.log('H100, PyTorch, sd21 512 px bf16 b2 a2: 0.365 / 1.526 | 1.560 / 0.479 | 0.689 / 0.646');
console.log('\npaper (sd21, A100, batch 2 × accum 2): memory 28898/37758 = 0.765, time 105/119 = 0.882');

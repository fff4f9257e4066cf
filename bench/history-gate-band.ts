// The history gate's decision for step time (src/gate/window-band.ts) on
// simulated runs, beside pooling the window's steps into one Mann-Whitney
// test: how often an unchanged run is flagged, and how often a run 6 % or
// 10 % slower is caught. The noise is test/change-points.test.ts's: per run a
// level with `sd` Gaussian run-to-run noise and 5 % of runs 5–25 % slow; per
// step 0.5 % around the run's level. A regression: > 5 % above the window's
// level and p < 0.01 (compare's GPU defaults). The figures in docs/history.md's
// "The gate against the history" come from the defaults here.
//   npx tsx bench/history-gate-band.ts [--trials 4000] [--window 10] [--steps 10]
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { mannWhitney } from '../src/gate/mann-whitney.ts';
import { bandTest } from '../src/gate/window-band.ts';
import { seededRandom } from '../src/results/stats.ts';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '4000' }, window: { type: 'string', default: '10' }, steps: { type: 'string', default: '10' } } });
const trials = Number(values.trials);
const k = Number(values.window);
const n = Number(values.steps);
const random = seededRandom(1);
const normal = () => {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
};
const runLevel = (level: number, sd: number) => {
  let v = level * (1 + sd * normal());
  if (random() < 0.05) v *= 1.05 + 0.2 * random();
  return v;
};
const steps = (level: number) => Array.from({ length: n }, () => level * (1 + 0.005 * normal()));
const pct = (x: number) => `${((100 * x) / trials).toFixed(1)} %`;

console.log(`${trials} windows of ${k} runs × ${n} steps; flagged: > 5 % and p < 0.01`);
console.log('run-to-run  unchanged: band  pooled MW   +6 %: band  pooled MW   +10 %: band  pooled MW');
for (const sd of [0.01, 0.03]) {
  const flagged = { 1: [0, 0], 1.06: [0, 0], 1.1: [0, 0] } as Record<string, [number, number]>;
  for (let i = 0; i < trials; i++) {
    const window = Array.from({ length: k }, () => steps(runLevel(100, sd)));
    const medians = window.map((s) => median(s));
    for (const shift of [1, 1.1, 1.06]) {
      const current = steps(runLevel(100 * shift, sd));
      const x = median(current);
      const band = bandTest(medians, x, 0.01);
      if (x / band.level - 1 > 0.05 && band.p < 0.01) flagged[shift]![0]++;
      if (x / median(medians) - 1 > 0.05 && mannWhitney(window.flat(), current).p < 0.01) flagged[shift]![1]++;
    }
  }
  const [a, b, c] = [flagged[1]!, flagged[1.06]!, flagged[1.1]!];
  console.log(`${`${sd * 100} %`.padEnd(12)}${pct(a[0]).padStart(15)}${pct(a[1]).padStart(11)}${pct(b[0]).padStart(13)}${pct(b[1]).padStart(11)}${pct(c[0]).padStart(14)}${pct(c[1]).padStart(11)}`);
}

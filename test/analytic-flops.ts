// The matrix FLOPs (2 per multiply-add of every conv, linear and attention
// product) of one forward pass of the serial net, counted by hand from the
// UNet layout: what both planners' counts are checked against.
import type { UNetConfig } from '../src/model/config.ts';
import { unetLayout } from '../src/model/layout.ts';

export function analyticForwardFlops(cfg: UNetConfig, clips: number, frames: number, side: number, textLength: number, opts: { timeEmbeddingPerClip?: boolean } = {}): number {
  const n = clips * frames;
  const linear = (rows: number, i: number, o: number) => 2 * rows * i * o;
  const conv = (hw: number, ci: number, co: number, kh: number, kw = kh) => 2 * n * hw * co * kh * kw * ci;
  // attn1 + attn2 + feed-forward + projections of a transformer block of width d on `rows` tokens,
  // sequences of length l (self) — with `cross` text tokens for attn2 when given.
  const block = (rows: number, seqs: number, l: number, d: number, cross?: { dim: number; rows: number; len: number }) => {
    let f = 4 * linear(rows, d, d) + 2 * 2 * seqs * l * l * d; // attn1: q k v out + QKᵀ, PV
    if (cross) f += 2 * linear(rows, d, d) + 2 * linear(cross.rows, cross.dim, d) + 2 * 2 * seqs * l * cross.len * d;
    else f += 4 * linear(rows, d, d) + 2 * 2 * seqs * l * l * d;
    return f + linear(rows, d, 8 * d) + linear(rows, 4 * d, d);
  };
  const c0 = cfg.blockChannels[0]!;
  let side2 = side;
  // The time embedding's MLP: per frame in TensorFlow.js, per clip (then repeated) in diffusers' net.
  const embRows = opts.timeEmbeddingPerClip ? clips : n;
  let f = linear(embRows, c0, 4 * c0) + linear(embRows, 4 * c0, 4 * c0) + conv(side * side, cfg.latentChannels, c0, 3);
  const temporal = (hw: number, c: number, inner: number) => linear(n * hw, c, inner) + block(n * hw, clips * hw, frames, inner) + linear(n * hw, inner, c);
  f += temporal(side * side, c0, cfg.transformerInHeads * cfg.headDim);
  for (const step of unetLayout(cfg)) {
    const hw = side2 * side2;
    if (step.kind !== 'layer') {
      side2 = step.kind === 'down' ? side2 / 2 : side2 * 2;
      f += conv(side2 * side2, step.channels, step.channels, 3);
      continue;
    }
    const cin = step.inCh + step.skipCh;
    const c = step.outCh;
    f += conv(hw, cin, c, 3) + linear(n, 4 * c0, c) + conv(hw, c, c, 3) + (cin !== c ? conv(hw, cin, c, 1) : 0); // SC
    f += 4 * conv(hw, c, c, 3, 1); // TC: four [3, 1] convs over frames
    if (step.attention) {
      f += 2 * linear(n * hw, c, c) + block(n * hw, n, hw, c, { dim: cfg.crossDim, rows: n * textLength, len: textLength }); // SA
      f += temporal(hw, c, c); // TA
    }
  }
  return f + conv(side * side, c0, cfg.latentChannels, 3);
}

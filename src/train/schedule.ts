// The DDPM noise schedule of Stable Diffusion 2.1: 1000 steps,
// "scaled_linear" β from 0.00085 to 0.012 (linear in √β), and the forward
// process x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε used by the ε-objective (Eq. 3).
export const TRAIN_TIMESTEPS = 1000;
export const BETA_START = 0.00085;
export const BETA_END = 0.012;

export function scaledLinearBetas(steps = TRAIN_TIMESTEPS, start = BETA_START, end = BETA_END): Float64Array {
  const betas = new Float64Array(steps);
  const a = Math.sqrt(start);
  const b = Math.sqrt(end);
  for (let i = 0; i < steps; i++) {
    const r = a + ((b - a) * i) / (steps - 1);
    betas[i] = r * r;
  }
  return betas;
}

/** ᾱ_t = Π_{s≤t} (1 − β_s). */
export function alphasCumprod(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let prod = 1;
  for (let i = 0; i < betas.length; i++) {
    prod *= 1 - betas[i]!;
    out[i] = prod;
  }
  return out;
}

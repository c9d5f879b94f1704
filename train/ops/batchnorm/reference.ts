// Float64 reference batch normalisation over the channel axis.
// Shapes: x, y, dy, dx are (N, C, S) flattened (S = spatial, 1 for flat
// features); gamma, beta, running mean/var are (C). M = N·S values per channel.
// Train: mean and biased variance over the M values of each channel,
//   x̂ = (x − mean)/sqrt(var + eps), y = γ·x̂ + β; running stats (if given) are
//   updated in place: r ← (1 − momentum)·r + momentum·batch, the running
//   variance using the unbiased M/(M−1)·var (biased when M = 1).
// Eval: the same affine map with the running mean/var (constants).
// Backward (train): dβ = Σδ, dγ = Σδ·x̂, dx = γ·istd/M · (M·δ − dβ − x̂·dγ);
// (eval): dx = γ·istd_running·δ.

export interface BnCache {
  train: boolean;
  /** per channel mean and 1/sqrt(var + eps) that were used */
  mean: Float64Array;
  istd: Float64Array;
}

export function bnForward64(
  c: number,
  spatial: number,
  eps: number,
  momentum: number,
  gamma: Float64Array,
  beta: Float64Array,
  x: Float64Array,
  batch: number,
  train: boolean,
  running: Float64Array[] | undefined,
): { y: Float64Array; cache: BnCache } {
  const mean = new Float64Array(c);
  const istd = new Float64Array(c);
  const M = batch * spatial;
  if (train) {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let n = 0; n < batch; n++) {
        const b = (n * c + ch) * spatial;
        for (let i = 0; i < spatial; i++) s += x[b + i];
      }
      const mu = s / M;
      let v = 0;
      for (let n = 0; n < batch; n++) {
        const b = (n * c + ch) * spatial;
        for (let i = 0; i < spatial; i++) v += (x[b + i] - mu) * (x[b + i] - mu);
      }
      v /= M;
      mean[ch] = mu;
      istd[ch] = 1 / Math.sqrt(v + eps);
      if (running) {
        running[0][ch] = (1 - momentum) * running[0][ch] + momentum * mu;
        const unbiased = M > 1 ? v * M / (M - 1) : v;
        running[1][ch] = (1 - momentum) * running[1][ch] + momentum * unbiased;
      }
    }
  } else {
    if (!running || running.length !== 2 || running[0].length !== c || running[1].length !== c) {
      throw new TypeError(`batchnorm eval needs running [mean (${c}), var (${c})]`);
    }
    for (let ch = 0; ch < c; ch++) {
      mean[ch] = running[0][ch];
      istd[ch] = 1 / Math.sqrt(running[1][ch] + eps);
    }
  }
  const y = new Float64Array(x.length);
  for (let n = 0; n < batch; n++) {
    for (let ch = 0; ch < c; ch++) {
      const b = (n * c + ch) * spatial;
      const a = gamma[ch] * istd[ch], mu = mean[ch], be = beta[ch];
      for (let i = 0; i < spatial; i++) y[b + i] = a * (x[b + i] - mu) + be;
    }
  }
  return { y, cache: { train, mean, istd } };
}

export function bnBackward64(
  c: number,
  spatial: number,
  gamma: Float64Array,
  x: Float64Array,
  dy: Float64Array,
  batch: number,
  cache: BnCache,
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const { mean, istd } = cache;
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  const dx = new Float64Array(x.length);
  const M = batch * spatial;
  for (let ch = 0; ch < c; ch++) {
    // in the forward pass y = γ·x̂ + β with x̂ = (x − μ)·istd: so dβ = Σ δ and dγ = Σ δ·x̂
    let sb = 0, sg = 0;
    for (let n = 0; n < batch; n++) {
      const b = (n * c + ch) * spatial;
      for (let i = 0; i < spatial; i++) {
        sb += dy[b + i];
        sg += dy[b + i] * (x[b + i] - mean[ch]) * istd[ch];
      }
    }
    dbeta[ch] = sb;
    dgamma[ch] = sg;
    const k = gamma[ch] * istd[ch];
    for (let n = 0; n < batch; n++) {
      const b = (n * c + ch) * spatial;
      for (let i = 0; i < spatial; i++) {
        if (cache.train) {
          // in training μ and istd were this batch's statistics, functions of every x of the channel:
          // dx = γ·istd/M · (M·δ − Σδ − x̂·Σδx̂) over the M = N·spatial values
          const xh = (x[b + i] - mean[ch]) * istd[ch];
          dx[b + i] = (k / M) * (M * dy[b + i] - sb - xh * sg);
        } else dx[b + i] = k * dy[b + i]; // in evaluation μ and istd were constants: y was affine in x
      }
    }
  }
  return { dx, dgamma, dbeta };
}

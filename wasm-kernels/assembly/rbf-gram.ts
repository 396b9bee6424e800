/** In place: d2[i] ← exp(−d2[i] / (2σ²)), the Gaussian (RBF) kernel from squared distances. */
export function rbfGram(d2: usize, length: i32, sigmaSq: f64): void {
  const twoSigmaSq = 2 * sigmaSq;
  for (let i = 0; i < length; i++) {
    const p = d2 + ((<usize>i) << 3);
    store<f64>(p, Math.exp(-load<f64>(p) / twoSigmaSq));
  }
}

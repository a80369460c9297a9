// A tag's healthy behaviour as a first-order response to the machine running:
//
//   x ≈ a + b · r_τ(t),   r_τ = running share passed through a first-order lag with time constant τ
//
// (a = idle level, a + b = steady running level). Temperatures follow running with minutes
// of lag, vibration with seconds; one model per candidate τ is fitted by (exponentially
// weighted) least squares and the best one is kept. Pure maths, no clock.

/** Weighted least-squares sums of one (r, x) regression. */
export class LinearFit {
  w = 0;
  sr = 0;
  sx = 0;
  srr = 0;
  srx = 0;
  sxx = 0;
  rMin = Infinity;
  rMax = -Infinity;

  add(r: number, x: number, forget = 1): void {
    this.w = this.w * forget + 1;
    this.sr = this.sr * forget + r;
    this.sx = this.sx * forget + x;
    this.srr = this.srr * forget + r * r;
    this.srx = this.srx * forget + r * x;
    this.sxx = this.sxx * forget + x * x;
    this.rMin = Math.min(this.rMin, r);
    this.rMax = Math.max(this.rMax, r);
  }

  /**
   * Intercept, slope and residual variance. With r hardly varying (a machine that ran all
   * through learning) the slope is unknowable: it is taken as 0 rather than guessed, since a
   * steep guessed slope would make idle readings look like faults. Any shrinkage would bias
   * the running level, which a CUSUM turns into false alarms, so there is none otherwise.
   */
  solve(): { a: number; b: number; variance: number } | null {
    if (this.w < 3) return null;
    const mr = this.sr / this.w;
    const mx = this.sx / this.w;
    const vrr = Math.max(0, this.srr / this.w - mr * mr);
    const vrx = this.srx / this.w - mr * mx;
    const vxx = Math.max(0, this.sxx / this.w - mx * mx);
    const b = vrr > 1e-4 ? vrx / vrr : 0;
    const a = mx - b * mr;
    // Residual variance of the ridge fit: E[(x − a − b r)²] = vxx − 2 b vrx + b² vrr.
    const variance = Math.max(0, vxx - 2 * b * vrx + b * b * vrr) * (this.w / Math.max(1, this.w - 2));
    return { a, b, variance };
  }
}

/** Running share filtered with time constant τ, advanced one bucket at a time. */
export class LagFilter {
  value = 0;
  constructor(readonly tauMs: number) {}

  /**
   * Advances by `dtMs` with constant input `u` (the bucket's running share) and returns the
   * filter's exact mean over the bucket, which is what a time-averaged bucket of the tag sees.
   */
  step(u: number, dtMs: number): number {
    const start = this.value;
    const decay = Math.exp(-dtMs / this.tauMs);
    this.value = u + (start - u) * decay;
    return u + ((start - u) * this.tauMs * (1 - decay)) / dtMs;
  }
}

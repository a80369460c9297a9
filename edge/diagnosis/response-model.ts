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

/**
 * The running indicator (1 running, 0 otherwise) through a first-order lag with time
 * constant τ, integrated exactly between state changes, so a bucket gets the exact mean of
 * r over it however often the machine started and stopped inside it.
 */
export class LagFilter {
  value = 0;
  private integral = 0;
  constructor(readonly tauMs: number) {}

  /** Runs `dtMs` with input `u`; null (state unknown) holds the filter where it is. */
  advance(u: number | null, dtMs: number): void {
    if (dtMs <= 0) return;
    if (u === null) {
      this.integral += this.value * dtMs;
      return;
    }
    const decay = Math.exp(-dtMs / this.tauMs);
    this.integral += u * dtMs + (this.value - u) * this.tauMs * (1 - decay);
    this.value = u + (this.value - u) * decay;
  }

  /** Mean of r since the last call, over `dtMs`; starts the next integral. */
  takeMean(dtMs: number): number {
    const mean = this.integral / dtMs;
    this.integral = 0;
    return mean;
  }

  resetIntegral(): void {
    this.integral = 0;
  }
}

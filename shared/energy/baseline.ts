// Energy baselines per ISO 50006: a linear model of energy against relevant variables
// (production, optionally outdoor temperature, …) fitted by ordinary least squares on a
// baseline period; the expected energy for the report period, savings and SEnPI.
// Pure and browser-safe.

export interface RegressionFit {
  /** coefficients[0] is the intercept, then one per variable in the order given. */
  coefficients: number[];
  r2: number;
  n: number;
}

export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/**
 * OLS of y on the columns of `xs` with an intercept, by the normal equations
 * (XᵀX)β = Xᵀy solved with partial pivoting. Variables are centred first so that
 * production in the tens of thousands does not swamp the intercept's row.
 */
export function fitLinear(xs: readonly (readonly number[])[], y: readonly number[]): RegressionFit {
  const n = y.length;
  const k = xs[0]?.length ?? 0;
  if (n !== xs.length) throw new BaselineError('every baseline point needs the energy and each variable');
  if (n < k + 2) throw new BaselineError(`a baseline with ${k} variable(s) needs at least ${k + 2} points, got ${n}`);
  const meanX = Array.from({ length: k }, (_, j) => xs.reduce((s, r) => s + r[j]!, 0) / n);
  const meanY = y.reduce((s, v) => s + v, 0) / n;
  // Centred normal equations for the slopes.
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const dy = y[i]! - meanY;
    for (let r = 0; r < k; r++) {
      const dr = xs[i]![r]! - meanX[r]!;
      for (let c = 0; c < k; c++) a[r]![c]! += dr * (xs[i]![c]! - meanX[c]!);
      a[r]![k]! += dr * dy;
    }
  }
  const slopes = solve(a, k);
  const intercept = meanY - slopes.reduce((s, b, j) => s + b * meanX[j]!, 0);
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const fitted = intercept + slopes.reduce((s, b, j) => s + b * xs[i]![j]!, 0);
    ssRes += (y[i]! - fitted) ** 2;
    ssTot += (y[i]! - meanY) ** 2;
  }
  return { coefficients: [intercept, ...slopes], r2: ssTot > 0 ? 1 - ssRes / ssTot : 1, n };
}

function solve(a: number[][], k: number): number[] {
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    const scale = Math.max(1, ...a.map((row) => Math.abs(row[col]!)));
    if (Math.abs(a[pivot]![col]!) <= 1e-12 * scale) {
      throw new BaselineError(`baseline variable ${col + 1} does not vary independently across the baseline points (all equal, or a multiple of another): the fit has no unique answer`);
    }
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= k; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return Array.from({ length: k }, (_, r) => a[r]![k]! / a[r]![r]!);
}

export function predict(fit: RegressionFit, x: readonly number[]): number {
  return fit.coefficients.reduce((s, b, j) => s + (j === 0 ? b : b * x[j - 1]!), 0);
}

export interface BaselineComparison {
  expected: number;
  /** expected − actual: positive when less energy was used than the baseline predicts. */
  savings: number;
  /** SEnPI = actual ÷ expected (ISO 50006 ratio); below 1 is better than the baseline. */
  senpi: number | null;
}

export function compareWithBaseline(fit: RegressionFit, x: readonly number[], actual: number): BaselineComparison {
  const expected = predict(fit, x);
  return { expected, savings: expected - actual, senpi: expected !== 0 ? actual / expected : null };
}

/** EnPI: energy per unit of output; null when nothing was produced. */
export function enpi(energy: number, output: number): number | null {
  return output > 0 ? energy / output : null;
}

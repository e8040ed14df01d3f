/**
 * Small statistics helpers. Latencies are summarised per run (p50/p99 of that run's samples);
 * a metric's headline is the median of its runs, and the spread is the min..max of the runs,
 * because on a 2-core machine single runs are noisy and a median of runs is the honest figure.
 */

/** Summary of one run's samples, in the samples' unit. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** A value measured in several runs: the median of the runs and their range. */
export interface Repeated {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** Percentile by linear interpolation between closest ranks; `p` in 0..100. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Median of a list. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** p50/p99/mean/min/max of one run. */
export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const s of samples) {
    sum += s;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  return { n, p50: percentile(samples, 50), p99: percentile(samples, 99), mean: n ? sum / n : Number.NaN, min, max };
}

/** Median and range of per-run values. */
export function repeated(runs: readonly number[]): Repeated {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs: [...runs] };
}

/** Rounds for reports (keeps JSON and tables readable). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export function since(start: number): number {
  return performance.now() - start;
}

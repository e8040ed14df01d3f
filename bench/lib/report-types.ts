/** What every metric returns: numbers for results.json and rows for the table. */

/** One line of the results table. */
export interface Row {
  /** e.g. `P1`. */
  id: string;
  /** What is measured, in words. */
  what: string;
  /** The headline value (median of runs), formatted. */
  value: string;
  /** The target, in words; empty when the row is informational. */
  target: string;
  /** true met, false missed, null not applicable / informational. */
  met: boolean | null;
  /** Spread over runs and other context, formatted. */
  detail: string;
}

/** A metric's results. */
export interface MetricResult {
  /** Keys for bench/results.json (null when not measurable, e.g. a flow that does not exist yet). */
  keys: Record<string, number | null>;
  rows: Row[];
  /** Sentences for the report (what was measured, caveats). */
  notes: string[];
}

/** What every metric gets. */
export interface MetricContext {
  /** Small counts for a smoke run. */
  quick: boolean;
  /** Progress line on stderr. */
  progress(message: string): void;
}

/** A metric module's entry point. */
export type Metric = (ctx: MetricContext) => Promise<MetricResult>;

/** `12.3 ms`, `1.05×`, … */
export const fmt = {
  ms: (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`,
  ratio: (v: number) => `${v.toFixed(2)}×`,
  range: (min: number, max: number, unit = '') => `${min.toFixed(2)}–${max.toFixed(2)}${unit}`,
};

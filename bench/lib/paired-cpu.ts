/**
 * This process's CPU per call for two ways of making the same calls, measured in paired rounds
 * (for the tools that compare a client against another: connector-call-cpu, http-client-cpu).
 * Short rounds, run one after the other in alternating order, keep the two sides of a pair close
 * in time on a shared machine.
 */
import { median } from './stats';

/** One call to measure. */
export type Call = () => Promise<unknown>;

/** CPU milliseconds (user + system) per call of `count` calls taken in turn from `mix`, `inFlight` at a time. */
export async function cpuPerCall(mix: Call[], count: number, inFlight: number): Promise<number> {
  const before = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await mix[next++ % mix.length]!();
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

/** What {@link pairedCpu} measured, in CPU milliseconds per call. */
export interface PairedCpu {
  /** Per round. */
  base: number[];
  candidate: number[];
  /** Medians. */
  baseMedian: number;
  candidateMedian: number;
  /** Median of base − candidate per pair. */
  difference: number;
  /** Pairs in which the candidate used less. */
  candidateLess: number;
}

/** `rounds` pairs of `calls` calls each, after one warm-up run of each side (V8 optimises both first). */
export async function pairedCpu(
  base: Call[],
  candidate: Call[],
  opts: { rounds: number; calls: number; inFlight: number; warmUpCalls?: number },
): Promise<PairedCpu> {
  await cpuPerCall(base, opts.warmUpCalls ?? opts.calls, opts.inFlight);
  await cpuPerCall(candidate, opts.warmUpCalls ?? opts.calls, opts.inFlight);
  const results = { base: [] as number[], candidate: [] as number[] };
  for (let r = 0; r < opts.rounds; r++) {
    const order: Array<'base' | 'candidate'> = r % 2 ? ['candidate', 'base'] : ['base', 'candidate'];
    for (const side of order)
      results[side].push(await cpuPerCall(side === 'base' ? base : candidate, opts.calls, opts.inFlight));
  }
  const differences = results.base.map((b, i) => b - results.candidate[i]!);
  return {
    ...results,
    baseMedian: median(results.base),
    candidateMedian: median(results.candidate),
    difference: median(differences),
    candidateLess: differences.filter((d) => d > 0).length,
  };
}

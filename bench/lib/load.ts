/** A typed wrapper around autocannon (no types ship with it) for concurrent POSTs. */

interface AutocannonResult {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Seconds the run actually took. */
  duration: number;
  latency: { p50: number; p99: number };
}

type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;

const autocannon = require('autocannon') as Autocannon;

/** What one load window measured. */
export interface LoadResult {
  /** Completed 2xx responses per second. */
  perSecond: number;
  ok: number;
  failed: number;
  latencyP50: number;
  latencyP99: number;
}

/** POSTs `body` to `url` over `connections` keep-alive connections for `seconds`. */
export function load(url: string, body: string, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: seconds,
        timeout: 10,
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          perSecond: r['2xx'] / r.duration,
          ok: r['2xx'],
          failed: r.non2xx + r.errors + r.timeouts,
          latencyP50: r.latency.p50,
          latencyP99: r.latency.p99,
        });
      },
    );
  });
}

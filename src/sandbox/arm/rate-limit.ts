/**
 * ARM's `x-ms-ratelimit-remaining-*` headers (CONTRACTS §0.8), modelled as ARM's token buckets
 * (reads 250 refilled at 25/s; writes and deletes 200 refilled at 10/s). Only reported, never
 * enforced: throttling is injected explicitly through faults so tests stay deterministic.
 */

interface Bucket {
  capacity: number;
  refillPerSecond: number;
  tokens: number;
  at: number;
}

type Kind = 'reads' | 'writes' | 'deletes';

/** Remaining-request counters of one emulator. */
export class RateLimitCounters {
  private readonly buckets: Record<Kind, Bucket>;

  constructor(now = Date.now()) {
    this.buckets = {
      reads: { capacity: 250, refillPerSecond: 25, tokens: 250, at: now },
      writes: { capacity: 200, refillPerSecond: 10, tokens: 200, at: now },
      deletes: { capacity: 200, refillPerSecond: 10, tokens: 200, at: now },
    };
  }

  /** Spends one token for this call and returns the headers ARM would send. */
  headersFor(method: string, now = Date.now()): Record<string, string> {
    const kind: Kind = method === 'GET' || method === 'HEAD' ? 'reads' : method === 'DELETE' ? 'deletes' : 'writes';
    const b = this.buckets[kind];
    b.tokens = Math.min(b.capacity, b.tokens + ((now - b.at) / 1000) * b.refillPerSecond);
    b.at = now;
    b.tokens = Math.max(0, b.tokens - 1);
    const remaining = String(Math.floor(b.tokens));
    return {
      [`x-ms-ratelimit-remaining-subscription-${kind}`]: remaining,
      [`x-ms-ratelimit-remaining-tenant-${kind}`]: remaining,
    };
  }
}

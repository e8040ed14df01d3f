/**
 * One writer at a time for a request's audit card, across instances. Each instance already
 * writes a card through its own outbox one at a time (card-outbox.ts), but the steps of one
 * request run on different instances (the approval on one, the run on another): two that found
 * no audit card yet each posted one, and an instance that read an older state could write it
 * over a newer one. The lease `audit-card:<request id>` in the store makes the writes of every
 * instance take turns; each write reads the request and its card copies afresh under it.
 */
import type { Clock, Lease, LeaseStore } from '../domain/ports';
import { LeaseGuard } from '../flows/lease-guard';
import type { Logger } from '../observability/logger';

/** The lease store and this instance's owner id (the flows' lease owner), with the lease's TTL. */
export interface AuditCardLeases {
  store: LeaseStore;
  owner: string;
  ttlMs: number;
  /** The clock the lease store uses: the holder's lease expires by it, so the wait is timed by it too. */
  clock: Clock;
  /** How a wait between attempts passes (a timer; tests pass one that moves their clock). */
  wait?: (ms: number) => Promise<void>;
}

/** First wait between attempts to take a held lease; doubled up to {@link MAX_WAIT_MS}. */
const FIRST_WAIT_MS = 25;
const MAX_WAIT_MS = 1_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Runs `write` holding the audit card lease of `requestId`, waiting while another instance holds
 * it (a card write takes a connector call or two). Throws when it stays held for a whole TTL
 * (that holder died mid-write, or hangs: the card is written by the next change). The lease is
 * renewed while `write` runs (a throttled connector call can outlast a short ACRBOT_LEASE_TTL)
 * and released after it; a failed release is logged, and the lease ends by its TTL.
 */
export async function withAuditCardLease<T>(
  leases: AuditCardLeases,
  requestId: string,
  log: Logger,
  write: () => Promise<T>,
): Promise<T> {
  const key = `audit-card:${requestId}`;
  // On the lease store's clock, like the holder's expiry: "held for a whole TTL" must mean what
  // the store means by it, whatever the process clock says (a test clock, a store's own time).
  const giveUpAt = leases.clock.now().getTime() + leases.ttlMs;
  const wait = leases.wait ?? pause;
  let lease: Lease | undefined;
  for (let waitMs = FIRST_WAIT_MS; !(lease = await leases.store.acquire(key, leases.owner, leases.ttlMs));) {
    if (leases.clock.now().getTime() >= giveUpAt)
      throw new Error(`the audit card of ${requestId} stayed locked by another instance for ${leases.ttlMs} ms`);
    await wait(waitMs);
    waitMs = Math.min(waitMs * 2, MAX_WAIT_MS);
  }
  const guard = new LeaseGuard(
    { leases: leases.store, ttlMs: leases.ttlMs },
    lease,
    log,
    { requestId },
    () => leases.clock.now(),
    { what: 'audit card lease' },
  );
  try {
    return await write();
  } finally {
    await guard.stop();
  }
}

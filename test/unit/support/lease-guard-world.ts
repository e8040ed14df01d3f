/**
 * What the LeaseGuard tests share: a run's guard over a memory lease store, both on one fake
 * clock, holding `exec:R1` for {@link GUARDED_TTL_MS} as `instance-a`. A test changes only how the
 * store renews (counts renewals, fails them, lands them late) and, where it reads them, the log.
 */
import type { LeaseStore } from '../../../src/domain/ports';
import { LeaseGuard } from '../../../src/flows/lease-guard';
import { MemoryLeaseStore } from '../../../src/integrations/store/memory-coordination';
import { createLogger, type Logger } from '../../../src/observability/logger';
import { FakeClock, SECOND } from './fake-clock';

/** The TTL of the guarded lease. */
export const GUARDED_TTL_MS = 60 * SECOND;

type Renew = LeaseStore['renew'];

/**
 * A guard of `exec:R1` (run `R1`) on a fresh clock. `renewing` gets the store's own renew (and
 * the clock) and returns the renew the store answers with from then on; `log` gets the guard's
 * lines (silent by default).
 */
export async function leaseGuardWorld(
  options: { renewing?: (renew: Renew, clock: FakeClock) => Renew; log?: Logger } = {},
) {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore(() => clock.now());
  if (options.renewing) store.renew = options.renewing(store.renew.bind(store), clock);
  const lease = (await store.acquire('exec:R1', 'instance-a', GUARDED_TTL_MS))!;
  const guard = new LeaseGuard(
    { leases: store, ttlMs: GUARDED_TTL_MS },
    lease,
    options.log ?? createLogger({ level: 'silent' }),
    { requestId: 'R1' },
    () => clock.now(),
  );
  return { clock, store, guard };
}

/**
 * The `store.purge` job: deletes expired dialog state and forgets the sightings whose own
 * memory ran out (redeliveries after a day, acrbot's record of a reminder once its access ended), so the shared store stays flat (G16). One recurring job with a fixed id:
 * the scheduler runs it under the lease `job:store.purge`, so one instance purges at a time,
 * and each purge reads only what is due (the stores' expiry indexes), never every row.
 */
import type { AbuseLedger, Clock, DialogStore } from '../domain/ports';

/** Id of the recurring purge job (whichever instance runs it schedules the next run). */
export const STORE_PURGE_JOB_ID = 'store.purge';

/** How many rows one purge deleted. */
export interface PurgeCounts {
  dialogs: number;
  sightings: number;
}

/** Purges once, at the clock's now. */
export async function purgeStores(
  stores: { dialogs: DialogStore; abuse: AbuseLedger },
  clock: Clock,
): Promise<PurgeCounts> {
  const now = clock.now();
  const dialogs = await stores.dialogs.purgeExpired(now);
  const sightings = await stores.abuse.forgetExpiredSightings(now);
  return { dialogs, sightings };
}

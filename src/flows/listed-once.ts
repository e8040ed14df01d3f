/**
 * The start's counts of what a narrowed setting left (the tenants no longer served,
 * request-reads.ts notServedCounts; permanent access and unlisted subscriptions,
 * settings-left-behind.ts) each read the pending and live requests, up to WAITING_SCAN_LIMIT a
 * state: on Azure Tables the state's index rows and a point read per request. Read through
 * {@link listedOnce}, each list is read once and shared by both.
 */
import type { RequestStore } from '../domain/ports';
import type { AccessRequest } from '../domain/request';

/**
 * `store`'s `listByState`, each distinct read (its states, limit and order) made once: later
 * reads of the same list get the first one's answer (or its failure). For reads close together,
 * as at start: a list read again later is the one read first.
 */
export function listedOnce(store: Pick<RequestStore, 'listByState'>): Pick<RequestStore, 'listByState'> {
  const reads = new Map<string, Promise<AccessRequest[]>>();
  return {
    listByState: (...args: Parameters<RequestStore['listByState']>) => {
      const key = JSON.stringify(args);
      let read = reads.get(key);
      if (!read) {
        read = store.listByState(...args);
        reads.set(key, read);
      }
      return read;
    },
  };
}

/**
 * notServedCounts (src/flows/settings-left-behind.ts) says its counts may be short when either
 * list it counted is at its read limit: the live list full with few pending still means more live
 * requests may be there than counted.
 */
import { notServedCounts } from '../../src/flows/settings-left-behind';
import { WAITING_SCAN_LIMIT } from '../../src/flows/waiting-for-approvers';
import { pendingRequest } from './support/requests';

test('the live list at its read limit, fewer pending: the bound was reached', () => {
  const active = Array.from({ length: WAITING_SCAN_LIMIT }, () => pendingRequest({ state: 'succeeded' }));
  const counts = notServedCounts({ pending: [pendingRequest()], active }, []);
  expect(counts.boundReached).toBe(true);
});

test('both lists under their limit: the bound was not reached', () => {
  const counts = notServedCounts({ pending: [pendingRequest()], active: [pendingRequest({ state: 'succeeded' })] }, []);
  expect(counts.boundReached).toBe(false);
});

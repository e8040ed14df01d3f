/**
 * When a grant was made, as the drift check counts Azure's listing lag from it
 * (src/domain/listing-lag.ts): the start of its term, which a later write (a card's state, a mark
 * undone) does not move and an extension keeps; without a term, its last change. And which
 * grant missing from the listing the access cards, the tab and `check` call not listed yet
 * (`notListedYetPath`), whether its cell was built with the drift seen or without it.
 */
import { requestRef } from '../../src/domain/acrbot-request-ref';
import type { AcrbotRequestRef, EndedGrantPath } from '../../src/domain/inventory-rows';
import { grantedBy, LISTING_LAG_GRACE_MS, listingMayLag, notListedYetPath } from '../../src/domain/listing-lag';
import { transition } from '../../src/domain/request';
import { pendingRequest } from './support/requests';

const GRANTED = '2025-01-15T09:00:00.000Z';
const DAY = 24 * 3_600_000;
const at = (ms: number) => new Date(Date.parse(GRANTED) + ms);

/** A grant --for 1d that succeeded at GRANTED, last written `writtenAfter` ms later. */
function granted(writtenAfter = 0) {
  return pendingRequest({
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access: { durationMs: DAY, expiresAt: at(DAY).toISOString() },
    updatedAt: at(writtenAfter).toISOString(),
  });
}

describe('listing lag', () => {
  test('a time-boxed grant counts from the start of its term, not from its last write', () => {
    const request = granted(10 * 60_000);
    expect(grantedBy(request).toISOString()).toBe(GRANTED);
    expect(listingMayLag(request, at(LISTING_LAG_GRACE_MS - 1))).toBe(true);
    expect(listingMayLag(request, at(LISTING_LAG_GRACE_MS))).toBe(false);
  });

  test('an extension keeps the start of the term', () => {
    const extended = transition(granted(), {
      type: 'extend',
      at: at(5 * 60_000),
      expiresAt: at(3 * DAY).toISOString(),
      durationMs: 2 * DAY,
      by: 'R-EXTENDED',
    });
    expect(grantedBy(extended).toISOString()).toBe(GRANTED);
  });

  test('a grant without a term counts from its last change, which is no earlier than the grant', () => {
    const permanent = { ...granted(20 * 60_000), access: { permanent: true } };
    expect(grantedBy(permanent).toISOString()).toBe(at(20 * 60_000).toISOString());
    expect(listingMayLag(permanent, at(30 * 60_000))).toBe(true);
  });
});

describe('notListedYetPath', () => {
  /** The grant's path as buildCells makes it when Azure's listing lacks its assignment. */
  const missing = (request: AcrbotRequestRef): EndedGrantPath => ({
    kind: 'endedGrant',
    assignmentId: '/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/a',
    roleName: 'AcrPull',
    scope: '/subscriptions/s',
    request,
    state: 'drifted',
  });
  const fresh = requestRef(granted(), at(2 * 60_000));
  const seen = { ...fresh, state: 'drifted', driftReason: 'deleted' } as const;

  test('a grant made 2 minutes ago: not listed yet, read live (access REGISTRY, the tab) or with its drift seen', () => {
    expect(fresh).toMatchObject({ state: 'expiring', grantedAt: GRANTED });
    expect(notListedYetPath(missing(fresh))).toBe(true);
    expect(notListedYetPath(missing(seen))).toBe(true);
  });

  test('past the grace, with a drift recorded or seen for another reason, or while revoked: not', () => {
    const late = requestRef(granted(), at(LISTING_LAG_GRACE_MS));
    expect(late.grantedAt).toBeUndefined();
    expect(notListedYetPath(missing(late))).toBe(false);
    expect(notListedYetPath(missing({ ...seen, driftDetectedAt: at(60_000).toISOString() }))).toBe(false);
    expect(notListedYetPath(missing({ ...seen, driftReason: 'identityChanged' }))).toBe(false);
    // With its drift seen, a grant being revoked keeps its live reference (inventory-cells.ts
    // `driftedRef`), and `check` does not call it unlisted: read live, neither.
    expect(notListedYetPath(missing({ ...fresh, revokingSince: at(60_000).toISOString() }))).toBe(false);
    expect(notListedYetPath({ ...missing(fresh), state: 'revoked' })).toBe(false);
  });
});

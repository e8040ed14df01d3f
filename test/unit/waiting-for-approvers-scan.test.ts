/**
 * Reviews owed read by state (waiting-for-approvers.ts, scanReviewsOwed), on a scripted store:
 * every live state of a grant is read (`approved` too, before its run starts), the list comes
 * oldest first across the two reads, a grant met by both reads is judged as read last, and the
 * bound is said to be reached when either read reached it.
 */
import type { ListOrder } from '../../src/domain/ports';
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { scanReviewsOwed } from '../../src/flows/waiting-for-approvers';
import { breakGlassRequest } from './support/break-glass';
import { OLIVE } from './support/policy-fixtures';

const REVIEW = { dueAt: '2025-01-16T10:00:00.000Z' };
const REVIEWED = { ...REVIEW, outcome: 'accepted' as const, by: OLIVE, at: '2025-01-15T10:00:00.000Z', reason: 'ok' };

/** Olive's break-glass grant `id` in `state`, made `minute` minutes after 09:00, its review owed unless `review` says so. */
function grant(id: string, state: RequestState, minute: number, review: typeof REVIEW = REVIEW): AccessRequest {
  const createdAt = new Date(Date.parse('2025-01-15T09:00:00.000Z') + minute * 60_000).toISOString();
  return breakGlassRequest(OLIVE, createdAt, review, { id, state, createdAt });
}

/** A store answering each read with what `answer` gives for it (already in the read's order), cut at its limit. */
function scripted(answer: (states: RequestState[], order?: ListOrder) => AccessRequest[]) {
  return {
    listByState: async (states: RequestState[], limit?: number, order?: ListOrder) =>
      answer(states, order).slice(0, limit),
  };
}

test('a break-glass grant approved and not yet running owes its review and is listed', async () => {
  const approved = grant('R-APPROVD2', 'approved', 0);
  const store = scripted((states) => (states.includes('approved') ? [approved] : []));
  expect((await scanReviewsOwed(store)).requests.map((r) => r.id)).toEqual([approved.id]);
});

test('listed oldest first across both reads: an older revoked grant comes before a newer live one', async () => {
  const revokedOlder = grant('R-REVOKD02', 'revoked', 0);
  const liveNewer = grant('R-LIVE0002', 'succeeded', 30);
  const store = scripted((states) => (states.includes('revoked') ? [revokedOlder] : [liveNewer]));
  expect((await scanReviewsOwed(store)).requests.map((r) => r.id)).toEqual([revokedOlder.id, liveNewer.id]);
});

test('a grant reviewed and revoked between the two reads is judged as read last: not owed', async () => {
  const before = grant('R-MOVED002', 'succeeded', 0);
  const after = { ...grant('R-MOVED002', 'revoked', 0, REVIEWED), version: before.version + 2 };
  const store = scripted((states) => (states.includes('revoked') ? [after] : [before]));
  expect((await scanReviewsOwed(store)).requests).toEqual([]);
});

test('the live read reaching its bound is said, though the later read of revoked grants does not', async () => {
  const limit = 3;
  const live = [0, 1, 2, 3].map((n) => grant(`R-LIVE000${n}`, 'succeeded', n));
  const store = scripted((states) => (states.includes('revoked') ? [] : live));
  const found = await scanReviewsOwed(store, limit);
  expect(found.boundReached).toBe(true);
  expect(found.requests.map((r) => r.id)).toEqual(['R-LIVE0000', 'R-LIVE0001', 'R-LIVE0002']);
});

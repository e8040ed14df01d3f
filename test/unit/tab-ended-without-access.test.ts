/**
 * What the tab shows of requests that ended without access, beside what chat's cards say of them
 * ("30 days (never granted)" for rejected, cancelled and expired; "(not granted)" for a failed
 * run): no end ("Access ends …"), no Extend or Revoke, not in "Your active access", not in a
 * requester's matrix, and no term asked once undecided no more. A failed secret run whose
 * credential clean-up was refused shows the stored outcome, which says an operator must delete
 * the credential, never a retry that does not come.
 */
import { CLEANUP_REFUSED_SENTENCE } from '../../src/flows/credential-cleanup';
import type { AccessRequest } from '../../src/domain/request';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { TabHistory, TabMatrixPage, TabMyAccess } from '../../src/tab/tab-wire';
import { FakeClock, HOUR } from './support/fake-clock';
import { bearer, testTabApi } from './support/tab-api';
import { APPROVER, pendingRequest, REQUESTER, secretPlan } from './support/requests';

const DAY = 24 * HOUR;
const clock = new FakeClock('2025-03-01T09:00:00.000Z');
const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();

/** A 30-day request of Riley's in `state`; a failed one had its end set when its run began. */
function ended(id: string, state: AccessRequest['state'], extra: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    id,
    state,
    createdAt: at(-DAY),
    updatedAt: at(-DAY),
    access: { durationMs: 30 * DAY, ...(state === 'failed' && { expiresAt: at(29 * DAY) }) },
    ...(state === 'rejected' && { decision: { by: APPROVER, at: at(-DAY), approved: false, reason: 'not now' } }),
    ...(state === 'failed' && {
      decision: { by: APPROVER, at: at(-DAY), approved: true },
      outcome: { summary: 'Failed', azureRequestIds: [], error: 'Azure refused the role assignment.' },
    }),
    ...extra,
  });
}

const REFUSED_ERROR = `The Kubernetes API refused to create secret payments/acr-auth (403). ${CLEANUP_REFUSED_SENTENCE}`;

test('requests that ended without access: no end, no Extend or Revoke, not active, not in the matrix', async () => {
  const store = new MemoryRequestStore();
  const requests = [
    ended('R-REJECTD1', 'rejected'),
    ended('R-CANCELD1', 'cancelled'),
    ended('R-EXPIRED1', 'expired'),
    ended('R-FAILED01', 'failed'),
    ended('R-FAILEDS1', 'failed', {
      plan: secretPlan(),
      outcome: {
        summary: 'Failed',
        azureRequestIds: [],
        error: REFUSED_ERROR,
        cleanup: 'refused',
        credentialRef: '[]',
      },
    }),
  ];
  for (const r of requests) await store.create(r);
  const api = testTabApi(clock, store, {
    actions: {
      extend: async () => ({ message: 'asked' }),
      canExtend: () => true,
      revoke: async () => ({ message: 'revoked' }),
      revocable: async (_actor, rs) => rs.map(() => true),
      extendRange: () => ({ minMs: HOUR, maxMs: 90 * DAY }),
    },
  });
  const auth = await bearer(REQUESTER, clock);
  const mine = (await api.myAccess(auth)).body as TabMyAccess;
  expect(mine.grants).toEqual([]);
  expect(mine.requests.map((r) => [r.requestId, r.state])).toEqual(
    expect.arrayContaining([
      ['R-REJECTD1', 'rejected'],
      ['R-CANCELD1', 'cancelled'],
      ['R-EXPIRED1', 'closed'],
      ['R-FAILED01', 'failed'],
      ['R-FAILEDS1', 'failed'],
    ]),
  );
  for (const row of mine.requests) {
    expect(row).not.toHaveProperty('expiresAt', expect.anything());
    expect(row).not.toHaveProperty('termEndsAt');
    expect(row).not.toHaveProperty('termAsked');
    expect([row.canExtend, row.canRevoke, row.extendRange]).toEqual([false, false, undefined]);
  }
  const matrix = (await api.matrix(auth)).body as TabMatrixPage;
  expect(matrix.rows).toEqual([]);
  for (const r of requests) {
    const hist = (await api.history(auth, r.id)).body as TabHistory;
    expect([hist.row.expiresAt, hist.row.canExtend, hist.row.canRevoke, hist.ended]).toEqual([
      undefined,
      false,
      false,
      undefined,
    ]);
  }
  // The refused clean-up: the stored outcome's words, which name the operator, not a retry.
  const refused = (await api.history(auth, 'R-FAILEDS1')).body as TabHistory;
  expect(refused.outcome?.error).toBe(REFUSED_ERROR);
  expect(refused.outcome?.error).not.toMatch(/retried|looks again|looks for it again/);
});

/**
 * Why a tab row reads drifted (src/tab/drift-text.ts), on the request's own row and the matrix's:
 * each recorded reason in its own words, a drift recorded before reasons were in general words,
 * and, for the matrix, what the inventory saw before the drift check recorded anything (no
 * assignment in Azure, or a grant it cannot check; within the listing-lag grace, not in Azure's
 * listing yet, in `check`'s words, flagged `notListedYet`). Only drifted rows carry one: a drift being
 * revoked reads "revoking", an active or expired row has none. Fixed words: nothing from Azure
 * or a user goes into them.
 */
import type { DriftReason } from '../../src/domain/drift-reason';
import { NOT_LISTED_YET_LABEL } from '../../src/domain/listing-lag';
import { notListedYetText } from '../../src/domain/pull-diagnosis';
import type { AccessRequest } from '../../src/domain/request';
import { requestRow } from '../../src/tab/tab-rows';
import { driftLine } from '../../web/src/format';
import { APPROVER, pendingRequest } from './support/requests';
import { endedPath as ended, matrixRef as ref, matrixRowsOf as rowsOf, unhonouredRole } from './support/tab-matrix';

const NOW = new Date('2025-02-01T09:00:00.000Z');

/** Riley's grant, active until 2025-03-01, marked drifted with `reason` (none: before reasons were recorded). */
const drifted = (reason: DriftReason | undefined, extra: Partial<NonNullable<AccessRequest['access']>> = {}) =>
  pendingRequest({
    state: 'succeeded',
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
    outcome: { summary: 'granted', azureRequestIds: [], createdIds: ['ra-1'] },
    access: {
      durationMs: 30 * 86_400_000,
      expiresAt: '2025-03-01T09:00:00.000Z',
      driftDetectedAt: '2025-01-20T10:00:00.000Z',
      ...(reason && { driftReason: reason }),
      ...extra,
    },
  });

describe("the request's row", () => {
  test.each([
    ['deleted', 'role assignment deleted outside acrbot'],
    ['changed', 'role assignment changed outside acrbot (its role, its principal or a condition)'],
    ['identityChanged', 'the cluster pulls as another identity now; the role assignment is unchanged'],
    ['modeChanged', "the registry's role assignment mode changed and ignores this role"],
    [undefined, 'role assignment removed or changed outside acrbot'],
  ] as const)('drift %s reads "%s"', (reason, words) => {
    expect(requestRow(drifted(reason), NOW)).toMatchObject({ state: 'drifted', driftReason: words });
  });

  test('only a drifted row carries a reason: not one being revoked, nor one never drifted', () => {
    const revoking = requestRow(drifted('deleted', { revokingSince: '2025-02-01T08:00:00.000Z' }), NOW);
    expect(revoking.state).toBe('revoking');
    expect(revoking).not.toHaveProperty('driftReason');
    const active = requestRow(drifted(undefined, { driftDetectedAt: undefined }), NOW);
    expect(active.state).toBe('active');
    expect(active).not.toHaveProperty('driftReason');
  });
});

describe("the matrix's rows", () => {
  test('recorded, the drift check’s reason; not yet recorded, what Azure shows; unchecked, that it cannot be checked', () => {
    const recorded = { state: 'drifted' as const, driftDetectedAt: '2025-01-20T10:00:00.000Z' };
    const rows = rowsOf([
      ended(ref('R-DELETED1', { ...recorded, driftReason: 'deleted' }), 'drifted'),
      ended(ref('R-NOTSEEN1'), 'drifted'),
      ended(ref('R-UNCHECK1'), 'unverified'),
      ended(ref('R-EXPIRED1', { state: 'expired' }), 'expired'),
      unhonouredRole('ra-mode', [ref('R-MODECHG1', { ...recorded, driftReason: 'modeChanged' }), ref('R-ACTIVE01')]),
    ]);
    expect(rows.get('R-DELETED1')).toMatchObject({
      state: 'drifted',
      driftReason: 'role assignment deleted outside acrbot',
    });
    expect(rows.get('R-NOTSEEN1')).toMatchObject({
      state: 'drifted',
      driftReason: 'role assignment not found in Azure; acrbot did not remove it',
    });
    expect(rows.get('R-UNCHECK1')).toMatchObject({
      state: 'drifted',
      driftBadge: 'unverified',
      driftReason: "the cluster's pull identity is unknown",
    });
    // The list line puts its badge's words first: it says "not checked" once.
    expect(driftLine(rows.get('R-UNCHECK1')!)).toBe("Cannot be checked: the cluster's pull identity is unknown");
    expect(rows.get('R-MODECHG1')).toMatchObject({
      state: 'drifted',
      driftReason: "the registry's role assignment mode changed and ignores this role",
    });
    expect(rows.get('R-EXPIRED1')!.state).toBe('expired');
    expect(rows.get('R-EXPIRED1')).not.toHaveProperty('driftReason');
    expect(rows.get('R-ACTIVE01')).not.toHaveProperty('driftReason');
  });

  test("granted moments ago and missing from Azure's listing: not in Azure's listing yet, in check's words; never not found", () => {
    // As the inventory builds it (acrbot-request-ref.ts): the grant time while Azure's listing may
    // still lag it. The tab's matrix is read without the drift seen (its reference reads live);
    // `access CLUSTER`'s cells with it (drift `deleted` seen now, not recorded).
    const grantedAt = '2025-02-01T08:58:00.000Z';
    const rows = rowsOf([
      ended(ref('R-UNLISTED', { grantedAt }), 'drifted'),
      ended(ref('R-UNLISTD2', { grantedAt, state: 'drifted', driftReason: 'deleted' }), 'drifted'),
      ended(ref('R-NOTSEEN1'), 'drifted'),
    ]);
    for (const id of ['R-UNLISTED', 'R-UNLISTD2']) {
      expect(rows.get(id)).toMatchObject({
        state: 'drifted',
        notListedYet: true,
        driftReason: notListedYetText(grantedAt),
        howText: "AcrPull role by acrbot, not in Azure's listing yet",
      });
      expect(rows.get(id)!.driftReason).toContain('it was granted 2025-02-01 08:58 UTC');
      expect(JSON.stringify(rows.get(id))).not.toMatch(/not found|removed|deleted/);
    }
    expect(NOT_LISTED_YET_LABEL).toBe("Not in Azure's listing yet");
    // Past the grace the reference carries no grant time: not found, as before.
    expect(rows.get('R-NOTSEEN1')).toMatchObject({
      state: 'drifted',
      driftReason: 'role assignment not found in Azure; acrbot did not remove it',
      howText: 'AcrPull role by acrbot, removed in Azure outside acrbot',
    });
    expect(rows.get('R-NOTSEEN1')).not.toHaveProperty('notListedYet');
  });
});

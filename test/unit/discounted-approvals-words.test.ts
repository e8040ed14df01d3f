/**
 * The record of approvals a click no longer counts (discounted-approvals.ts), on its own: the
 * `approval.discounted` entry's key is one per click (its time and the first approval it dropped,
 * the approver's id in any case), so a later click dropping the same approver again gets an entry
 * of its own; the entry carries its rule's hash; the approver is told only of the drops of their
 * own click, matched whatever the case of their id, with an approval past the re-checks said as
 * "no longer an approver"; a request's drops are grouped per click, and none without a binding.
 */
import type { AccessRequest, Actor, DiscountedApproval, PolicyBinding } from '../../src/domain/request';
import {
  discountedEntry,
  discountedEntryKey,
  discountGroups,
  droppedNotice,
} from '../../src/flows/discounted-approvals';
import { APPROVER, OUTSIDER, pendingRequest } from './support/requests';

const SAM: Actor = { objectId: '0a000000-0000-4000-8000-00000000DDD4', name: 'Sam Second' };
const FIRST = '2025-01-14T10:00:00.000Z';
const SECOND = '2025-01-14T11:00:00.000Z';
const binding: PolicyBinding = { ruleId: 'prod', policyHash: 'hash-1', approvalsRequired: 3 };

function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({ id: 'R-QUORUM01', policy: binding, ...overrides });
}

describe('the key of a click’s entry', () => {
  test('the approver’s id in any case gives one key; another click’s time another', () => {
    const key = discountedEntryKey('R-QUORUM01', { by: SAM, at: FIRST });
    expect(discountedEntryKey('R-QUORUM01', { by: { ...SAM, objectId: SAM.objectId.toLowerCase() }, at: FIRST })).toBe(
      key,
    );
    expect(discountedEntryKey('R-QUORUM01', { by: SAM, at: SECOND })).not.toBe(key);
  });

  test('the entry: keyed by the first approval dropped, with the rule’s hash', () => {
    const dropped: DiscountedApproval[] = [
      { by: SAM, at: FIRST, why: 'disabledOrGone' },
      { by: OUTSIDER, at: FIRST, why: 'notApprover' },
    ];
    const entry = discountedEntry(request(), binding, dropped, 'tenant-1');
    expect(entry).toMatchObject({
      idempotencyKey: discountedEntryKey('R-QUORUM01', dropped[0]),
      policyHash: 'hash-1',
      ruleId: 'prod',
    });
    expect(entry.idempotencyKey).not.toBe(discountedEntryKey('R-QUORUM01', dropped[1]));
  });
});

describe('the notice on the clicking approver’s card', () => {
  const approvals = [{ by: APPROVER, at: SECOND, reason: 'ok' }];
  const discountedApprovals: DiscountedApproval[] = [
    { by: OUTSIDER, at: FIRST, why: 'notApprover' },
    { by: SAM, at: SECOND, why: 'notRechecked' },
  ];

  test('only their own click’s drops; past the re-checks reads as no longer an approver', () => {
    const notice = droppedNotice(request({ approvals, discountedApprovals }), APPROVER);
    expect(notice).toBe(
      "No longer counted towards request R-QUORUM01's approvals: Sam Second (no longer an approver of its rule).",
    );
    expect(notice).not.toContain(OUTSIDER.name);
  });

  test('found whatever the case of the approver’s id', () => {
    const upper = { ...APPROVER, objectId: APPROVER.objectId.toUpperCase() };
    expect(droppedNotice(request({ approvals, discountedApprovals }), upper)).toContain('Sam Second');
  });
});

describe('the drops of a request, per click', () => {
  const discountedApprovals: DiscountedApproval[] = [
    { by: SAM, at: FIRST, why: 'disabledOrGone' },
    { by: OUTSIDER, at: FIRST, why: 'notApprover' },
    { by: SAM, at: SECOND, why: 'notApprover' },
  ];

  test('grouped by the click’s time, oldest first, the same approver in two clicks twice', () => {
    expect(discountGroups(request({ discountedApprovals }))).toEqual([
      [discountedApprovals[0], discountedApprovals[1]],
      [discountedApprovals[2]],
    ]);
  });

  test('none on a request without a binding', () => {
    expect(discountGroups(request({ policy: undefined, discountedApprovals }))).toEqual([]);
  });
});

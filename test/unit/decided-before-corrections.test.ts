/**
 * An approver who approved the wrong card and revoked it at once (the undo the approvers' card
 * offers: "Approved the wrong one? `@acrbot revoke R-… REASON…`") decided nothing against the
 * pair: `decidedOnPair` leaves such a correction out (domain/decided-before.ts
 * `isApproverCorrection`), so the next request's approvers are not told "revoked by Alex". Decided
 * from the records alone (who approved, who revoked, when), never from the reason's words.
 */
import { APPROVER_CORRECTION_MS, decidedBeforeWords, isApproverCorrection } from '../../src/domain/decided-before';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { decidedOnPair } from '../../src/flows/decided-before';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { SAM, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, pendingRequest, REQUESTER } from './support/requests';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const MINUTE = 60_000;
/** `ms` before {@link NOW}, as stored. */
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
/** When every request below was approved: two hours before now. */
const APPROVED_AT = ago(120 * MINUTE);
/** `ms` after {@link APPROVED_AT}. */
const afterApproval = (ms: number) => new Date(Date.parse(APPROVED_AT) + ms).toISOString();

/** A grant `approvedBy` approved at {@link APPROVED_AT} (a quorum's earlier approvals first), revoked by `revokedBy` `revokedAfter` ms later. */
function revokedGrant(
  id: string,
  revokedBy: Actor,
  revokedAfter: number,
  extra: { approvedBy?: Actor; earlierApprovals?: Actor[]; overrides?: Partial<AccessRequest> } = {},
): AccessRequest {
  const approvedBy = extra.approvedBy ?? APPROVER;
  return pendingRequest({
    id,
    state: 'revoked',
    tenantId: TENANT,
    createdAt: ago(180 * MINUTE),
    decision: { by: approvedBy, at: APPROVED_AT, approved: true },
    approvals: [
      ...(extra.earlierApprovals ?? []).map((by) => ({ by, at: ago(24 * 60 * MINUTE) })),
      { by: approvedBy, at: APPROVED_AT },
    ],
    access: {
      durationMs: 24 * 60 * MINUTE,
      expiresAt: afterApproval(24 * 60 * MINUTE),
      revokedAt: afterApproval(revokedAfter),
      revokedBy,
      revokeReason: 'approved the wrong card, sorry',
    },
    ...extra.overrides,
  });
}

/** What `decidedOnPair` finds among `requests` (all of the same pair and tenant), by id. */
async function found(...requests: AccessRequest[]): Promise<string[]> {
  const store = new MemoryRequestStore();
  for (const r of requests) await store.create(r);
  return (await decidedOnPair(store, grantPlan(), TENANT, NOW)).map((d) => d.requestId);
}

describe("an approver's correction of their own approval", () => {
  test('revoked by the approver who approved it, within the window: left out, its reason notwithstanding', async () => {
    const corrected = revokedGrant('R-CORRECT1', APPROVER, 3 * MINUTE);
    expect(isApproverCorrection(corrected)).toBe(true);
    expect(await found(corrected)).toEqual([]);
    // The same with an incident's words: the reason is never read.
    const worded = revokedGrant('R-CORRECT2', APPROVER, 3 * MINUTE, {
      overrides: { access: { ...corrected.access, revokeReason: 'incident INC-9: leaked token' } },
    });
    expect(await found(worded)).toEqual([]);
  });

  test("object ids compared case-insensitively (Entra's are GUIDs, written either way)", async () => {
    const shouting: Actor = { ...APPROVER, objectId: APPROVER.objectId.toUpperCase() };
    expect(await found(revokedGrant('R-CORRECT3', shouting, MINUTE))).toEqual([]);
  });

  test('a quorum: any of its approvers revoking within the window of the deciding approval is a correction', async () => {
    const byEarlier = revokedGrant('R-QUORUM01', SAM, 10 * MINUTE, { earlierApprovals: [SAM] });
    expect(isApproverCorrection(byEarlier)).toBe(true);
    expect(await found(byEarlier)).toEqual([]);
  });

  test('the window is inclusive: at its end still a correction, a minute past it counted', async () => {
    const atEnd = revokedGrant('R-ATEND001', APPROVER, APPROVER_CORRECTION_MS);
    const past = revokedGrant('R-PAST0001', APPROVER, APPROVER_CORRECTION_MS + MINUTE);
    expect(APPROVER_CORRECTION_MS).toBe(15 * MINUTE);
    expect(await found(atEnd, past)).toEqual(['R-PAST0001']);
  });

  test("another approver's revocation within the window is counted: it is their decision, not a slip undone", async () => {
    expect(await found(revokedGrant('R-OTHER001', SAM, 2 * MINUTE))).toEqual(['R-OTHER001']);
  });

  test("an approval withdrawn or discounted before the decision no longer makes its author the grant's approver", async () => {
    // SAM's approval is no longer in `approvals` (dropped as no longer counting).
    const discounted = revokedGrant('R-DISCOUNT', SAM, 2 * MINUTE, {
      overrides: { discountedApprovals: [{ by: SAM, at: ago(24 * 60 * MINUTE), why: 'notApprover' }] },
    });
    expect(await found(discounted)).toEqual(['R-DISCOUNT']);
  });

  test("the requester's own revocation is left out, as before; acrbot's end is not a correction", async () => {
    expect(await found(revokedGrant('R-REQUEST1', REQUESTER, MINUTE))).toEqual([]);
    const ended = revokedGrant('R-ENDED001', APPROVER, MINUTE);
    const { revokedBy: _nobody, ...byAcrbot } = ended.access!;
    expect(isApproverCorrection({ ...ended, access: byAcrbot })).toBe(false);
  });

  test('break-glass (its decision is its requester’s own) and auto-approved grants have no approver to correct', () => {
    const breakGlass = revokedGrant('R-BREAKGL1', REQUESTER, MINUTE, {
      approvedBy: REQUESTER,
      overrides: { policy: { ruleId: 'break-glass', policyHash: 'h', approvalsRequired: 0, breakGlass: true } },
    });
    expect(isApproverCorrection(breakGlass)).toBe(false);
    const auto = revokedGrant('R-AUTOAPP1', APPROVER, MINUTE, {
      overrides: { policy: { ruleId: 'dev', policyHash: 'h', approvalsRequired: 0, autoApproved: true } },
    });
    expect(isApproverCorrection(auto)).toBe(false);
  });

  test('a revocation stored before the approval it would correct (a restored or edited record) is counted', async () => {
    expect(await found(revokedGrant('R-BEFORE01', APPROVER, -MINUTE))).toEqual(['R-BEFORE01']);
  });

  test("the new request's entry names the pair's rejection and another's revocation, never the correction", async () => {
    const store = new MemoryRequestStore();
    await store.create(revokedGrant('R-CORRECT4', APPROVER, 5 * MINUTE));
    await store.create(revokedGrant('R-INCIDENT', SAM, 30 * MINUTE, { approvedBy: APPROVER }));
    await store.create(
      pendingRequest({
        id: 'R-REJECTED',
        state: 'rejected',
        tenantId: TENANT,
        createdAt: ago(60 * MINUTE),
        decision: { by: APPROVER, at: ago(50 * MINUTE), approved: false, reason: 'not this week' },
      }),
    );
    const decided = await decidedOnPair(store, grantPlan(), TENANT, NOW);
    expect(decided.map((d) => [d.requestId, d.how])).toEqual([
      ['R-REJECTED', 'rejected'],
      ['R-INCIDENT', 'revoked'],
    ]);
    const words = decidedBeforeWords(decided);
    expect(words).toBe(
      `decided against this pair before: R-REJECTED rejected at ${ago(50 * MINUTE)}, R-INCIDENT revoked at ${afterApproval(30 * MINUTE)}`,
    );
    expect(words).not.toContain('R-CORRECT4');
    // A pair with only a correction has nothing said, as one with no decision at all.
    const alone = new MemoryRequestStore();
    await alone.create(revokedGrant('R-CORRECT5', APPROVER, 5 * MINUTE));
    expect(decidedBeforeWords(await decidedOnPair(alone, grantPlan(), TENANT, NOW))).toBe('');
  });
});

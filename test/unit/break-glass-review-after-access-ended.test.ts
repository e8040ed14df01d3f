/**
 * A break-glass grant whose access ended (revoked by its user, or at its end) or is ending before
 * its review still owes the review, but the review only judges the use: its card and the daily
 * report must not promise that Reject revokes it, and a late click is told the request ran as
 * break-glass, never that its requester approved it.
 */
import { describeBreakGlassRun, reviewJudgesUseOnly } from '../../src/domain/break-glass-review';
import { describeRequirement } from '../../src/domain/policy';
import type { AccessRequest, PolicyBinding } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { breakGlassCard } from '../../src/views/policy-view';
import { requestCard } from '../../src/views/request-view';
import { breakGlassRequest } from './support/break-glass';
import { OLIVE } from './support/policy-fixtures';
import { APPROVER } from './support/requests';

const AT = '2025-01-15T10:00:00.000Z';
const DUE = '2025-01-16T10:00:00.000Z';

/** Every text of the card, in one string. */
function textOf(card: AdaptiveCardJson): string {
  return JSON.stringify(card);
}

/** The verbs of the card's Action.Execute buttons. */
function verbs(card: AdaptiveCardJson): string[] {
  return [...textOf(card).matchAll(/"verb":"(\w+)"/g)].map((m) => m[1]);
}

function breakGlass(
  access: 'held' | 'revoking' | 'revoked',
  review: PolicyBinding['review'] = { dueAt: DUE },
): AccessRequest {
  return breakGlassRequest(OLIVE, AT, review, {
    state: access === 'revoked' ? 'revoked' : 'succeeded',
    access: {
      durationMs: 4 * 3_600_000,
      expiresAt: '2025-01-15T14:00:00.000Z',
      ...(access === 'revoking' && { revokingSince: '2025-01-15T11:00:00.000Z' }),
      ...(access === 'revoked' && { revokedAt: '2025-01-15T11:00:00.000Z', revokedBy: OLIVE, revokeReason: 'over' }),
    },
  });
}

describe('the review of a break-glass grant whose access ended', () => {
  test('only a grant without its access (revoked, or being revoked) is reviewed for its use alone', () => {
    expect(reviewJudgesUseOnly(breakGlass('held'))).toBe(false);
    expect(reviewJudgesUseOnly(breakGlass('revoking'))).toBe(true);
    expect(reviewJudgesUseOnly(breakGlass('revoked'))).toBe(true);
  });

  test('its card keeps Approve/Reject and says Reject records that the use was not justified, revoking nothing', () => {
    const card = requestCard(breakGlass('revoked'), { showActions: true });
    expect(textOf(card)).toContain(
      'Revoked at 2025-01-15 11:00 UTC by Adele Operator — \\"over\\". BREAK-GLASS: ran without approval. An approver must still review its use by 2025-01-16 10:00 UTC: Approve records that it was justified, Reject that it was not (its access already ended, so nothing is revoked).',
    );
    expect(textOf(card)).not.toMatch(/Reject revokes it/);
    expect(verbs(card)).toEqual(expect.arrayContaining(['approve', 'reject']));
    // Once reviewed: the revocation line alone, and the Approval line names what was judged.
    const reviewed = requestCard(
      breakGlass('revoked', {
        dueAt: DUE,
        outcome: 'rejected',
        by: APPROVER,
        at: '2025-01-15T12:00:00.000Z',
        useOnly: true,
      }),
      { showActions: true },
    );
    expect(textOf(reviewed)).not.toContain('must still review');
    expect(textOf(reviewed)).toContain('break-glass, reviewed: its use rejected by Alex Approver');
  });

  test('the daily report offers no revocation for a grant revoked or being revoked; one still held keeps it', () => {
    expect(textOf(breakGlassCard(breakGlass('revoked'), 'unreviewed'))).toContain(
      'shows it with Approve (its use was justified) and Reject (records that the use was not justified; its access has already ended, so nothing is revoked).',
    );
    const revoking = textOf(breakGlassCard(breakGlass('revoking'), 'unreviewed'));
    expect(revoking).toContain(
      'shows it once its access, being revoked now, is gone: Approve records that its use was justified, Reject that it was not (nothing more is revoked).',
    );
    for (const access of ['revoked', 'revoking'] as const)
      expect(textOf(breakGlassCard(breakGlass(access), 'unreviewed'))).not.toMatch(/revoke it at once/);
    expect(textOf(breakGlassCard(breakGlass('held'), 'unreviewed'))).toContain(
      'shows it with Approve (keep it) and Reject (revoke it at once).',
    );
  });

  test('the Approval line: kept or rejected while held (also after it ends), the use when reviewed after', () => {
    const review = { dueAt: DUE, outcome: 'accepted' as const, by: APPROVER, at: AT };
    expect(describeRequirement(breakGlass('held', review))).toBe('break-glass, reviewed: kept by Alex Approver');
    // Kept while it held access, revoked since: it was kept.
    expect(describeRequirement(breakGlass('revoked', review))).toBe('break-glass, reviewed: kept by Alex Approver');
    expect(describeRequirement(breakGlass('revoked', { ...review, outcome: 'rejected' }))).toBe(
      'break-glass, reviewed: rejected by Alex Approver',
    );
    // Stored before reviews recorded it: made after the revocation (11:00), so it judged the use.
    expect(describeRequirement(breakGlass('revoked', { ...review, at: '2025-01-15T12:00:00.000Z' }))).toBe(
      'break-glass, reviewed: its use accepted by Alex Approver',
    );
    // Reviewed once its access had ended: the use.
    expect(describeRequirement(breakGlass('revoked', { ...review, useOnly: true }))).toBe(
      'break-glass, reviewed: its use accepted by Alex Approver',
    );
  });
});

describe('what a late click is told of a break-glass request', () => {
  test('"ran as break-glass by" its requester, what became of it and what its review found', () => {
    const kept = { dueAt: DUE, outcome: 'accepted' as const, by: APPROVER, at: AT };
    expect(describeBreakGlassRun(breakGlass('held'))).toBe('ran as break-glass by Adele Operator and is granted');
    expect(describeBreakGlassRun(breakGlass('held', kept))).toBe(
      'ran as break-glass by Adele Operator and is granted; reviewed already: kept by Alex Approver',
    );
    // Rejected while it held access: the review's revocation is under way.
    expect(describeBreakGlassRun(breakGlass('revoking', { ...kept, outcome: 'rejected' }))).toBe(
      'ran as break-glass by Adele Operator and is being revoked; reviewed already: rejected by Alex Approver',
    );
    expect(describeBreakGlassRun(breakGlass('revoked', kept))).toBe(
      'ran as break-glass by Adele Operator and was since revoked by Adele Operator; reviewed already: kept by Alex Approver',
    );
    expect(describeBreakGlassRun(breakGlass('revoked', { ...kept, useOnly: true }))).toBe(
      'ran as break-glass by Adele Operator and was since revoked by Adele Operator; reviewed already: its use was accepted by Alex Approver',
    );
    expect(describeBreakGlassRun({ ...breakGlass('held'), state: 'failed', access: undefined })).toBe(
      'ran as break-glass by Adele Operator and failed',
    );
  });

  test('any other request: undefined (describeState says it)', () => {
    const request = breakGlass('held');
    expect(describeBreakGlassRun({ ...request, policy: { ...request.policy!, breakGlass: false } })).toBeUndefined();
  });
});

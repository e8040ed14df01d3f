import {
  checkDecision,
  type DecisionContext,
  isJustification,
  type RefusalReason,
} from '../../src/domain/approval-policy';
import type { Actor } from '../../src/domain/request';
import { FakeClock, HOUR, SECOND } from './support/fake-clock';
import { APPROVER, OUTSIDER, pendingRequest, REQUESTER } from './support/requests';

const CREATED = '2025-01-15T09:00:00.000Z';
const request = pendingRequest({ createdAt: CREATED });
const clock = new FakeClock(CREATED);
const inTime = () => clock.set(new Date(Date.parse(CREATED) + HOUR));
const late = () => clock.set(new Date(Date.parse(CREATED) + 24 * HOUR + SECOND));

function ctx(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return {
    actor: APPROVER,
    actorIsApprover: true,
    approving: true,
    justification: undefined,
    approverJustificationRequired: false,
    now: inTime(),
    ...overrides,
  };
}

function reasonOf(c: DecisionContext): RefusalReason | 'allowed' {
  const v = checkDecision(request, c);
  return v.allowed ? 'allowed' : v.reason;
}

const requesterAs = (objectId: string): Actor => ({ objectId, name: 'Someone else by name' });

describe('self-approval is refused (G4)', () => {
  test.each([
    ['same id, approver too, approving', { actor: REQUESTER, actorIsApprover: true, approving: true }],
    ['same id, rejecting', { actor: REQUESTER, actorIsApprover: true, approving: false }],
    ['upper-case id', { actor: requesterAs(REQUESTER.objectId.toUpperCase()) }],
    ['different display name', { actor: requesterAs(REQUESTER.objectId) }],
    [
      'with a justification under required policy',
      { actor: REQUESTER, justification: 'I really need it', approverJustificationRequired: true },
    ],
    ['even when expired (self is checked first)', { actor: REQUESTER, now: late() }],
    ['even when not an approver (self is checked first)', { actor: REQUESTER, actorIsApprover: false }],
  ] as const)('%s', (_name, overrides) => {
    const verdict = checkDecision(request, ctx(overrides as Partial<DecisionContext>));
    expect(verdict).toEqual({
      allowed: false,
      reason: 'self',
      message: 'You asked for request R-7K2M9QXA yourself, so someone else must approve or reject it.',
    });
  });

  test('a mixed-case stored requester id matches a lower-case actor', () => {
    const r = pendingRequest({ requester: { objectId: 'ABCDEF00-0000-4000-8000-00000000AAA1', name: 'R' } });
    expect(
      checkDecision(r, ctx({ actor: { objectId: 'abcdef00-0000-4000-8000-00000000aaa1', name: 'R' } })),
    ).toMatchObject({ allowed: false, reason: 'self' });
  });
});

describe('the other checks, in order', () => {
  test.each<[string, Partial<DecisionContext>, RefusalReason | 'allowed']>([
    ['approver, in time', {}, 'allowed'],
    ['approver rejecting', { approving: false }, 'allowed'],
    ['expired (24 h + 1 s)', { now: late() }, 'expired'],
    ['expired and not approver -> expired first', { now: late(), actorIsApprover: false }, 'expired'],
    ['expired and no justification -> expired first', { now: late(), approverJustificationRequired: true }, 'expired'],
    ['not approver', { actor: OUTSIDER, actorIsApprover: false }, 'notApprover'],
    [
      'not approver and no justification -> notApprover first',
      { actor: OUTSIDER, actorIsApprover: false, approverJustificationRequired: true },
      'notApprover',
    ],
    ['not approver rejecting', { actor: OUTSIDER, actorIsApprover: false, approving: false }, 'notApprover'],
    ['justification required, none', { approverJustificationRequired: true }, 'justification'],
    ['justification required, empty', { approverJustificationRequired: true, justification: '' }, 'justification'],
    [
      'justification required, blanks',
      { approverJustificationRequired: true, justification: '     ' },
      'justification',
    ],
    ['justification required, 2 chars', { approverJustificationRequired: true, justification: 'ok' }, 'justification'],
    ['justification required, 3 chars', { approverJustificationRequired: true, justification: 'yes' }, 'allowed'],
    [
      'justification required, padded 3 chars',
      { approverJustificationRequired: true, justification: '  yes  ' },
      'allowed',
    ],
    ['justification required but rejecting', { approverJustificationRequired: true, approving: false }, 'allowed'],
    ['justification optional, none', { approverJustificationRequired: false }, 'allowed'],
  ])('%s -> %s', (_name, overrides, expected) => {
    expect(reasonOf(ctx(overrides))).toBe(expected);
  });

  test('messages name the request', () => {
    expect(checkDecision(request, ctx({ now: late() }))).toEqual({
      allowed: false,
      reason: 'expired',
      // The time as cards write it (it is also the audit's detail), not the stored ISO form.
      message: 'Request R-7K2M9QXA expired at 2025-01-16 09:00 UTC; ask the requester to make a new one.',
    });
    expect(checkDecision(request, ctx({ actorIsApprover: false }))).toEqual({
      allowed: false,
      reason: 'notApprover',
      message: 'Only approvers can decide request R-7K2M9QXA; ask a member of the approvers list or group.',
    });
  });

  test("an extension whose wait was cut to its original's end says that access ended then; one its TTL closed says to extend again", () => {
    const end = '2025-01-15T12:00:00.000Z';
    const cut = pendingRequest({
      createdAt: CREATED,
      extendsRequestId: 'R-ORIGINAL',
      extendsAccess: { endsAt: end, extendedTimes: 0 },
    });
    const atEnd = { ...cut, expiresAt: end };
    const now = clock.set(new Date(Date.parse(end) + SECOND));
    expect(checkDecision(atEnd, ctx({ now, approving: false, justification: 'too late' }))).toEqual({
      allowed: false,
      reason: 'expired',
      message: `The access of R-ORIGINAL ended at 2025-01-15 12:00 UTC, so its extension ${cut.id} closed without a decision and nothing was extended; ask the requester for a new request if the access is still needed.`,
    });
    // Its original ran past its approval TTL: the request's own expiry, and the way on its
    // requester's card gives (extend again), not a new request.
    const ttl = { ...cut, extendsAccess: { endsAt: '2025-01-20T09:00:00.000Z', extendedTimes: 0 } };
    expect(checkDecision(ttl, ctx({ now: late() }))).toMatchObject({
      reason: 'expired',
      message: `Extension ${cut.id} expired at 2025-01-16 09:00 UTC without a decision, and nothing was extended; ask the requester to extend R-ORIGINAL again while its access runs, or to make a new request once it has ended.`,
    });
    // A grant's request is still made anew.
    expect(checkDecision(request, ctx({ now: late() }))).toMatchObject({
      message: `Request ${request.id} expired at 2025-01-16 09:00 UTC; ask the requester to make a new one.`,
    });
  });

  test('expiry boundary: allowed 1 ms before, refused exactly at expiresAt', () => {
    const expiresAt = Date.parse(request.expiresAt);
    expect(reasonOf(ctx({ now: clock.set(new Date(expiresAt - 1)) }))).toBe('allowed');
    expect(reasonOf(ctx({ now: clock.set(new Date(expiresAt)) }))).toBe('expired');
  });
});

describe('isJustification (G7): counted as a reader sees it', () => {
  test.each([
    ['ok.', true],
    ['no', false],
    ['no way', true],
    ['\u3164\u3164\u3164', false],
    ['\u200b\u200b\u200bok', false],
    ['no\u0301\u0301', false],
    // Two emoji are four UTF-16 units but two characters: no more of a comment than "no".
    ['\u{1F44D}\u{1F44D}', false],
    ['\u{1F44D}\u{1F44D}\u{1F44D}', true],
    ['   ', false],
    [undefined, false],
  ])('%j → %s', (text, expected) => {
    expect(isJustification(text)).toBe(expected);
  });
});

/**
 * People make mistakes; each card says how to undo its own: a rejected requester, one whose
 * access someone else revoked, and one who cancelled are given the command that asks for the
 * same access again, prefilled (ask-again-command.ts), except where it would be refused or is
 * not needed (another tenant's people, access the cluster still pulls with anyway, an end of their
 * own or with the term); an approver sees on their own copy of an approved request how to
 * revoke it ("Approved the wrong one?"), never on the requester's card.
 */
import { OTHER_TENANT_ASK_INSTEAD } from '../../src/domain/other-tenant-words';
import { parseCommand } from '../../src/domain/command';
import type { AccessRequest, RequestState } from '../../src/domain/request';
import { cancelledNotice } from '../../src/views/ask-again-command';
import { requesterNewsCard } from '../../src/views/lifecycle-view';
import { requestCard } from '../../src/views/request-view';
import { cardText } from '../helpers/capturing-connector';
import { APPROVER, grantPlan, pendingRequest as anyRequest, REQUESTER, secretPlan } from './support/requests';

const DAY = 86_400_000;
/** A request whose pair was typed by name, as the commands name it then. */
const pendingRequest = (overrides: Partial<AccessRequest> = {}) =>
  anyRequest({ plan: { ...grantPlan(), typed: { cluster: 'name', registry: 'name' } }, ...overrides });
const text = (card: unknown) => cardText({ attachments: [{ content: card }] });
const GRANT_AGAIN = '"@acrbot grant aks-prod contosoacr --for 30d REASON…"';
const decided = (approved: boolean) => ({ by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved, reason: 'ok' });

const rejected = pendingRequest({
  state: 'rejected',
  access: { durationMs: 30 * DAY },
  decision: { ...decided(false), reason: 'use the staging registry' },
});

const revoked = pendingRequest({
  state: 'revoked',
  decision: decided(true),
  access: {
    durationMs: 30 * DAY,
    expiresAt: '2025-02-14T10:00:00.000Z',
    revokedAt: '2025-01-16T10:00:00.000Z',
    revokedBy: APPROVER,
  },
});

/** The command a card quotes, as the parser is given it after the mention. */
function quoted(shown: string): ReturnType<typeof parseCommand> {
  const command = /"@acrbot ([^"]+)"/.exec(shown)?.[1];
  expect(command).toBeDefined();
  return parseCommand(command!.replace('REASON…', 'need it again'));
}

describe('the rejected news', () => {
  test('gives the command that asks for the same access again', () => {
    const shown = text(requesterNewsCard(rejected, { kind: 'rejected' }));
    expect(shown).toContain('Nothing was changed.');
    expect(shown).toContain(GRANT_AGAIN);
    expect(quoted(shown)).toMatchObject({
      verb: 'grant',
      cluster: 'aks-prod',
      registry: 'contosoacr',
      duration: '30d',
    });
  });

  test('a secret keeps its namespace, name and term', () => {
    const secret = {
      ...rejected,
      plan: secretPlan({
        namespace: 'payments',
        secretName: 'team-pull',
        typed: { cluster: 'name', registry: 'name' },
      }),
    };
    const shown = text(requesterNewsCard(secret, { kind: 'rejected' }));
    expect(quoted(shown)).toMatchObject({
      verb: 'secret',
      options: { namespace: 'payments', name: 'team-pull', expires: '30d' },
    });
  });

  test('a rejected extension is asked for again as an extension of its original', () => {
    const extension = { ...rejected, extendsRequestId: 'R-ORIGINAL' };
    expect(text(requesterNewsCard(extension, { kind: 'rejected' }))).toContain(
      '"@acrbot extend R-ORIGINAL --for 30d REASON…"',
    );
  });

  test("to another tenant's people: no command, but why and the way on", () => {
    const shown = text(requesterNewsCard(rejected, { kind: 'rejected', requesterOfOtherTenant: true }));
    expect(shown).not.toContain('@acrbot');
    expect(shown).toContain(OTHER_TENANT_ASK_INSTEAD);
  });
});

describe('the news that someone else revoked the access', () => {
  test('gives a new request for the same access', () => {
    const shown = text(
      requesterNewsCard(revoked, { kind: 'ended', by: APPROVER, expired: false, reason: 'wrong one' }),
    );
    expect(shown).toContain('Alex Approver revoked your access');
    expect(shown).toContain(GRANT_AGAIN);
  });

  test('break-glass access: a normal grant an approver decides, never --break-glass', () => {
    const breakGlass: AccessRequest = {
      ...revoked,
      policy: { ruleId: 'default', policyHash: 'h', approvalsRequired: 1, breakGlass: true },
    };
    const shown = text(requesterNewsCard(breakGlass, { kind: 'ended', by: APPROVER, expired: false }));
    expect(shown).toContain('ask for a normal grant and an approver will decide');
    expect(shown).not.toContain('--break-glass');
    expect(quoted(shown)).toMatchObject({ verb: 'grant' });
    expect(quoted(shown)).not.toMatchObject({ breakGlass: true });
  });

  test('none for their own revoke, an end with the term, or an end by acrbot', () => {
    const own = text(requesterNewsCard(revoked, { kind: 'ended', by: REQUESTER, expired: false }));
    const expired = text(requesterNewsCard(revoked, { kind: 'ended', by: APPROVER, expired: true }));
    const acrbot = text(
      requesterNewsCard(revoked, { kind: 'ended', by: { objectId: 'acrbot', name: 'acrbot' }, expired: false }),
    );
    for (const shown of [own, expired, acrbot]) expect(shown).not.toContain('@acrbot grant');
  });

  test('none while the cluster still pulls anyway (an assignment kept for other grants)', () => {
    const shown = text(
      requesterNewsCard(revoked, {
        kind: 'ended',
        by: APPROVER,
        expired: false,
        kept: { why: 'R-22222222 still holds it', complete: true },
      }),
    );
    expect(shown).toContain('The cluster can still pull');
    expect(shown).not.toContain('@acrbot grant');
  });

  test("to another tenant's people: no command, but why and the way on", () => {
    const shown = text(
      requesterNewsCard(revoked, { kind: 'ended', by: APPROVER, expired: false, requesterOfOtherTenant: true }),
    );
    expect(shown).not.toContain('@acrbot');
    expect(shown).toContain(OTHER_TENANT_ASK_INSTEAD);
  });
});

describe('the cancel notice', () => {
  const cancelled = pendingRequest({ state: 'cancelled', access: { durationMs: 7 * DAY } });

  test('offers the same access asked for again, to correct', () => {
    expect(cancelledNotice(cancelled, false)).toBe(
      `You cancelled request ${cancelled.id}; it can no longer be approved. To ask for it corrected: "@acrbot grant aks-prod contosoacr --for 7d REASON…".`,
    );
  });

  test("none to another tenant's people", () => {
    expect(cancelledNotice(cancelled, true)).toBe(
      `You cancelled request ${cancelled.id}; it can no longer be approved.`,
    );
  });
});

describe('"Approved the wrong one?" on the approvers\' copy', () => {
  const inState = (state: RequestState, overrides: Partial<AccessRequest> = {}) =>
    pendingRequest({
      state,
      decision: decided(true),
      access: { durationMs: 30 * DAY, ...(state === 'succeeded' && { expiresAt: '2025-02-14T10:00:00.000Z' }) },
      ...overrides,
    });
  const REVOKE = '"@acrbot revoke R-7K2M9QXA REASON…"';

  test('once granted: the revoke command', () => {
    const shown = text(requestCard(inState('succeeded'), { showActions: true }));
    expect(shown).toContain(`Approved the wrong one? ${REVOKE}.`);
  });

  test('while it runs: revoke once it says Granted', () => {
    for (const state of ['approved', 'executing'] as const)
      expect(text(requestCard(inState(state), { showActions: true }))).toContain(
        `Approved the wrong one? Once it says Granted: ${REVOKE}.`,
      );
  });

  test("never on the requester's card, nor in any other state", () => {
    expect(text(requestCard(inState('succeeded'), { showActions: false }))).not.toContain('Approved the wrong one');
    for (const state of ['pending', 'rejected', 'failed', 'revoked'] as const)
      expect(text(requestCard(inState(state), { showActions: true }))).not.toContain('Approved the wrong one');
  });

  test('not for break-glass (its review revokes it), auto-approved or an extension', () => {
    const policy = { ruleId: 'default', policyHash: 'h', approvalsRequired: 1 };
    for (const overrides of [
      { policy: { ...policy, breakGlass: true } },
      { policy: { ...policy, autoApproved: true } },
      { extendsRequestId: 'R-ORIGINAL' },
    ])
      expect(text(requestCard(inState('succeeded', overrides), { showActions: true }))).not.toContain(
        'Approved the wrong one',
      );
  });
});

/**
 * A granted outcome card says what the requester can do next with the access: extend it while it
 * has an end, revoke it when it is no longer needed, naming the request whose access it is (an
 * extension's original). A failed run, or access that was already in place, offers neither.
 */
import { outcomeCard } from '../../src/views/request-view';
import { APPROVER, CLUSTER_ID, pendingRequest, REGISTRY_ID } from './support/requests';

const decided = { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true };

/** The text of the card's "Next" section, or undefined when it has none. */
function nextSteps(card: { body?: unknown }): string | undefined {
  const body = card.body as Array<{ text?: string }>;
  const heading = body.findIndex((b) => b.text === 'Next');
  return heading < 0 ? undefined : body[heading + 1]?.text;
}

const granted = (extra: Parameters<typeof pendingRequest>[0] = {}) =>
  pendingRequest({
    state: 'succeeded',
    decision: decided,
    access: { durationMs: 30 * 86_400_000, expiresAt: '2027-01-04T10:00:00.000Z' },
    outcome: { summary: 'Granted AcrPull', azureRequestIds: [] },
    ...extra,
  });

describe('the outcome card names the next steps', () => {
  test('time-boxed access: extend and revoke, with its request id', () => {
    const request = granted();
    expect(nextSteps(outcomeCard(request))).toBe(
      `It ends by itself (see Term). To keep it longer: "@acrbot extend ${request.id} REASON…". Done with it sooner: "@acrbot revoke ${request.id} REASON…".`,
    );
  });

  test('permanent access: revoke only', () => {
    const request = granted({ access: { permanent: true } });
    expect(nextSteps(outcomeCard(request))).toBe(
      `When it is no longer needed: "@acrbot revoke ${request.id} REASON…".`,
    );
  });

  test('an extension names its original, whose access it moved', () => {
    const extension = granted({ id: 'R-EXTENSN2', extendsRequestId: 'R-ORIGINAL' });
    const text = nextSteps(outcomeCard(extension));
    expect(text).toContain('"@acrbot extend R-ORIGINAL REASON…"');
    expect(text).toContain('"@acrbot revoke R-ORIGINAL REASON…"');
    expect(text).not.toContain('R-EXTENSN2');
  });

  test('break-glass access: no extend (it is refused), a normal grant instead', () => {
    const request = granted();
    const bg = { ...request, policy: { ...request.policy!, breakGlass: true } };
    const text = nextSteps(outcomeCard(bg))!;
    expect(text).not.toContain('@acrbot extend');
    // By id: this plan did not record how its requester named the pair (plan-typed-hints.test.ts).
    expect(text).toContain(
      `cannot be extended: for longer, ask for a normal grant ("@acrbot grant ${CLUSTER_ID} ${REGISTRY_ID} REASON…")`,
    );
    expect(text).toContain(`@acrbot revoke ${request.id} REASON`);
  });

  test('a break-glass outcome says it ran without approval and when approvers review it; once reviewed, not', () => {
    const request = granted();
    const bg = {
      ...request,
      policy: { ...request.policy!, breakGlass: true, review: { dueAt: '2027-01-01T10:00:00.000Z' } },
    };
    const facts = JSON.stringify(outcomeCard(bg));
    expect(facts).toContain(
      'ran without approval; approvers review it by 2027-01-01 10:00 UTC (a Reject revokes it at once)',
    );
    const reviewed = { ...bg, policy: { ...bg.policy, review: { ...bg.policy.review, outcome: 'accepted' as const } } };
    expect(JSON.stringify(outcomeCard(reviewed))).not.toContain('ran without approval');
  });

  test('a failed run and access already in place have no next steps', () => {
    const failed = pendingRequest({
      state: 'failed',
      decision: decided,
      outcome: { summary: 'Failed', azureRequestIds: [], error: 'no' },
    });
    expect(nextSteps(outcomeCard(failed))).toBeUndefined();
    const present = granted({ outcome: { summary: 'Already there', azureRequestIds: [], alreadyPresent: true } });
    expect(nextSteps(outcomeCard(present))).toBeUndefined();
  });
});

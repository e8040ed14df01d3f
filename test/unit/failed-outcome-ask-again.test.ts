/**
 * The outcome card of a failed request (what its requester is sent) names the command to ask
 * again once the cause is fixed, as the news of a request nobody decided does: the error alone
 * left no way on. A failed extension is asked for again as an extension of its original.
 */
import { outcomeCard } from '../../src/views/request-view';
import { grantPlan, pendingRequest } from './support/requests';

const DAY = 86_400_000;
const TYPED = { cluster: 'name', registry: 'name' } as const;

/** The card as the requester reads it (JSON with its quotes unescaped). */
const texts = (card: unknown) => JSON.stringify(card).replace(/\\"/g, '"');

describe("a failed request's outcome card names the command to ask again", () => {
  test('a failed grant: its error, then the grant command with its term', () => {
    const request = pendingRequest({
      state: 'failed',
      plan: { ...grantPlan(), typed: TYPED },
      access: { durationMs: 5 * DAY },
      outcome: { summary: '', azureRequestIds: [], error: 'Azure refused the role assignment (AuthorizationFailed).' },
    });
    expect(texts(outcomeCard(request))).toContain(
      'Azure refused the role assignment (AuthorizationFailed). Once fixed, ask again: "@acrbot grant aks-prod contosoacr --for 5d REASON…" (approved like a new request).',
    );
  });

  test('a failed extension: asked for again as an extension of its original', () => {
    const request = pendingRequest({
      state: 'failed',
      plan: { ...grantPlan(), typed: TYPED },
      extendsRequestId: 'R-ORIGINAL',
      access: { durationMs: 30 * DAY },
      outcome: { summary: '', azureRequestIds: [], error: 'It failed.' },
    });
    expect(texts(outcomeCard(request))).toContain(
      'Once fixed, ask again: "@acrbot extend R-ORIGINAL --for 30d REASON…"',
    );
  });

  test('a granted request says no such thing', () => {
    const request = pendingRequest({
      state: 'succeeded',
      plan: { ...grantPlan(), typed: TYPED },
      access: { durationMs: 5 * DAY, expiresAt: '2026-12-11T10:00:00.000Z' },
      outcome: { summary: 'Granted AcrPull on contosoacr.', azureRequestIds: [] },
    });
    expect(texts(outcomeCard(request))).not.toContain('ask again');
  });
});

/**
 * The request card of a request that ended without its access (rejected, cancelled, expired
 * without a decision, failed): its Term line says what was asked and that it was not granted,
 * never a term that starts "when it is granted", and a pull secret's credential is not said to
 * end "before the access ends" (there is no access).
 */
import type { AccessRequest } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { requestCard } from '../../src/views/request-view';
import { APPROVER, pendingRequest, secretPlan } from './support/requests';

const DAY = 86_400_000;

/** The card's facts, label → value. */
function facts(card: AdaptiveCardJson): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; facts?: Array<{ title: string; value: string }> };
    if (n.type === 'FactSet') for (const f of n.facts ?? []) out[f.title] = f.value;
    Object.values(n).forEach(walk);
  };
  walk(card);
  return out;
}

/** A secret request for 120 days whose credential (plan) expires 90 days after it was asked. */
function secretIn(state: AccessRequest['state']): AccessRequest {
  return pendingRequest({
    state,
    plan: secretPlan({ expiresAt: '2025-04-15T09:00:00.000Z' }),
    access: { durationMs: 120 * DAY },
    ...(state === 'rejected' && {
      decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: false, reason: 'not this week' },
    }),
  });
}

describe('the card of a request that ended without its access', () => {
  test.each([
    ['rejected', '120 days (never granted)'],
    ['cancelled', '120 days (never granted)'],
    ['expired', '120 days (never granted)'],
    ['failed', '120 days (not granted)'],
  ] as const)('%s: Term "%s"; its credential ends before no access', (state, access) => {
    const shown = facts(requestCard(secretIn(state), { showActions: true }));
    expect(shown.Term).toBe(access);
    expect(shown['Credential expires']).toBe('2025-04-15 09:00 UTC');
  });

  test('while it may still be granted, the term starts when it is, and the early credential end is said', () => {
    const shown = facts(requestCard(secretIn('pending'), { showActions: true }));
    expect(shown.Term).toBe('120 days from when it is granted');
    expect(shown['Credential expires']).toMatch(/^2025-04-15 09:00 UTC, before the access ends/);
  });
});

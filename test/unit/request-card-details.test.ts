/**
 * The facts a request card and an outcome card show an approver or requester (Identity,
 * Credential expires, Approved by, the outcome's title and network hint, the Cancel button).
 * Written to kill mutants that survived mutation testing.
 */
import type { AccessRequest } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { outcomeCard, planFacts, requestCard } from '../../src/views/request-view';
import { APPROVER, REQUESTER, grantPlan, pendingRequest, secretPlan } from './support/requests';

/** The value of the fact labelled `label` in a card's FactSets, or undefined when it has none. */
function fact(card: AdaptiveCardJson, label: string): string | undefined {
  let found: string | undefined;
  const walk = (node: unknown): void => {
    if (found !== undefined || node === null || typeof node !== 'object') return;
    const n = node as { title?: unknown; value?: unknown };
    if (n.title === label && typeof n.value === 'string') {
      found = n.value;
      return;
    }
    for (const child of Object.values(node)) walk(child);
  };
  walk(card.body);
  return found;
}

/** The value of `label` among a request's plan facts. */
function planFact(request: AccessRequest, label: string): string | undefined {
  return planFacts(request).find((f) => f.label === label)?.value;
}

const approved = { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true };

/** A granted grant request, approved by {@link APPROVER}. */
function grantedGrant(extra: Partial<AccessRequest> = {}): AccessRequest {
  return pendingRequest({
    state: 'succeeded',
    decision: approved,
    access: { durationMs: 30 * 86_400_000, expiresAt: '2025-02-14T10:00:00.000Z' },
    outcome: { summary: 'Granted AcrPull', azureRequestIds: [] },
    ...extra,
  });
}

describe("the Identity fact of a grant's plan", () => {
  test("names a service principal's app id beside its object id", () => {
    const plan = grantPlan();
    plan.identity = { ...plan.identity, kind: 'servicePrincipal', description: 'service principal', appId: 'app-1234' };
    expect(planFact(pendingRequest({ plan }), 'Identity')).toBe(
      'service principal: 0d000000-0000-4000-8000-0000000000d1 (app app-1234)',
    );
  });

  test("another cluster's resource group spelled like a host is no link to the approver", () => {
    const plan = grantPlan();
    plan.sharedWith = {
      clusters: [{ id: '/c/aks-b', name: 'aks-b', subscriptionId: 's2', resourceGroup: 'www.evil.example', tags: {} }],
      more: 0,
      unchecked: [],
    };
    const identity = planFact(pendingRequest({ plan }), 'Identity')!;
    // The sentence is there, with the group broken up so clients do not link it.
    expect(identity).toContain('Also the pull identity of cluster aks-b (resource group www');
    expect(identity).toContain('approving gives it pull on contosoacr too');
    expect(identity).not.toContain('www.evil.example');
  });
});

describe('the Credential expires fact of a pull secret', () => {
  test('a credential that expires exactly when the access does is not said to end before it', () => {
    const request = pendingRequest({
      state: 'succeeded',
      plan: secretPlan({ expiresAt: '2025-04-15T09:00:00.000Z' }),
      access: { durationMs: 90 * 86_400_000, expiresAt: '2025-04-15T09:00:00.000Z' },
    });
    expect(planFact(request, 'Credential expires')).toBe('2025-04-15 09:00 UTC');
  });

  test('one that expires earlier is warned about, and once revoked no longer is', () => {
    const live = pendingRequest({
      state: 'succeeded',
      plan: secretPlan({ expiresAt: '2025-04-15T09:00:00.000Z' }),
      access: { permanent: true },
    });
    expect(planFact(live, 'Credential expires')).toBe(
      '2025-04-15 09:00 UTC, before the access ends: nothing renews it, and pulls with the secret stop then',
    );
    // Revoked: there is no access left for the credential to end before.
    const revoked = {
      ...live,
      state: 'revoked' as const,
      access: { permanent: true, revokedAt: '2025-02-01T09:00:00.000Z', revokedBy: REQUESTER },
    };
    expect(planFact(revoked, 'Credential expires')).toBe('2025-04-15 09:00 UTC');
  });
});

describe('the Approved by fact of an outcome card', () => {
  test('names the approver of an approved grant', () => {
    expect(fact(outcomeCard(grantedGrant()), 'Approved by')).toBe('Alex Approver at 2025-01-15 10:00 UTC');
  });

  test('is absent for an auto-approved request: nobody approved it', () => {
    const request = grantedGrant();
    const auto = { ...request, policy: { ruleId: 'dev', policyHash: 'h', approvalsRequired: 0, autoApproved: true } };
    expect(fact(outcomeCard(auto), 'Approved by')).toBeUndefined();
  });

  test('is absent for break-glass access, which its requester ran without approval', () => {
    const request = grantedGrant({ decision: { by: REQUESTER, at: '2025-01-15T10:00:00.000Z', approved: true } });
    const bg = {
      ...request,
      policy: {
        ruleId: 'bg',
        policyHash: 'h',
        approvalsRequired: 1,
        breakGlass: true,
        review: { dueAt: '2025-01-16T10:00:00.000Z' },
      },
    };
    const card = outcomeCard(bg);
    expect(fact(card, 'Approved by')).toBeUndefined();
    expect(fact(card, 'Break-glass')).toContain('ran without approval');
  });
});

/** The verbs of a card's buttons, in order. */
function verbs(card: AdaptiveCardJson): string[] {
  return ((card.actions as Array<{ verb: string }> | undefined) ?? []).map((a) => a.verb);
}

describe("the requester's Cancel button", () => {
  test('is offered while the request waits for a decision', () => {
    expect(verbs(requestCard(pendingRequest(), { showActions: false, showCancel: true }))).toContain('cancel');
  });

  test('is gone once it was decided, even on the copy drawn for its requester', () => {
    expect(verbs(requestCard(grantedGrant(), { showActions: false, showCancel: true }))).not.toContain('cancel');
  });
});

describe("a granted outcome's hint when, as planned, no network reaches the registry", () => {
  test('it says to fix the network first, and no condition on which pulls would go through', () => {
    const plan = grantPlan();
    plan.registry = {
      ...plan.registry,
      unreachable: 'Public network access is disabled and no private endpoint serves the cluster.',
      networkCondition: 'its IP rules must allow the cluster.',
    };
    const card = JSON.stringify(outcomeCard(grantedGrant({ plan })));
    expect(card).toContain('Once the cluster can reach the registry, pods in aks-prod pull from contosoacr.azurecr.io');
    expect(card).not.toContain('its IP rules must allow the cluster.');
    expect(card).not.toContain('only if');
  });
});

describe("a grant's outcome title", () => {
  test('access that was already in place is not announced as newly granted', () => {
    const met = grantedGrant({ outcome: { summary: 'Already there', azureRequestIds: [], alreadyPresent: true } });
    const card = JSON.stringify(outcomeCard(met));
    expect(card).toContain('Access was already in place');
    expect(card).not.toContain('Pull access granted');
  });
});

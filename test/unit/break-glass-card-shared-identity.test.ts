/**
 * A break-glass grant on an identity other clusters pull with goes through (break-glass waits on
 * nobody), as does one whose sharing could not be checked in some subscription: its alert and
 * daily report say so in a row of their own, naming at most ten sharing clusters (the rest
 * counted) and the subscriptions not checked, neutralised as the card's other user text. A card
 * whose plan records no sharing has no such row.
 */
import type { GrantPlan, ResourceSummary } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { breakGlassCard } from '../../src/views/policy-view';
import { grantPlan, pendingRequest, REQUESTER, SUB } from './support/requests';

const SUB_GONE = '1f0c0000-0000-4000-8000-0000000000ff';

const sharing = (n: number, resourceGroup = 'rg-dev'): ResourceSummary => ({
  id: `/subscriptions/${SUB}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/aks-dev-${n}`,
  name: `aks-dev-${n}`,
  subscriptionId: SUB,
  resourceGroup,
});

function breakGlass(sharedWith?: GrantPlan['sharedWith']): AccessRequest {
  return pendingRequest({
    state: 'succeeded',
    plan: { ...grantPlan(), ...(sharedWith && { sharedWith }) },
    decision: { by: REQUESTER, at: '2025-01-15T10:00:00.000Z', approved: true },
    access: { durationMs: 4 * 3_600_000, expiresAt: '2025-01-15T14:00:00.000Z' },
    policy: {
      ruleId: 'break-glass',
      policyHash: 'h',
      approvalsRequired: 0,
      breakGlass: true,
      review: { dueAt: '2025-01-16T10:00:00.000Z' },
    },
  });
}

/** The card's facts, label → value. */
function facts(card: AdaptiveCardJson): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.type === 'FactSet')
      for (const f of o.facts as Array<{ title: string; value: string }>) found[f.title] = f.value;
    Object.values(o).forEach(walk);
  };
  walk(card);
  return found;
}

describe('the break-glass card names who else pulls with the identity', () => {
  test.each(['used', 'unreviewed'] as const)(
    'the %s card names the sharing clusters and the unchecked subscription',
    (kind) => {
      const card = breakGlassCard(breakGlass({ clusters: [sharing(1)], more: 0, unchecked: [SUB_GONE] }), kind);
      expect(facts(card)['Shared identity']).toBe(
        `also the pull identity of cluster aks-dev-1 (resource group rg-dev, subscription ${SUB}): the grant gives it pull on contosoacr too; ` +
          `whether other clusters pull with it could not be checked in subscription ${SUB_GONE} (acrbot could not list their clusters; break-glass went ahead)`,
      );
    },
  );

  test('at most ten clusters are named, the rest (recorded or only counted) are counted', () => {
    const clusters = Array.from({ length: 12 }, (_, i) => sharing(i + 1));
    const value = facts(breakGlassCard(breakGlass({ clusters, more: 5, unchecked: [] }), 'used'))['Shared identity'];
    expect(value).toContain('aks-dev-10 (');
    expect(value).not.toContain('aks-dev-11');
    expect(value).toMatch(
      /aks-dev-10 \(resource group rg-dev, subscription [^)]+\) and 7 more: the grant gives them pull on contosoacr too$/,
    );
  });

  test('only unchecked subscriptions: the row says only that', () => {
    const value = facts(breakGlassCard(breakGlass({ clusters: [], more: 0, unchecked: [SUB_GONE, SUB] }), 'used'))[
      'Shared identity'
    ];
    expect(value).toBe(
      `whether other clusters pull with it could not be checked in subscriptions ${SUB_GONE}, ${SUB} (acrbot could not list their clusters; break-glass went ahead)`,
    );
  });

  test('a resource group name is neutralised and a look-alike one flagged', () => {
    const hostile = sharing(1, 'rg-[prod](https://evil.example)');
    const lookAlike = sharing(2, 'rg-pr\u043ed');
    const value = facts(breakGlassCard(breakGlass({ clusters: [hostile, lookAlike], more: 0, unchecked: [] }), 'used'))[
      'Shared identity'
    ];
    expect(value).not.toMatch(/\]\(|https:\/\//);
    expect(value).toContain('rg-pr\u043ed \u26a0');
  });

  test('no row without recorded sharing (nor with an empty record)', () => {
    expect(facts(breakGlassCard(breakGlass(), 'used'))).not.toHaveProperty('Shared identity');
    expect(facts(breakGlassCard(breakGlass({ clusters: [], more: 0, unchecked: [] }), 'used'))).not.toHaveProperty(
      'Shared identity',
    );
  });
});

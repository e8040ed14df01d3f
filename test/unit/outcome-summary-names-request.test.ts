/**
 * The requester's outcome card (request-view.ts outcomeCard) names its request and pair in its
 * title, so in what Teams shows in a notification and a chat's preview (the activity's `summary`,
 * card-summary.ts): two outcomes in one 1:1 chat must not read alike there, as reminders and the
 * requester's news do not (request-in-title.ts). What became of it comes first, as before.
 */
import { cardActivity } from '../../src/bot/turn-cards';
import type { PlannedRegistry } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { SUMMARY_MAX_CHARS } from '../../src/views/card-summary';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { outcomeCard } from '../../src/views/request-view';
import { APPROVER, grantPlan, pendingRequest, secretPlan } from './support/requests';

const summary = (card: AdaptiveCardJson) => cardActivity(card).summary as string | undefined;

const decision = { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true };
const granted = { summary: 'Granted AcrPull on contosoacr.', azureRequestIds: [] };
const access = { durationMs: 3_600_000, expiresAt: '2025-01-15T11:00:00.000Z' };

/** A finished grant `id` of aks-prod on `registry`. */
function grantOn(id: string, registry: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  const plan = grantPlan();
  return pendingRequest({
    id,
    plan: { ...plan, registry: { ...plan.registry, name: registry, loginServer: `${registry}.azurecr.io` } },
    state: 'succeeded',
    decision,
    outcome: granted,
    access,
    ...overrides,
  });
}

describe("the outcome card's preview", () => {
  test('two grants in one chat get two previews, each naming its request and pair', () => {
    const previews = [grantOn('R-7K2M9QXA', 'contosoacr'), grantOn('R-9HX4PQ2T', 'fabrikamacr')].map((r) =>
      summary(outcomeCard(r)),
    );
    expect(previews).toEqual([
      'Pull access granted: R-7K2M9QXA (aks-prod → contosoacr)',
      'Pull access granted: R-9HX4PQ2T (aks-prod → fabrikamacr)',
    ]);
  });

  test('a pull secret created names its request and pair', () => {
    const secret = grantOn('R-7K2M9QXA', 'contosoacr', { plan: secretPlan() });
    expect(summary(outcomeCard(secret))).toBe('Pull secret created: R-7K2M9QXA (aks-prod → contosoacr)');
  });

  test('access already in place names its request and pair', () => {
    const met = grantOn('R-7K2M9QXA', 'contosoacr', { outcome: { ...granted, alreadyPresent: true } });
    expect(summary(outcomeCard(met))).toBe('Access was already in place: R-7K2M9QXA (aks-prod → contosoacr)');
  });

  test('granted where no network reaches the registry: says so first, then the request and pair', () => {
    const plan = grantPlan();
    const registry: PlannedRegistry = { ...plan.registry, unreachable: 'Public network access is disabled.' };
    const unreachable = grantOn('R-7K2M9QXA', 'contosoacr', { plan: { ...plan, registry } });
    expect(summary(outcomeCard(unreachable))).toBe(
      'Role granted, but the cluster cannot pull yet: R-7K2M9QXA (aks-prod → contosoacr)',
    );
    const secret = grantOn('R-7K2M9QXA', 'contosoacr', { plan: { ...secretPlan(), registry } });
    expect(summary(outcomeCard(secret))).toBe(
      'Pull secret created, but the cluster cannot pull yet: R-7K2M9QXA (aks-prod → contosoacr)',
    );
  });

  test('a failed request names its request and pair', () => {
    const failed = grantOn('R-7K2M9QXA', 'contosoacr', {
      state: 'failed',
      outcome: { summary: 'Failed', azureRequestIds: [], error: 'Azure refused the role assignment.' },
      access: undefined,
    });
    expect(summary(outcomeCard(failed))).toBe('The request failed: R-7K2M9QXA (aks-prod → contosoacr)');
  });

  test('an extension names the access it extended (its original) and the pair', () => {
    const extension = grantOn('R-9HX4PQ2T', 'contosoacr', { extendsRequestId: 'R-7K2M9QXA' });
    expect(summary(outcomeCard(extension))).toBe('Access of R-7K2M9QXA extended (aks-prod → contosoacr)');
  });

  test('with the longest names Azure allows, the request id still survives the cut', () => {
    const plan = grantPlan();
    const long = grantOn('R-7K2M9QXA', 'r'.repeat(50), {
      plan: {
        ...plan,
        cluster: { ...plan.cluster, name: `aks-${'c'.repeat(59)}` },
        registry: { ...plan.registry, name: 'r'.repeat(50), unreachable: 'Public network access is disabled.' },
      },
    });
    const preview = summary(outcomeCard(long))!;
    expect(Array.from(preview)).toHaveLength(SUMMARY_MAX_CHARS);
    expect(preview.startsWith('Role granted, but the cluster cannot pull yet: R-7K2M9QXA (aks-ccc')).toBe(true);
  });
});

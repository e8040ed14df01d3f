/**
 * A grant or secret planned on a registry no network reaches (public access disabled, or a
 * firewall that allows nothing, and no private endpoint): the plan records `check`'s sentence,
 * the approver's card says the access would pull nothing until that changes, and the outcome
 * does not promise that pods can pull.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import { plannedRegistry } from '../../src/domain/plan';
import { buildGrantPlan } from '../../src/flows/grant-planner';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { cluster, identity, open, registry } from './support/pull-diagnosis-fixtures';
import { APPROVER, pendingRequest } from './support/requests';

const WHY =
  'Public network access to contosoacr is disabled and it has no approved private endpoint, so nothing can reach it.';
const clusterInfo = { ...cluster, identity: {}, aadEnabled: false } as unknown as ClusterInfo;
const closed: RegistryInfo = { ...registry, network: { ...open, publicNetworkAccess: 'Disabled' } };
const text = (card: unknown) => JSON.stringify(card);

test('the plan records why nothing can reach the registry; a reachable or unknown network records nothing', () => {
  expect(plannedRegistry(closed).unreachable).toBe(WHY);
  expect(plannedRegistry({ ...registry, network: open }).unreachable).toBeUndefined();
  expect(
    plannedRegistry({ ...closed, network: { ...closed.network!, privateEndpoints: 1 } }).unreachable,
  ).toBeUndefined();
  expect(plannedRegistry(registry).unreachable).toBeUndefined();
});

test('the approval card names it, and the outcome is a warning that says what to do, not a promise of a pull', () => {
  const plan = buildGrantPlan(clusterInfo, closed, identity);
  const pending = pendingRequest({ plan });
  expect(text(requestCard(pending, { showActions: true }))).toContain(
    `When this was requested: ${WHY} Until the cluster can reach the registry, this access pulls nothing.`,
  );
  const done = pendingRequest({
    plan,
    state: 'succeeded',
    decision: { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true },
    outcome: { summary: 'Granted AcrPull on contosoacr.', azureRequestIds: [] },
  });
  const card = outcomeCard(done);
  const outcome = text(card);
  expect(outcome).toContain('Role granted, but the cluster cannot pull yet: R-7K2M9QXA (aks-prod → contosoacr)');
  expect(outcome).not.toContain('Pull access granted');
  expect(outcome).toContain(`When this was requested: ${WHY} Ask the registry's owners to let the cluster in`);
  // By id: this plan did not record how its requester named them (plan.ts `typed`), and only the
  // id never names two.
  expect(outcome).toContain(`then: \\"@acrbot check ${cluster.id} ${registry.id}\\".`);
  expect(outcome).not.toContain('can pull from contosoacr.azurecr.io');
  // In Warning: on a warning-styled background (outcome.json), as Warning-coloured text is unreadable on white.
  const title = (card.body as Array<{ style?: string; items?: Array<{ text?: string }> }>).find((b) =>
    b.items?.[0]?.text?.startsWith('Role granted'),
  );
  expect(title?.style).toBe('warning');
});

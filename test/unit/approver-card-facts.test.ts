/**
 * What an approver reads first on a request card, and in which words: the Reason and Term right
 * after who asked and when (before the Azure ids), the overlap's "Already pulls", a pull secret's
 * title (the notification preview) naming its registry, "all repositories" including those
 * pushed later, and the operation line naming the identity as the Identity fact does.
 */
import type { ClusterInfo, RegistryInfo } from '../../src/domain/azure-model';
import type { AccessRequest } from '../../src/domain/request';
import { pullsThroughOf, pullsThroughWords } from '../../src/domain/pulls-through';
import { keepingExisting } from '../../src/domain/pulls-through';
import { buildGrantPlan } from '../../src/flows/grant-planner';
import { cardSummary } from '../../src/views/card-summary';
import { planFacts, requestCard } from '../../src/views/request-view';
import { CLUSTER_ID, grantPlan, pendingRequest, REGISTRY_ID, REQUESTER, SUB, secretPlan } from './support/requests';

const labels = (request: AccessRequest) => planFacts(request, { approvers: true }).map((f) => f.label);
const fact = (request: AccessRequest, label: string) =>
  planFacts(request, { approvers: true }).find((f) => f.label === label)?.value;

describe('the order of the facts', () => {
  const first = ['Request', 'Requested by', 'Requested', 'Reason', 'Term'];

  test.each([
    ['grant', pendingRequest()],
    ['pull secret', pendingRequest({ plan: secretPlan() })],
    ['granted grant', pendingRequest({ state: 'succeeded' })],
  ])('a %s reads who, when, why and for how long before the cluster and its ids', (_, request) => {
    const order = labels(request);
    expect(order.slice(0, 5)).toEqual(first);
    expect(order.indexOf('Reason')).toBeLessThan(order.indexOf('Cluster'));
  });

  test('drift replaces the Term in its place', () => {
    const drifted = pendingRequest({
      state: 'succeeded',
      access: { durationMs: 86_400_000, driftDetectedAt: '2025-01-15T10:00:00.000Z', driftReason: 'deleted' },
    });
    expect(labels(drifted).slice(0, 5)).toEqual(['Request', 'Requested by', 'Requested', 'Reason', 'Access']);
    expect(labels(drifted)).not.toContain('Term');
  });
});

describe('a grant overlapping other requesters’ grants (Already pulls)', () => {
  const other = (id: string, expiresAt: string | undefined, tenantId = TENANT_OF_PENDING): AccessRequest =>
    pendingRequest({
      id,
      tenantId,
      state: 'succeeded',
      requester: { objectId: `0a000000-0000-4000-8000-0000000${id.slice(-5)}`, name: `Owner ${id}` },
      access: expiresAt ? { durationMs: 1, expiresAt } : { permanent: true },
    });
  const TENANT_OF_PENDING = pendingRequest().tenantId;

  test('records the longest held first, the ones being granted after, another tenant’s without id, three at most', () => {
    const held = [other('R-SHORT001', '2025-01-20T09:00:00.000Z'), other('R-LONG0002', '2025-02-20T09:00:00.000Z')];
    const elsewhere = other('R-ELSE0003', '2025-03-01T09:00:00.000Z', 'another-tenant');
    const granting = [pendingRequest({ id: 'R-GRANTING', state: 'executing' })];
    expect(pullsThroughOf(held, granting, TENANT_OF_PENDING)).toEqual([
      { requestId: 'R-LONG0002', requester: 'Owner R-LONG0002', until: '2025-02-20T09:00:00.000Z' },
      { requestId: 'R-SHORT001', requester: 'Owner R-SHORT001', until: '2025-01-20T09:00:00.000Z' },
      { requestId: 'R-GRANTING', requester: REQUESTER.name, granting: true },
    ]);
    expect(pullsThroughOf([...held, elsewhere], [], TENANT_OF_PENDING)[0]).toEqual({});
    expect(pullsThroughOf([...held, elsewhere], granting, TENANT_OF_PENDING)).toHaveLength(3);
  });

  test('a holder being revoked or marked drifted keeps nothing: not recorded (with no other holder, the handler plans Create)', () => {
    const held = other('R-HELD0001', '2025-02-20T09:00:00.000Z');
    const revoking = other('R-REVOKING', '2025-12-30T00:00:00.000Z');
    revoking.access = { ...revoking.access!, revokingSince: '2025-01-15T09:00:00.000Z' };
    const drifted = other('R-DRIFTED1', '2025-12-30T00:00:00.000Z');
    drifted.access = { ...drifted.access!, driftDetectedAt: '2025-01-15T09:00:00.000Z' };
    expect(pullsThroughOf([revoking, drifted], [], TENANT_OF_PENDING)).toEqual([]);
    expect(pullsThroughOf([revoking, held, drifted], [], TENANT_OF_PENDING).map((p) => p.requestId)).toEqual([
      'R-HELD0001',
    ]);
  });

  test('the card says through which grant, until when, and that approving keeps the assignment, while it is decided', () => {
    const request = pendingRequest({
      pullsThrough: [{ requestId: 'R-DE3FJX38', requester: 'Sam Second', until: '2025-01-20T09:00:00.000Z' }],
    });
    expect(fact(request, 'Already pulls')).toBe(
      "When this was requested: through R-DE3FJX38 (Sam Second's grant), until 2025-01-20 09:00 UTC. Approving keeps that same role assignment until this request's end too, so revoking R-DE3FJX38 alone no longer stops the pull.",
    );
    expect(labels(request).indexOf('Already pulls')).toBeLessThan(labels(request).indexOf('Cluster'));
    // Once decided, the grants it named may have ended: not said as if still true.
    expect(fact({ ...request, state: 'succeeded' }, 'Already pulls')).toBeUndefined();
    expect(fact(pendingRequest(), 'Already pulls')).toBeUndefined();
  });

  test('another tenant’s grant is named only as such', () => {
    expect(pullsThroughWords({ pullsThrough: [{}] })).toBe(
      "When this was requested: through a request of another tenant. Approving keeps that same role assignment until this request's end too.",
    );
  });

  test('its operation keeps the existing assignment, and never says it creates one', () => {
    const [recheck, keep] = keepingExisting(grantPlan()).operations;
    expect(recheck).toBe(grantPlan().operations[0]);
    expect(keep).toMatch(
      /^Keep role assignment 00000000-0000-5000-8000-000000000000 \(AcrPull for the kubelet managed identity/,
    );
    expect(keep).toContain('written again under the same name, nothing new is created');
    expect(keep).toContain('deleted only when the last grant holding it ends');
    expect(keep).not.toContain('Create');
  });
});

describe('a pull secret', () => {
  test('its title, the notification’s preview, names the registry before the secret’s name', () => {
    const request = pendingRequest({ plan: secretPlan() });
    expect(cardSummary(requestCard(request, { showActions: true }))).toBe(
      'Pull secret for contosoacr in aks-prod (payments/acr-auth)',
    );
    // A secret name of Kubernetes' longest still leaves the registry and cluster in the preview.
    const long = pendingRequest({ plan: secretPlan({ secretName: 'a'.repeat(253) }) });
    expect(cardSummary(requestCard(long, { showActions: true }))).toMatch(/^Pull secret for contosoacr in aks-prod \(/);
  });

  test('"all repositories" says it includes those pushed later', () => {
    expect(fact(pendingRequest({ plan: secretPlan() }), 'Pulls from')).toBe(
      'all repositories of contosoacr, including ones pushed later',
    );
    expect(fact(pendingRequest({ plan: secretPlan({ repositories: ['payments/api'] }) }), 'Pulls from')).toBe(
      'payments/api',
    );
  });
});

describe('the identity, in the Identity fact and the operation line', () => {
  const cluster: ClusterInfo = {
    id: CLUSTER_ID,
    name: 'aks-prod',
    subscriptionId: SUB,
    resourceGroup: 'rg-aks',
    aadEnabled: true,
    identity: { identityType: 'SystemAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: 'k' },
  };
  const registry: RegistryInfo = {
    id: REGISTRY_ID,
    name: 'contosoacr',
    subscriptionId: SUB,
    resourceGroup: 'rg-acr',
    loginServer: 'contosoacr.azurecr.io',
    roleAssignmentMode: 'LegacyRegistryPermissions',
  };
  const KUBELET = '0d000000-0000-4000-8000-0000000000d1';

  test('a kubelet managed identity is named as such, by its service principal’s object id', () => {
    const plan = buildGrantPlan(cluster, registry, {
      kind: 'kubelet',
      objectId: KUBELET,
      description: 'kubelet managed identity',
    });
    expect(fact(pendingRequest({ plan }), 'Identity')).toBe(`kubelet managed identity: ${KUBELET}`);
    expect(plan.operations[1]).toContain(
      `AcrPull for the kubelet managed identity, by its service principal (object id ${KUBELET}), on registry contosoacr`,
    );
    expect(plan.operations[1]).not.toContain('for service principal');
  });

  test('a cluster service principal is named as the Identity fact names it', () => {
    const plan = buildGrantPlan(cluster, registry, {
      kind: 'servicePrincipal',
      objectId: KUBELET,
      appId: 'app',
      description: 'cluster service principal',
    });
    expect(plan.operations[1]).toContain(
      `AcrPull for the cluster service principal (object id ${KUBELET}) on registry`,
    );
  });
});

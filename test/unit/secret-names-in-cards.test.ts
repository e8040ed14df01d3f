/**
 * A pull secret's name, service account and repositories are the requester's words: `--name
 * www.evil-login.example` is a valid Kubernetes secret name (a DNS subdomain), and a `www.` host
 * is one of the forms clients turn into a link by themselves. So every card that names them —
 * above all the approvers' card, where the requester would place the link — shows them as user
 * text (inertText), like the reason next to them. The manifest snippet keeps the name as it is:
 * it is copied into a Deployment. Resource group names read from Azure may hold dots too.
 */
import {
  credentialReminderCard,
  expiryReminderCard,
  requesterNewsCard,
  revokeConfirmCard,
} from '../../src/views/lifecycle-view';
import type { ClusterAccessReport, InventoryRegistry } from '../../src/domain/access-inventory';
import { clusterAccessCard, pathLine, registryAccessCard } from '../../src/views/access-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import type { AccessRequest } from '../../src/domain/request';
import { grantPlan, pendingRequest, secretPlan } from './support/requests';

/** A `www.` host as written: the form clients link by themselves (inertText puts a zero-width space after `www`). */
const LIVE_WWW = /\bwww\./i;

const plan = secretPlan({
  secretName: 'www.evil-login.example',
  serviceAccount: 'www.sa.example',
  repositories: ['www.evil.example/login'],
});
const pending = pendingRequest({ plan });
const granted = pendingRequest({
  plan,
  state: 'succeeded',
  decision: { approved: true, by: { objectId: 'b', name: 'Alex Approver' }, at: '2025-01-15T10:00:00.000Z' },
  outcome: { summary: 'granted', azureRequestIds: [], createdIds: [] },
  access: { durationMs: 86_400_000, expiresAt: '2025-01-16T10:00:00.000Z' },
});

/** Everything a card shows, but the manifest snippet (a CodeBlock and its fallback lines). */
function shown(card: Record<string, unknown>): string {
  return JSON.stringify(card, (key, value: unknown) =>
    key === 'codeSnippet' ||
    (typeof value === 'object' && value && (value as { fontType?: string }).fontType === 'Monospace')
      ? undefined
      : value,
  );
}

describe('secret, service account and repository names are user text in every card', () => {
  test.each([
    ['the approvers’ card', () => requestCard(pending, { showActions: true })],
    ['the requester’s card', () => requestCard(pending, { showActions: false, showCancel: true })],
    ['the outcome card', () => outcomeCard(granted)],
    ['the requester’s news', () => requesterNewsCard(granted, { kind: 'approved' })],
    ['the expiry reminder', () => expiryReminderCard(granted, 3_600_000, 86_400_000)],
    [
      'the credential reminder',
      () => credentialReminderCard(granted, 3_600_000, '2025-01-16T09:00:00.000Z', 86_400_000),
    ],
    ['the revoke confirmation', () => revokeConfirmCard(granted, [], undefined)],
  ])('%s: no live www. host, the names still readable', (_name, render) => {
    const text = shown(render());
    expect(text).not.toMatch(LIVE_WWW);
    expect(text).toContain('evil-login.example');
  });

  test('the approvers’ card names the service account and the repositories, not as links', () => {
    const text = shown(requestCard(pending, { showActions: true }));
    expect(text).toContain('sa.example');
    expect(text).toContain('evil.example/login');
    expect(text).not.toMatch(LIVE_WWW);
  });

  test('the manifest snippet keeps the secret name exactly as it is in the cluster', () => {
    expect(JSON.stringify(outcomeCard(granted))).toContain('name: www.evil-login.example');
  });
});

describe('resource group names read from Azure are shown as text, never as links', () => {
  // Azure allows dots in a resource group's name, so whoever may create groups in a managed
  // subscription can name one like a host; the plan puts it before the approvers.
  const grant = grantPlan();
  const dotted = {
    ...grant,
    cluster: { ...grant.cluster, resourceGroup: 'www.rg-login.example' },
    registry: { ...grant.registry, resourceGroup: 'www.acr-login.example' },
  };

  test('the approvers’ card', () => {
    const text = shown(requestCard(pendingRequest({ plan: dotted }), { showActions: true }));
    expect(text).toContain('rg-login.example');
    expect(text).toContain('acr-login.example');
    expect(text).not.toMatch(LIVE_WWW);
  });

  test('the access cards of a registry and of a cluster', () => {
    const report = { cells: [], generatedAt: '2025-01-15T09:00:00.000Z', unresolvedClusters: [] };
    const registryCard = registryAccessCard({ ...report, registry: dotted.registry as InventoryRegistry }, false);
    const clusterCard = clusterAccessCard({ ...report, cluster: dotted.cluster } as ClusterAccessReport, false);
    for (const text of [shown(registryCard), shown(clusterCard)]) {
      expect(text).toMatch(/(rg|acr)-login\.example/);
      expect(text).not.toMatch(LIVE_WWW);
    }
  });

  // Commands acrbot suggests name the pair by id (or group/name), which holds the group.
  const grantedDotted = (over: Partial<AccessRequest> = {}) =>
    pendingRequest({
      plan: dotted,
      state: 'succeeded',
      decision: { approved: true, by: { objectId: 'b', name: 'Alex Approver' }, at: '2025-01-15T10:00:00.000Z' },
      outcome: { summary: 'granted', azureRequestIds: [], createdIds: [] },
      access: { durationMs: 86_400_000, expiresAt: '2025-01-16T10:00:00.000Z' },
      ...over,
    });
  const dottedSecret = secretPlan({ cluster: { ...dotted.cluster, aadEnabled: false }, registry: dotted.registry });

  test.each([
    ['the outcome card’s check', () => outcomeCard(grantedDotted())],
    [
      'the outcome card of an unreachable registry',
      () =>
        outcomeCard(grantedDotted({ plan: { ...dotted, registry: { ...dotted.registry, unreachable: 'closed.' } } })),
    ],
    [
      'a break-glass outcome’s normal grant',
      () => outcomeCard(grantedDotted({ policy: { breakGlass: true } as never })),
    ],
    [
      'a drifted grant’s reminder',
      () =>
        expiryReminderCard(
          grantedDotted({
            access: {
              durationMs: 86_400_000,
              expiresAt: '2025-01-16T10:00:00.000Z',
              driftDetectedAt: '2025-01-15T12:00:00.000Z',
            },
          }),
          3_600_000,
          86_400_000,
        ),
    ],
    [
      'a permanent secret’s credential reminder',
      () =>
        credentialReminderCard(
          grantedDotted({ plan: dottedSecret, access: { permanent: true } }),
          3_600_000,
          '2025-01-16T09:00:00.000Z',
          86_400_000,
        ),
    ],
    [
      'the cluster access card, naming it in its commands and its identity problem',
      () =>
        clusterAccessCard(
          {
            cluster: dotted.cluster,
            cells: [],
            generatedAt: '2025-01-15T09:00:00.000Z',
            identityProblem: `Cluster aks-prod pulls with … use a pull secret: @acrbot secret ${dotted.cluster.resourceGroup}/aks-prod REGISTRY`,
            typedAs: { cluster: 'groupAndName' },
          } as ClusterAccessReport,
          false,
        ),
    ],
  ])('in the commands of %s', (_name, render) => {
    const text = shown(render());
    expect(text).toMatch(/\b(check|grant|secret) \S*rg-login\.example/);
    expect(text).not.toMatch(LIVE_WWW);
  });

  test('a way of pulling through the registry’s group', () => {
    const line = pathLine(
      {
        kind: 'roleAssignment',
        assignmentId:
          '/subscriptions/s/resourceGroups/www.acr-login.example/providers/Microsoft.Authorization/roleAssignments/a',
        scopeLevel: 'resourceGroup',
        roleName: 'AcrPull',
        requests: [],
      } as unknown as Parameters<typeof pathLine>[0],
      'www.acr-login.example',
      's',
    );
    expect(line).toContain('acr-login.example');
    expect(line).not.toMatch(LIVE_WWW);
  });
});

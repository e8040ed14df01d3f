/**
 * What `check` and the access cards say when the data cannot back a plain answer: a role ignored by
 * a registry's mode (named by that mode, not always "ABAC"), pull limited by a condition, pods that
 * pull through a live pull secret while the nodes cannot, and a role whose definition could not be
 * read.
 */
import type { AccessCell, PullSecretPath, RoleAssignmentPath } from '../../src/domain/access-inventory';
import type { ClusterInfo, RegistryInfo, RoleAssignmentInfo } from '../../src/domain/azure-model';
import { ROLE_IDS } from '../../src/domain/roles';
import { AccessInventory, type AccessInventoryPorts } from '../../src/flows/access-inventory';
import type { ResourceResolver } from '../../src/flows/resource-resolver';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { checkCard, clusterAccessCard } from '../../src/views/access-view';
import { FakeClock } from './support/fake-clock';
import {
  cell,
  cluster,
  diagnose,
  identity,
  KUBELET,
  NOW,
  open,
  registry,
  SUB,
} from './support/pull-diagnosis-fixtures';
import { acrPullDefinition } from './support/role-definitions';

const abacRegistry = { ...registry, roleAssignmentMode: 'AbacRepositoryPermissions' as const };

function role(over: Partial<RoleAssignmentPath> = {}): RoleAssignmentPath {
  return {
    kind: 'roleAssignment',
    assignmentId: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/a1`,
    roleGuid: ROLE_IDS.acrPull,
    roleName: 'AcrPull',
    scope: registry.id,
    scopeLevel: 'registry',
    conditional: false,
    honoured: true,
    origin: 'outside',
    requests: [],
    state: 'active',
    ...over,
  };
}

const repositoryReader = (over: Partial<RoleAssignmentPath> = {}) =>
  role({ roleGuid: ROLE_IDS.repositoryReader, roleName: 'Container Registry Repository Reader', ...over });

function secret(over: Partial<PullSecretPath> = {}): PullSecretPath {
  return {
    kind: 'pullSecret',
    namespace: 'payments',
    secretName: 'acr-auth',
    credentialKind: 'token',
    request: { requestId: 'R-SECRET01', requesterName: 'Riley', requesterId: 'r', state: 'active' },
    state: 'active',
    ...over,
  };
}

const cardText = (card: unknown) => JSON.stringify(card);

describe('a role the registry’s mode ignores is named by that mode', () => {
  test('Repository Reader on a registry with RBAC registry permissions: not "ABAC"; the fix assigns AcrPull', () => {
    const d = diagnose({ cell: { ...cell([repositoryReader({ honoured: false })]), canPull: false } });
    expect(d.canPull).toBe(false);
    expect(d.verdict).toBe(
      "aks-prod cannot pull from contosoacr: its Container Registry Repository Reader is not honoured because the registry uses RBAC registry permissions, and acrbot's pull secrets give none (pull secrets and tokens made outside acrbot are not checked).",
    );
    expect(d.verdict).not.toContain('ABAC');
    expect(d.fix).toBe(
      '@acrbot grant aks-prod contosoacr REASON… (acrbot assigns AcrPull on registries with RBAC registry permissions).',
    );
    // The role is not silently dropped from the findings: it is listed as not honoured.
    expect(d.findings).toContainEqual(
      expect.objectContaining({
        topic: 'role',
        level: 'fail',
        text: expect.stringContaining(
          'contosoacr uses RBAC registry permissions: Container Registry Repository Reader on the registry itself is not honoured there',
        ),
      }),
    );
  });

  test('AcrPull on an ABAC registry keeps its ABAC wording', () => {
    const d = diagnose({ registry: abacRegistry, cell: { ...cell([role({ honoured: false })], abacRegistry) } });
    expect(d.verdict).toContain('is not honoured because the registry uses ABAC repository permissions');
    expect(d.fix).toContain('acrbot assigns Container Registry Repository Reader on ABAC registries');
  });

  test('the access card line says which mode ignores it', () => {
    const report = (reg: AccessCell['registry'], path: RoleAssignmentPath) => ({
      cluster,
      identity,
      cells: [{ ...cell([path], reg), canPull: false, state: 'revoked' as const }],
      generatedAt: NOW.toISOString(),
    });
    const legacy = cardText(clusterAccessCard(report(registry, repositoryReader({ honoured: false })), false));
    expect(legacy).toContain('NOT honoured: the registry uses RBAC registry permissions, which ignore this role');
    expect(legacy).not.toContain('NOT honoured: the registry uses ABAC');
    const abac = cardText(clusterAccessCard(report(abacRegistry, role({ honoured: false })), false));
    expect(abac).toContain('NOT honoured: the registry uses ABAC repository permissions');
  });
});

describe('pull limited by a condition is not a plain yes', () => {
  const conditioned = repositoryReader({ conditional: true, scopeLevel: 'resourceGroup' });

  test('only a conditioned role: the verdict says some repositories, the card is a warning, the fix grants for all', () => {
    const d = diagnose({ registry: abacRegistry, cell: cell([conditioned], abacRegistry) });
    expect(d.limited).toBe(true);
    expect(d.verdict).toBe(
      'aks-prod can pull only those repositories of contosoacr that the condition on its Container Registry Repository Reader on its resource group allows — granted outside acrbot; acrbot does not evaluate conditions, so it cannot tell which.',
    );
    expect(d.fix).toBe('For every repository: @acrbot grant aks-prod contosoacr REASON…');
    // The verdict on a warning-styled background (check.json: Warning text is unreadable on white).
    expect(cardText(checkCard(d, false))).toContain('"style":"warning"');
  });

  test('the pull role itself, conditioned on the registry: a grant would be refused, so the fix is the owners’', () => {
    const onRegistry = repositoryReader({ conditional: true });
    const d = diagnose({ registry: abacRegistry, cell: cell([onRegistry], abacRegistry) });
    expect(d.fix).toContain("ask the registry's owners to remove or widen the condition on Container Registry");
    expect(d.fix).toContain(onRegistry.assignmentId);
    expect(d.fix).not.toContain('@acrbot grant');
  });

  test('an unconditioned role too: a plain yes naming it, even when the conditioned one is listed first', () => {
    const whole = repositoryReader({ scopeLevel: 'subscription', assignmentId: 'x/roleAssignments/a2' });
    const d = diagnose({ registry: abacRegistry, cell: cell([conditioned, whole], abacRegistry) });
    expect(d.limited).toBeUndefined();
    expect(d.verdict).toBe(
      'aks-prod can pull from contosoacr: Container Registry Repository Reader on its subscription — granted outside acrbot.',
    );
    expect(d.fix).toBeUndefined();
    expect(cardText(checkCard(d, false))).toContain('"style":"good"');
  });

  test('anonymous pull on: every repository can be pulled, whatever the condition', () => {
    const d = diagnose({
      registry: abacRegistry,
      network: { ...open, anonymousPullEnabled: true },
      cell: cell([conditioned], abacRegistry),
    });
    expect(d.limited).toBeUndefined();
    expect(d.verdict).not.toContain('only those repositories');
  });
});

describe('pods that reference a live pull secret are not denied', () => {
  test('no node identity but a live secret: the verdict names it, and the fix is not "a pull secret instead"', () => {
    const d = diagnose({ identity: undefined, identityProblem: 'no kubelet identity', cell: cell([secret()]) });
    expect(d.canPull).toBe(false);
    expect(d.verdict).toBe(
      'aks-prod cannot pull from contosoacr with a node identity: no kubelet identity (pull secrets and tokens made outside acrbot are not checked). Pods that reference pull secret acr-auth in namespace payments can pull through it.',
    );
    expect(d.fix).toBe(
      'For pods in another namespace, a pull secret there: @acrbot secret aks-prod contosoacr --namespace NAMESPACE REASON…',
    );
  });

  test('an identity with no pull role and a live secret: said; an ended secret is not', () => {
    const d = diagnose({ cell: cell([secret()]) });
    expect(d.verdict).toContain(
      'its identity has no role that carries pull on the registry (pull secrets and tokens made outside acrbot are not checked).',
    );
    expect(d.verdict).toContain('Pods that reference pull secret acr-auth in namespace payments can pull through it.');
    const ended = diagnose({ cell: cell([secret({ state: 'revoked' })]) });
    expect(ended.verdict).not.toContain('Pods that reference');
  });
});

describe('a role whose definition could not be read', () => {
  const unread = {
    assignmentId: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/u1`,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/cccccccc-0000-4000-8000-00000000000c`,
    scopeLevel: 'registry' as const,
  };

  test('the diagnosis does not claim there is no pull role', () => {
    const d = diagnose({ unreadRoles: [unread] });
    expect(d.verdict).toBe(
      'acrbot cannot tell whether aks-prod can pull from contosoacr: no role it could read carries pull there, and it could not read the role of 1 assignment of its identity that covers the registry.',
    );
    expect(d.findings.map((f) => f.text)).not.toContainEqual(expect.stringContaining('No role assignment'));
    expect(d.findings).toContainEqual({
      topic: 'role',
      level: 'warn',
      text: 'acrbot could not read the role definition of role assignment u1 on the registry itself (role cccccccc-0000-4000-8000-00000000000c): whether it carries pull is not known.',
    });
  });

  test('check: an assignment whose custom role answers 404 is reported as unread, not as "no pull role"', async () => {
    const CUSTOM = 'cccccccc-0000-4000-8000-00000000000c';
    const clusterInfo: ClusterInfo = {
      ...cluster,
      identity: { identityType: 'SystemAssigned', servicePrincipalClientId: 'msi', kubeletObjectId: KUBELET },
      aadEnabled: false,
    };
    const registryInfo: RegistryInfo = { ...registry, network: open };
    const custom: RoleAssignmentInfo = {
      id: unread.assignmentId,
      name: 'u1',
      // Upper-case and with a trailing slash, as ARM may answer: it still covers the registry.
      scope: `${registry.id.toUpperCase()}/`,
      roleDefinitionId: unread.roleDefinitionId,
      principalId: KUBELET,
      principalType: 'ServicePrincipal',
    };
    const ports = {
      azure: {},
      roleAssignments: {
        listAssignedToAt: async () => [custom],
        getRoleDefinition: async (_s: string, guid: string) => (guid === CUSTOM ? undefined : acrPullDefinition()),
      },
      directory: { servicePrincipalObjectId: async () => undefined, memberGroupsAmong: async () => [] },
      requests: new MemoryRequestStore(),
      clock: new FakeClock(NOW),
    } as unknown as AccessInventoryPorts;
    const resolver = {
      resolveCluster: async () => clusterInfo,
      resolveRegistry: async () => registryInfo,
    } as unknown as ResourceResolver;
    const d = await new AccessInventory(ports, resolver, [SUB]).check('aks-prod', 'contosoacr');
    expect(d.verdict).toMatch(/^acrbot cannot tell whether aks-prod can pull from contosoacr/);
    expect(d.findings).toContainEqual(expect.objectContaining({ level: 'warn', text: expect.stringContaining('u1') }));
  });
});

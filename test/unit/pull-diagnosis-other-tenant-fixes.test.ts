/**
 * `check`'s fixes that ask for new access (a grant, a pull secret), asked by someone of another
 * tenant than acrbot's own (`askerOfOtherTenant`), whose every request is refused when it is made
 * (own-tenant.ts): no `@acrbot grant`/`secret` command, but what would be needed, why it cannot be
 * asked for from there and what they can do instead (other-tenant-words.ts). acrbot's own tenant's
 * askers are given the command, word for word as before.
 */
import type { AcrbotRequestRef, RoleAssignmentPath } from '../../src/domain/access-inventory';
import type { DiagnosisInput } from '../../src/domain/pull-diagnosis';
import { OTHER_TENANT_ASK_INSTEAD } from '../../src/domain/other-tenant-words';
import { ROLE_IDS } from '../../src/domain/roles';
import { acrPullOnRegistry, cell, diagnose, open, registry } from './support/pull-diagnosis-fixtures';

const ref: AcrbotRequestRef = {
  requestId: 'R-AAAAAAAA',
  requesterName: 'Riley',
  requesterId: 'r',
  approvedBy: 'Alex',
  expiresAt: '2027-01-03T00:00:00Z',
  state: 'expiring',
};

function expiring(over: Partial<RoleAssignmentPath> = {}): RoleAssignmentPath {
  return acrPullOnRegistry({ requests: [ref], state: 'expiring', ...over });
}

const abacRegistry = { ...registry, roleAssignmentMode: 'AbacRepositoryPermissions' as const };
const unread = {
  assignmentId: `${registry.id}/providers/Microsoft.Authorization/roleAssignments/u1`,
  roleDefinitionId: `/subscriptions/${registry.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/cccccccc-0000-4000-8000-00000000000c`,
  scopeLevel: 'registry' as const,
};

const GRANT = '@acrbot grant aks-prod contosoacr REASON…';
const SECRET = '@acrbot secret aks-prod contosoacr --namespace NAMESPACE REASON…';

/** Each fix that asks for new access: the diagnosis, the own tenant's fix (as before), the other's start. */
const CASES: Array<[string, Partial<DiagnosisInput>, string, string]> = [
  [
    'a grant being revoked',
    { cell: cell([expiring({ requests: [{ ...ref, revokingSince: '2026-12-31T23:00:00Z' }] })]) },
    `To keep pulling after the revocation: ${GRANT}`,
    'To keep pulling after the revocation, a new grant is needed.',
  ],
  [
    'its own grant drifted',
    {
      cell: cell([
        expiring({
          requests: [
            {
              ...ref,
              state: 'drifted',
              termState: 'expiring',
              driftDetectedAt: '2027-01-01T00:00:00Z',
              driftReason: 'identityChanged',
            },
          ],
        }),
      ]),
    },
    `It ends with acrbot request R-AAAAAAAA, which acrbot does not extend: its access changed outside acrbot (noticed 2027-01-01 00:00 UTC); to keep pulling after that: ${GRANT}`,
    'It ends with acrbot request R-AAAAAAAA, which acrbot does not extend: its access changed outside acrbot (noticed 2027-01-01 00:00 UTC); to keep pulling after that, a new grant is needed.',
  ],
  [
    "borrowed from another cluster's grant to the same identity",
    { cell: cell([expiring({ requests: [], sharedRequests: [{ ...ref, clusterName: 'aks-a' }] })]) },
    `It ends with the grant for cluster aks-a, which pulls with the same identity; to keep pulling after that: ${GRANT}`,
    'It ends with the grant for cluster aks-a, which pulls with the same identity; to keep pulling after that, a grant of its own is needed.',
  ],
  [
    'anonymous pull',
    { network: { ...open, anonymousPullEnabled: true } },
    `For access that survives turning anonymous pull off: ${GRANT}`,
    'For access that survives turning anonymous pull off, a grant is needed.',
  ],
  [
    'no identity',
    { identity: undefined, identityProblem: 'no kubelet identity' },
    `Use a pull secret instead: ${SECRET}`,
    'A pull secret would do instead. A pull secret cannot be asked for from another tenant',
  ],
  [
    'a role the registry ignores',
    {
      registry: abacRegistry,
      cell: { ...cell([acrPullOnRegistry({ honoured: false })]), registry: abacRegistry, canPull: false },
    },
    `${GRANT} (acrbot assigns Container Registry Repository Reader on ABAC registries).`,
    'A grant is needed (acrbot assigns Container Registry Repository Reader on ABAC registries).',
  ],
  [
    'a role that could not be read',
    { unreadRoles: [unread] },
    `If pulls fail: ${GRANT}`,
    'If pulls fail, a grant is needed.',
  ],
  ['no role at all', {}, GRANT, 'A grant would give it pull.'],
  [
    'a role limited by a condition',
    {
      registry: abacRegistry,
      cell: cell(
        [
          acrPullOnRegistry({
            roleGuid: ROLE_IDS.repositoryReader,
            roleName: 'Container Registry Repository Reader',
            conditional: true,
            scopeLevel: 'resourceGroup',
          }),
        ],
        abacRegistry,
      ),
    },
    `For every repository: ${GRANT}`,
    'For every repository, a grant is needed.',
  ],
];

describe.each(CASES)('%s', (_name, over, own, other) => {
  test("acrbot's own tenant's asker is given the command, as before", () => {
    expect(diagnose(over).fix).toBe(own);
    expect(diagnose({ ...over, askerOfOtherTenant: false }).fix).toBe(own);
  });

  test("another tenant's asker is told what would be needed, why it cannot be asked for there, and the way on", () => {
    const fix = diagnose({ ...over, askerOfOtherTenant: true }).fix!;
    expect(fix.startsWith(other)).toBe(true);
    expect(fix).toMatch(
      / cannot be asked for from another tenant: acrbot's approvers are people of its own organisation's directory, so nobody can approve one from there\. /,
    );
    expect(fix.endsWith(OTHER_TENANT_ASK_INSTEAD)).toBe(true);
    expect(fix).not.toContain('@acrbot');
  });
});

test("a diagnosis with no fix (anonymous pull, no identity to grant to) has none for another tenant's asker either", () => {
  const d = diagnose({
    network: { ...open, anonymousPullEnabled: true },
    identity: undefined,
    askerOfOtherTenant: true,
  });
  expect(d.fix).toBeUndefined();
});

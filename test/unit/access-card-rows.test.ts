/**
 * The rows of the access and check cards: each way of pulling, its state label, its network
 * condition, and what a lingering acrbot assignment's line says. Written to kill mutants that
 * survived mutation testing.
 */
import type { InventoryRegistry } from '../../src/domain/access-inventory';
import { pathLine } from '../../src/views/access-view';
import { driftedGrant, oneCellCardTexts, oneCellClusterCard } from './support/cluster-access-card';
import { ASSIGNMENTS, acrbotRole, expiredPullSecret, requestRef } from './support/inventory-fixtures';
import { SUB, grantPlan } from './support/requests';

/** An acrbot assignment whose access ran out on 2025-01-10 and whose revocation is done. */
const overdue = (over: Parameters<typeof requestRef>[0] = {}) =>
  acrbotRole({
    state: 'expired',
    requests: [
      requestRef({
        state: 'expired',
        expiresAt: '2025-01-10T10:00:00.000Z',
        revokedAt: '2025-01-10T10:05:00.000Z',
        ...over,
      }),
    ],
  });

describe('an acrbot assignment Azure still lists after its access ended', () => {
  test('nothing acrbot runs removes it: the line gives the command that does', () => {
    expect(pathLine(overdue(), 'rg-acr', SUB)).toContain(
      `ended 2025-01-10 10:00 UTC; held by an ended acrbot grant, and nothing acrbot runs removes it: az role assignment delete --ids ${ASSIGNMENTS}/1`,
    );
  });

  test('the orphan watch removes it: the line says until when it looks', () => {
    const line = pathLine(overdue({ watchedUntil: '2025-01-17T10:05:00.000Z' }), 'rg-acr', SUB);
    expect(line).toContain('acrbot is removing it (looked for daily until 2025-01-17 10:05 UTC)');
    expect(line).not.toContain('az role assignment delete');
  });

  test('one whose revocation is under way says so once, not also that it ended and is being removed', () => {
    const line = pathLine(overdue({ revokedAt: undefined, revokingSince: '2025-01-10T10:01:00.000Z' }), 'rg-acr', SUB);
    expect(line).toContain('being revoked since 2025-01-10 10:01 UTC');
    expect(line).not.toContain('acrbot is removing it');
  });
});

describe("a pull secret's credential note", () => {
  test('an expired secret says its credential expired, not that it will stop pulls', () => {
    const line = pathLine(expiredPullSecret({ credentialExpiresAt: '2025-01-10T10:00:00.000Z' }), 'rg-acr', SUB);
    expect(line).toContain('its credential expired on 2025-01-10 10:00 UTC');
    expect(line).not.toContain('its credential expires then');
  });
});

describe('the ways of pulling listed on a row', () => {
  const registry = grantPlan().registry as InventoryRegistry;
  /** `n` acrbot AcrPull assignments of requests R-0000000{i}, each through group g{i}. */
  const roles = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      acrbotRole({
        assignmentId: `${ASSIGNMENTS}/${i}`,
        viaGroupId: `g${i}`,
        requests: [requestRef({ requestId: `R-0000000${i}` })],
      }),
    );
  const rowText = (n: number) => JSON.stringify(oneCellClusterCard(registry, roles(n)));

  test('six are all listed', () => {
    const text = rowText(6);
    for (let i = 0; i < 6; i++) expect(text).toContain(`through group g${i}`);
    expect(text).not.toContain('more ways');
  });

  test('beyond six, five are listed and the rest counted', () => {
    const text = rowText(8);
    expect(text).toContain('through group g4');
    expect(text).not.toContain('through group g5');
    expect(text).toContain('3 more ways');
  });
});

describe("a row's state label", () => {
  const registry = grantPlan().registry as InventoryRegistry;

  test("a registry open to anonymous pull where the cluster has a live way of its own: that way's state", () => {
    const anonymous: InventoryRegistry = {
      ...registry,
      network: {
        publicNetworkAccess: 'Enabled',
        defaultAction: 'Allow',
        ipRuleCount: 0,
        privateEndpoints: 0,
        anonymousPullEnabled: true,
      },
    };
    const labels = oneCellCardTexts(anonymous, [acrbotRole()]);
    expect(labels).toContain('Active');
    expect(labels).not.toContain('Anonymous pull');
  });

  test('only a role the registry ignores: Not honoured, not Active', () => {
    const abac: InventoryRegistry = { ...registry, roleAssignmentMode: 'AbacRepositoryPermissions' };
    const labels = oneCellCardTexts(abac, [acrbotRole({ honoured: false })]);
    expect(labels).toContain('Not honoured');
    expect(labels).not.toContain('Active');
  });

  test.each(['identityChanged', 'modeChanged'] as const)(
    'a grant drifted while its assignment is still there (%s): no longer gives pull, not removed',
    (driftReason) => {
      const drifted = driftedGrant('9', driftReason);
      const labels = oneCellCardTexts(registry, [drifted]);
      expect(labels).toContain('No longer gives pull');
      expect(labels).not.toContain('Removed outside acrbot');
    },
  );
});

describe("a row's network condition", () => {
  const registry: InventoryRegistry = {
    ...(grantPlan().registry as InventoryRegistry),
    network: {
      publicNetworkAccess: 'Enabled',
      defaultAction: 'Deny',
      ipRuleCount: 2,
      privateEndpoints: 0,
      anonymousPullEnabled: false,
    },
  };
  const text = (paths: Parameters<typeof oneCellClusterCard>[1]) => JSON.stringify(oneCellClusterCard(registry, paths));

  test('is said on a row that pulls, and not on one whose only way is a role the registry ignores', () => {
    expect(text([acrbotRole()])).toContain("Pulls only if the cluster's network gets through");
    expect(text([acrbotRole({ honoured: false })])).not.toContain("Pulls only if the cluster's network gets through");
  });
});

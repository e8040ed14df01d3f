/**
 * The answers a user of another tenant than acrbot's own gets (own-tenant.ts `isOtherTenant`),
 * whose every request is refused when made: `status` with no requests, `access` with nothing
 * granted, `access CLUSTER` pulling from nothing, and a failed run's stored error (a drift's
 * refusal, Azure's role assignment limit) say the way on, never a `grant`/`secret`/`extend`
 * command. acrbot's own tenant's words stay as they were.
 */
import { cellOf, type InventoryRegistry } from '../../src/domain/access-inventory';
import { driftedExtensionRefusal, EXTEND_DRIFTED } from '../../src/domain/drifted-access';
import { OTHER_TENANT_ASK_INSTEAD } from '../../src/domain/other-tenant-words';
import type { AccessRequest } from '../../src/domain/request';
import { clusterAccessCard, userAccessCard } from '../../src/views/access-view';
import { OTHER_TENANT_NO_ASK_AGAIN } from '../../src/views/ask-again-command';
import { HOW_TO_ASK, myRequestsCard } from '../../src/views/my-requests-view';
import { otherTenantFailedText, withoutRefusedCommands } from '../../src/views/other-tenant-error';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { inventoryCluster as cluster, revokedGrant } from './support/inventory-fixtures';
import { APPROVER, grantPlan, pendingRequest, REQUESTER } from './support/requests';

const NOW = '2025-01-15T10:00:00.000Z';
const REFUSED = /@acrbot (grant|secret|extend)/;
const text = (card: unknown) => JSON.stringify(card);
const identity = grantPlan().identity;
const registry = grantPlan().registry as InventoryRegistry;

describe('status with no requests', () => {
  const none = { requests: [], more: 0, boundReached: false };
  test('own tenant: how to ask, as before', () => {
    expect(text(myRequestsCard(none, REQUESTER, false))).toContain(JSON.stringify(HOW_TO_ASK).slice(1, -1));
  });
  test('another tenant: the way on, no command to ask', () => {
    const card = text(myRequestsCard(none, REQUESTER, false, true));
    expect(card).toContain('You have no requests in this organisation (tenant).');
    expect(card).toContain(OTHER_TENANT_ASK_INSTEAD);
    expect(card).not.toMatch(REFUSED);
  });
});

describe('access with nothing granted', () => {
  const report = { user: { objectId: REQUESTER.objectId, name: REQUESTER.name }, entries: [], generatedAt: NOW };
  test('own tenant: the grant command, as before', () => {
    expect(text(userAccessCard(report, false))).toContain(
      'acrbot has not granted anything for your requests yet. Ask with \\"@acrbot grant CLUSTER REGISTRY REASON…\\".',
    );
  });
  test('another tenant: the way on, no command', () => {
    const card = text(userAccessCard(report, false, undefined, true));
    expect(card).toContain(`acrbot has not granted anything for your requests yet. ${OTHER_TENANT_ASK_INSTEAD}`);
    expect(card).not.toMatch(REFUSED);
  });
});

describe('access CLUSTER pulling from nothing', () => {
  const withIdentity = { cluster: cluster('aks-none'), identity, cells: [], generatedAt: NOW };
  const ended = {
    cluster: cluster('aks-none'),
    cells: [cellOf(cluster('aks-none'), registry, [revokedGrant()])],
    generatedAt: NOW,
  };
  test('own tenant: grant with a node identity, a pull secret without, as before', () => {
    expect(text(clusterAccessCard(withIdentity, false))).toMatch(/Use \\"@acrbot grant .* REGISTRY REASON…\\"\./);
    expect(text(clusterAccessCard(ended, false))).toMatch(/Use a pull secret: \\"@acrbot secret /);
  });
  test('another tenant: the way on, with or without a node identity', () => {
    for (const report of [withIdentity, ended]) {
      const card = text(clusterAccessCard(report, false, true));
      expect(card).toContain('cannot pull from any registry');
      expect(card).toContain(OTHER_TENANT_ASK_INSTEAD);
      expect(card).not.toMatch(REFUSED);
    }
  });
});

/** An extension approved before its grant's drift was seen, failed with the drift's refusal. */
function driftFailedExtension(): AccessRequest {
  const plan = { ...grantPlan(), typed: { cluster: 'name', registry: 'name' } as const };
  const original = pendingRequest({
    id: 'R-AAAAAAAA',
    plan,
    state: 'succeeded',
    outcome: { summary: 'Granted', azureRequestIds: [] },
    access: {
      durationMs: 86_400_000,
      expiresAt: '2025-01-16T09:00:00.000Z',
      driftDetectedAt: '2025-01-15T09:00:00.000Z',
    },
  });
  const refusal = driftedExtensionRefusal(original)!;
  expect(refusal.message).toContain('Ask for the access again with "@acrbot grant');
  return pendingRequest({
    id: 'R-EXTENSN1',
    plan,
    state: 'failed',
    extendsRequestId: original.id,
    access: { durationMs: 2 * 86_400_000 },
    decision: { by: APPROVER, at: '2025-01-15T08:00:00.000Z', approved: true },
    outcome: { summary: 'Failed', azureRequestIds: [], error: refusal.message, errorCode: EXTEND_DRIFTED },
  });
}

/** A grant Azure refused at its role assignment limit: the error offers a pull secret meanwhile. */
const LIMIT_ERROR =
  'Azure refused the role assignment on registry contosoacr: the subscription has reached its limit of role assignments. Nothing was granted. Meanwhile a pull secret ("@acrbot secret aks-prod contosoacr --kind token …", the default kind) needs no role assignment. Ask the platform team to remove unused assignments.';
function limitFailedGrant(): AccessRequest {
  return pendingRequest({
    id: 'R-LIMITED1',
    state: 'failed',
    decision: { by: APPROVER, at: '2025-01-15T08:00:00.000Z', approved: true },
    outcome: { summary: 'Failed', azureRequestIds: [], error: LIMIT_ERROR, errorCode: 'azure.roleAssignmentLimit' },
  });
}

describe("a failed run's stored error", () => {
  test('only the sentences offering grant, secret or extend are left out; cancel, revoke and the rest stay', () => {
    expect(withoutRefusedCommands(LIMIT_ERROR)).toBe(
      'Azure refused the role assignment on registry contosoacr: the subscription has reached its limit of role assignments. Nothing was granted. Ask the platform team to remove unused assignments.',
    );
    const cancel = 'It waits. Withdraw it with "@acrbot cancel R-AAAAAAAA" instead.';
    expect(withoutRefusedCommands(cancel)).toBe(cancel);
    expect(withoutRefusedCommands('Use "@acrbot grant a b REASON…".')).toBeUndefined();
    expect(otherTenantFailedText('Use "@acrbot grant a b REASON…".')).toBe(
      `The request failed. ${OTHER_TENANT_NO_ASK_AGAIN}`,
    );
  });

  test("own tenant's outcome card: the error as stored, with its own way on", () => {
    const card = text(outcomeCard(limitFailedGrant()));
    expect(card).toContain('Meanwhile a pull secret');
    expect(card).toContain('Once fixed, ask again');
  });

  test("another tenant's outcome card: no command of the error's or acrbot's, why and the way on", () => {
    for (const failed of [limitFailedGrant(), driftFailedExtension()]) {
      const card = text(outcomeCard(failed, undefined, true));
      expect(card).not.toMatch(REFUSED);
      expect(card).toContain(OTHER_TENANT_NO_ASK_AGAIN);
    }
    expect(text(outcomeCard(limitFailedGrant(), undefined, true))).toContain('Nothing was granted.');
    expect(text(outcomeCard(driftFailedExtension(), undefined, true))).toContain('nothing was extended.');
  });

  test("status R-… of another tenant's drift-refused extension: its notice as the handler passes it", () => {
    const failed = driftFailedExtension();
    const own = text(requestCard(failed, { showActions: false }));
    expect(own).toContain('Ask for the access again with \\"@acrbot grant');
    const notice = otherTenantFailedText(failed.outcome!.error!);
    const theirs = text(requestCard(failed, { showActions: false, notice }));
    expect(theirs).not.toMatch(REFUSED);
    expect(theirs).toContain('nothing was extended.');
    expect(theirs).toContain(OTHER_TENANT_NO_ASK_AGAIN);
  });
});

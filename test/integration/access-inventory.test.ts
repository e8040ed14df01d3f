/**
 * The access inventory end to end: real SDK clients against the ARM/Graph emulators, a grant
 * made through acrbot (approved) next to one made outside acrbot (seeded AcrPull on a resource
 * group), group-held and custom roles, the registry view, the user's own view and the matrix.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_OUTSIDE_GRANT,
  SANDBOX_REGISTRIES,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import type { AccessCell, RoleAssignmentPath } from '../../src/domain/access-inventory';
import type { SecretPlan } from '../../src/domain/plan';
import type { Actor } from '../../src/domain/request';
import { SANDBOX_TAB_APP_ID } from '../../src/tab/mount-tab';
import { requestRow } from '../../src/tab/tab-rows';
import type { TabRow } from '../../src/tab/tab-wire';
import { endFact } from '../../web/src/format';
import type { Row } from '../../web/src/types';
import { tabCall } from '../helpers/tab-call';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const sharedPlatformId = sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedPlatform);

const prodId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod);

function cellFor(cells: AccessCell[], registryId: string): AccessCell | undefined {
  return cells.find((c) => c.registry.id.toLowerCase() === registryId.toLowerCase());
}

describe('access inventory', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  async function grantApproved(args: string) {
    const request = await h.requestGrant(users.requester, args);
    await h.click(users.approver, 'approve', { requestId: request.id });
    return h.settle(request.id);
  }

  test('a cluster with one acrbot grant and one made outside acrbot lists both, marked by origin', async () => {
    const granted = await grantApproved('aks-legacy contosoacr deploy billing');
    expect(granted.state).toBe('succeeded');
    const report = await h.app.services.inventory.forCluster('aks-legacy');
    expect(report.identity).toMatchObject({
      kind: 'servicePrincipal',
      objectId: SANDBOX_CLUSTERS.legacy.servicePrincipalObjectId,
    });
    const mine = cellFor(report.cells, contosoId)!;
    expect(mine.canPull).toBe(true);
    expect(mine.paths).toHaveLength(1);
    expect(mine.paths[0]).toMatchObject({
      kind: 'roleAssignment',
      origin: 'acrbot',
      roleName: 'AcrPull',
      scopeLevel: 'registry',
      honoured: true,
    });
    expect((mine.paths[0] as RoleAssignmentPath).requests[0]).toMatchObject({
      requestId: granted.id,
      approvedBy: users.approver.name,
    });
    const outside = cellFor(report.cells, sharedPlatformId)!;
    expect(outside.paths[0]).toMatchObject({
      kind: 'roleAssignment',
      origin: 'outside',
      scopeLevel: 'resourceGroup',
      roleName: 'AcrPull',
    });
    expect((outside.paths[0] as RoleAssignmentPath).assignmentId).toContain(SANDBOX_OUTSIDE_GRANT.name);
    // Only those two: the ABAC registry in the same subscription is not covered by either.
    expect(report.cells.map((c) => c.registry.name).sort()).toEqual(['contosoacr', 'sharedacr']);
    expect(report.drift).toEqual([]);
  });

  test('group-held and custom roles count when their permissions carry pull; Reader does not', async () => {
    const { arm, directory } = h.app.sandbox!;
    const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
    const groupId = '0b000000-0000-4000-8000-0000000000c7';
    directory.addGroup({ id: groupId, displayName: 'pullers', members: [kubelet] });
    arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPush,
      principalId: groupId,
      principalType: 'Group',
    });
    const customGuid = '3c000000-0000-4000-8000-0000000000c1';
    arm.state.addRoleDefinition(customGuid, {
      roleName: 'image puller',
      permissions: [{ actions: ['Microsoft.ContainerRegistry/registries/pull/read'] }],
    });
    arm.state.addRoleAssignment({ scope: sharedPlatformId, roleDefinitionGuid: customGuid, principalId: kubelet });
    arm.state.addRoleAssignment({
      scope: `/subscriptions/${SANDBOX_CLUSTERS.prod.subscriptionId}`,
      roleDefinitionGuid: BUILT_IN_ROLES.reader,
      principalId: kubelet,
    });

    const report = await h.app.services.inventory.forCluster('aks-prod');
    const viaGroup = cellFor(report.cells, contosoId)!.paths[0] as RoleAssignmentPath;
    expect(viaGroup).toMatchObject({ roleName: 'AcrPush', viaGroupId: groupId, origin: 'outside' });
    expect(cellFor(report.cells, sharedPlatformId)!.paths[0]).toMatchObject({ roleName: 'image puller' });
    // Reader at subscription scope covers everything but carries no pull: no other cells.
    expect(report.cells).toHaveLength(2);

    // The registry view and the matrix find the same, from one subscription-wide listing.
    const byRegistry = await h.app.services.inventory.forRegistry(contosoId);
    expect(byRegistry.cells.map((c) => c.cluster.id.toLowerCase())).toEqual([prodId.toLowerCase()]);
    const matrix = await h.app.services.inventory.matrix();
    const pairs = matrix.cells.map((c) => `${c.cluster.name}→${c.registry.name}:${c.state}`).sort();
    expect(pairs).toEqual(['aks-legacy→sharedacr:active', 'aks-prod→contosoacr:active', 'aks-prod→sharedacr:active']);
  });

  test('the matrix lists each subscription once, never per cell; built-in roles are read once per process', async () => {
    await grantApproved('aks-prod contosoacr deploy payments');
    const { arm } = h.app.sandbox!;
    const count = (operation: string) => arm.requests.filter((r) => r.operation === operation).length;
    arm.clearRequests();
    await h.app.services.inventory.matrix();
    expect(count('roleAssignments.listForScope')).toBe(2); // two allowed subscriptions
    expect(count('roleDefinitions.get')).toBe(1); // AcrPull, the only role among the relevant assignments
    arm.clearRequests();
    await h.app.services.inventory.matrix();
    expect(count('roleAssignments.listForScope')).toBe(2);
    expect(count('roleDefinitions.get')).toBe(0);
  });

  test('access REGISTRY lists the clusters that can pull; the user sees only their own', async () => {
    const granted = await grantApproved('aks-prod contosoacr deploy payments');
    const report = await h.app.services.inventory.forRegistry('contosoacr');
    expect(report.cells).toHaveLength(1);
    expect(report.cells[0].cluster.id.toLowerCase()).toBe(prodId.toLowerCase());
    expect(report.cells[0].paths[0]).toMatchObject({ origin: 'acrbot' });

    const own = await h.app.services.inventory.forUser({ objectId: users.requester.objectId, name: 'x' });
    expect(own.entries.map((e) => e.request.requestId)).toEqual([granted.id]);
    const other = await h.app.services.inventory.forUser({ objectId: users.outsider.objectId, name: 'x' });
    expect(other.entries).toEqual([]);
  });
});

describe('access inventory: a pull secret ends when its credential expires', () => {
  const DAY = 24 * 3600 * 1000;
  let h: Harness;
  let now = new Date('2026-11-30T10:00:00Z');
  const clock = { now: () => now };
  beforeEach(async () => {
    now = new Date('2026-11-30T10:00:00Z');
    // The credential lives at most 10 days; the access term asked for is 30.
    h = await startHarness({ ACRBOT_SECRET_MAX_EXPIRY: '10d', ACRBOT_EXPIRY_REMINDERS: 'none' }, { clock });
  });
  afterEach(() => h.stop());

  async function grantedSecret() {
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 30d pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: request.id });
    const granted = await h.settle(request.id);
    expect(granted.state).toBe('succeeded');
    return granted;
  }

  const secretCell = async () => cellFor((await h.app.services.inventory.forCluster('aks-dev')).cells, contosoId)!;

  test('the credential capped before the term: the inventory shows its end, then expiring, then expired', async () => {
    const granted = await grantedSecret();
    const credentialEnd = (granted.plan as SecretPlan).expiresAt;
    expect(Date.parse(credentialEnd)).toBeLessThan(Date.parse(granted.access!.expiresAt!));

    let cell = await secretCell();
    expect(cell).toMatchObject({ state: 'active', canPull: true, expiresAt: credentialEnd });
    expect(cell.paths[0]).toMatchObject({
      kind: 'pullSecret',
      request: { expiresAt: credentialEnd, credentialExpiresAt: credentialEnd },
    });
    const own = await h.app.services.inventory.forUser(users.requester as Actor);
    expect(own.entries[0]!.request).toMatchObject({ expiresAt: credentialEnd });

    now = new Date(Date.parse(credentialEnd) - 2 * DAY);
    cell = await secretCell();
    expect(cell).toMatchObject({ state: 'expiring', canPull: true, expiresAt: credentialEnd });

    now = new Date(Date.parse(credentialEnd) + 1000);
    cell = await secretCell();
    // The term still runs (the sweeper has not ended it), but pulls with the secret stopped.
    expect((await h.app.store.get(granted.id))!.state).toBe('succeeded');
    expect(cell).toMatchObject({ state: 'expired', canPull: false });
    expect(requestRow((await h.app.store.get(granted.id))!, now)).toMatchObject({
      state: 'expired',
      expiresAt: credentialEnd,
    });
  });

  test('a credential that lapsed while the term runs on: the tab still offers Extend (a new credential) and Revoke, and says why pulls fail', async () => {
    const granted = await grantedSecret();
    const credentialEnd = (granted.plan as SecretPlan).expiresAt;
    // A token valid at the test clock's time (the tab checks it against the app's clock).
    const tokenAt = (at: Date) => {
      const s = Math.floor(at.getTime() / 1000);
      return h.app.sandbox!.identity.issue({
        user: 'requester',
        audience: `api://localhost/${SANDBOX_TAB_APP_ID}`,
        claims: { iat: s, nbf: s, exp: s + 3600 },
      });
    };
    now = new Date(Date.parse(credentialEnd) + 1000);
    const mine = await tabCall(h.app.url, '/api/tab/my-access', await tokenAt(now));
    expect(mine.status).toBe(200);
    const row = (mine.body.grants as TabRow[]).find((r) => r.requestId === granted.id);
    expect(row).toMatchObject({
      state: 'expired',
      expiresAt: credentialEnd,
      credentialEnds: true,
      termEndsAt: granted.access!.expiresAt,
      canExtend: true,
      canRevoke: true,
    });
    expect(endFact(row as unknown as Row, now.getTime())).toEqual([
      'Credential expired',
      expect.stringMatching(
        /: pulls with the secret fail until it is extended \(a new credential\) or asked for again$/,
      ),
    ]);
    // Before it lapsed: the end is named as the credential's.
    now = new Date(Date.parse(credentialEnd) - 2 * DAY);
    const before = (await tabCall(h.app.url, '/api/tab/my-access', await tokenAt(now))).body.grants as TabRow[];
    const expiring = before.find((r) => r.requestId === granted.id)!;
    expect(expiring).toMatchObject({ state: 'expiring', credentialEnds: true, canExtend: true });
    expect(endFact(expiring as unknown as Row, now.getTime())[0]).toBe('Credential expires');
  });

  test("an extension records the rotated credential's expiry on the original, which then ends with it", async () => {
    const granted = await grantedSecret();
    // Extended after five days: the new end (and the rotated credential's) comes later than the term's.
    now = new Date(now.getTime() + 5 * DAY);
    h.connector.clear();
    await h.say(users.requester, `extend ${granted.id} --for 30d still needed`);
    await h.connector.waitFor((c) => /rotation/.test(cardText(c.activity)), 5000, 'rotation plan card');
    const [extension] = (await h.app.store.listByState(['pending'])).filter((r) => r.extendsRequestId === granted.id);
    await h.click(users.approver, 'approve', { requestId: extension.id });
    const rotated = await h.settle(extension.id);
    expect(rotated.state).toBe('succeeded');
    const original = (await h.app.store.get(granted.id))!;
    const live = (rotated.plan as SecretPlan).expiresAt;
    // The rotated credential is capped by ACRBOT_SECRET_MAX_EXPIRY like a new secret's.
    expect(Date.parse(live)).toBe(Date.parse(extension.createdAt) + 10 * DAY);
    expect(original.access?.extendedBy).toEqual([extension.id]);
    expect(original.access?.credentialExpiresAt).toBe(live);
    // The original's own plan names the deleted credential: past it, the access still pulls,
    // until the rotated credential's expiry (before the extended term's end).
    now = new Date(Date.parse((granted.plan as SecretPlan).expiresAt) + DAY);
    expect(Date.parse(live)).toBeLessThan(Date.parse(original.access!.expiresAt!));
    expect(await secretCell()).toMatchObject({ canPull: true, expiresAt: live });
  });
});

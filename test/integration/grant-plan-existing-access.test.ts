/**
 * What planning a grant makes of the access the cluster's identity already has, end to end
 * (Teams activities into the real app, real SDK clients against the ARM and Graph emulators):
 * - it judges "already pulls" as `check` does (src/domain/pull-permission.ts): any role whose
 *   definition carries pull in the registry's mode, at the registry, its resource group or
 *   subscription, held directly or through a group;
 * - an assignment of the planned role at exactly the planned scope with a condition is refused
 *   before any request is made or approver asked (Azure keeps one per role, principal and scope,
 *   so the grant's PUT could only answer RoleAssignmentExists).
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const contoso = SANDBOX_REGISTRIES.contoso;
const contosoId = sandboxResourceId('registry', contoso);
const abacId = sandboxResourceId('registry', SANDBOX_REGISTRIES.abac);
const registryGroup = `/subscriptions/${contoso.subscriptionId}/resourceGroups/${contoso.resourceGroup}`;
const REPOSITORY_CONDITION =
  "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR (@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWithIgnoreCase 'team-a/'))";

describe('planning a grant: the access the identity already has', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.stop());

  /** Says `text` as the requester and returns the text of the bot's next card. */
  const ask = (text: string): Promise<string> => h.ask(users.requester, text);

  const approvalCards = () => h.connector.calls.filter((c) => c.conversationId.startsWith('19:sandbox-approvals'));
  const operations = (name: string) =>
    h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === name).length;

  async function expectNoRequest(): Promise<void> {
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
    expect(approvalCards()).toEqual([]);
  }

  test('Contributor on the registry resource group: check says it pulls, and grant says so too, with no request', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: registryGroup,
      roleDefinitionGuid: BUILT_IN_ROLES.contributor,
      principalId: kubelet,
    });
    expect(await ask('check aks-prod contosoacr')).toContain('aks-prod can pull from contosoacr: Contributor');
    const answer = await ask('grant aks-prod contosoacr deploy payments-api');
    expect(answer).toContain('Access already exists');
    expect(answer).toContain(`can already pull from ${contoso.name}; no request was created`);
    expect(answer).toContain(`resource group ${contoso.resourceGroup}`);
    // The role by the name its definition gives, not only its GUID.
    expect(answer).toContain(`Contributor (role definition ${BUILT_IN_ROLES.contributor})`);
    await expectNoRequest();
  });

  test('a custom role carrying pull/read, on the subscription, counts', async () => {
    const { arm } = h.app.sandbox!;
    const customGuid = '3c000000-0000-4000-8000-0000000000c2';
    arm.state.addRoleDefinition(customGuid, {
      roleName: 'image puller',
      permissions: [{ actions: ['Microsoft.ContainerRegistry/registries/pull/read'] }],
    });
    const custom = arm.state.addRoleAssignment({
      scope: `/subscriptions/${contoso.subscriptionId}`,
      roleDefinitionGuid: customGuid,
      principalId: kubelet,
    });
    const answer = await ask('grant aks-prod contosoacr deploy payments-api');
    expect(answer).toContain('Access already exists');
    expect(answer).toContain(custom.name);
    await expectNoRequest();
  });

  test('AcrPush held through a group counts, as check counts it', async () => {
    const { arm, directory } = h.app.sandbox!;
    const groupId = '0b000000-0000-4000-8000-0000000000c8';
    directory.addGroup({ id: groupId, displayName: 'pullers', members: [kubelet] });
    const viaGroup = arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPush,
      principalId: groupId,
      principalType: 'Group',
    });
    expect(await ask('check aks-prod contosoacr')).toContain(`through group ${groupId}`);
    const answer = await ask('grant aks-prod contosoacr deploy payments-api');
    expect(answer).toContain('Access already exists');
    expect(answer).toContain(viaGroup.name);
    await expectNoRequest();
  });

  test('ABAC registry: Contributor on its resource group carries no repository read, so the grant is planned', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: registryGroup,
      roleDefinitionGuid: BUILT_IN_ROLES.contributor,
      principalId: kubelet,
    });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoabac deploy payments-api');
    expect(request.plan).toMatchObject({ kind: 'grant', scope: abacId });
    expect((request.plan as { role: { name: string } }).role.name).toBe('Container Registry Repository Reader');
  });

  test('Reader on the registry carries no pull: the grant is planned', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.reader,
      principalId: kubelet,
    });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(request.state).toBe('pending');
  });

  test('no assignment covering the registry: no role definition is read; built-in ones are read once per process', async () => {
    h.app.sandbox!.arm.clearRequests();
    await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(operations('roleDefinitions.get')).toBe(0);
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: registryGroup,
      roleDefinitionGuid: BUILT_IN_ROLES.contributor,
      principalId: SANDBOX_CLUSTERS.dev.kubeletObjectId,
    });
    h.app.sandbox!.arm.clearRequests();
    expect(await ask('grant aks-dev contosoacr nightly batch images')).toContain('Access already exists');
    expect(await ask('grant aks-dev contosoacr nightly batch images again')).toContain('Access already exists');
    expect(operations('roleDefinitions.get')).toBe(1);
  });

  test('AcrPull on the registry with a condition: refused at plan time naming that assignment; no request, no approver asked', async () => {
    const conditioned = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
      condition: REPOSITORY_CONDITION,
    });
    const answer = await ask('grant aks-prod contosoacr deploy payments-api');
    expect(answer).toContain(conditioned.id);
    expect(answer).toContain('through an assignment with a condition (a limit to some repositories)');
    expect(answer).not.toContain('Something unexpected');
    await expectNoRequest();
    expect(operations('roleAssignments.create')).toBe(0);
  });

  test('a conditioned AcrPull beside Contributor on the resource group: the cluster pulls anyway, so "already exists"', async () => {
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
      condition: REPOSITORY_CONDITION,
    });
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: registryGroup,
      roleDefinitionGuid: BUILT_IN_ROLES.contributor,
      principalId: kubelet,
    });
    expect(await ask('grant aks-prod contosoacr deploy payments-api')).toContain('Access already exists');
    await expectNoRequest();
  });
});

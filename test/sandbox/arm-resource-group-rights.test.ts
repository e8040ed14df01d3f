/**
 * The ARM emulator decides role assignment and permission calls at a resource group on the
 * caller's assignments at the subscription and the group, as ARM does: 403 AuthorizationFailed
 * for what none of them carries (acrbot holds only Reader on each managed registry's group, per
 * infra/modules/registry-access.bicep), and `permissions` answers with those roles, not `*`.
 * Real HTTPS calls against the running emulator.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_REGISTRIES, SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { armAuthorizationFailed } from '../helpers/arm-refusal';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.stop());

const sub = SANDBOX_SUBSCRIPTIONS.platform;
const readerGroup = `/subscriptions/${sub}/resourceGroups/${SANDBOX_REGISTRIES.contoso.resourceGroup}`;
const otherGroup = `/subscriptions/${sub}/resourceGroups/rg-no-acrbot`;
const AUTH = 'providers/Microsoft.Authorization';
const NAME = '0b7c0000-0000-4000-8000-0000000000aa';

function call(path: string, method = 'GET', body?: unknown) {
  return httpsJson(`${sandbox.armUrl}${path}?api-version=2022-04-01`, {
    ca: sandbox.tls.caPem,
    token: sandbox.token,
    method,
    body,
  });
}

describe('role assignments at a resource group', () => {
  it('a write where the caller holds only Reader is 403; with RBAC Administrator on the group it gets past authorization', async () => {
    const id = `${readerGroup}/${AUTH}/roleAssignments/${NAME}`;
    const put = await call(id, 'PUT', { properties: {} });
    expect(put.status).toBe(403);
    expect(put.body).toEqual(armAuthorizationFailed('Microsoft.Authorization/roleAssignments/write', id));
    const del = await call(id, 'DELETE');
    expect(del.status).toBe(403);
    expect(del.body.error.code).toBe('AuthorizationFailed');

    sandbox.arm.state.assignCallerRole(readerGroup, BUILT_IN_ROLES.rbacAdministrator);
    const again = await call(id, 'PUT', { properties: {} });
    expect(again.status).toBe(400);
  });

  it('reads need a role there: Reader lists, a group without any of the caller is 403', async () => {
    expect((await call(`${readerGroup}/${AUTH}/roleAssignments`)).status).toBe(200);
    sandbox.arm.state.addResourceGroup(sub, 'rg-no-acrbot');
    const list = await call(`${otherGroup}/${AUTH}/roleAssignments`);
    expect(list.status).toBe(403);
    expect(list.body.error.code).toBe('AuthorizationFailed');
    const get = await call(`${otherGroup}/${AUTH}/roleAssignments/${NAME}`);
    expect(get.status).toBe(403);
  });
});

describe('permissions at a resource group', () => {
  it("answer the caller's roles there (Reader), not everything", async () => {
    const answer = await call(`${readerGroup}/${AUTH}/permissions`);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual([{ actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it('are none in a group where the caller holds no role', async () => {
    sandbox.arm.state.addResourceGroup(sub, 'rg-no-acrbot');
    const answer = await call(`${otherGroup}/${AUTH}/permissions`);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toEqual([]);
  });
});

describe('a subscription-wide role assignment listing', () => {
  it('leaves out assignments in a resource group the caller may not read', async () => {
    sandbox.arm.state.addResourceGroup(sub, 'rg-no-acrbot');
    const principalId = sandbox.directory.addUser({
      id: '0b7c0000-0000-4000-8000-0000000000bb',
      displayName: 'outsider',
    }).id;
    sandbox.arm.state.assignCallerRole(otherGroup, BUILT_IN_ROLES.rbacAdministrator);
    const put = await call(`${otherGroup}/${AUTH}/roleAssignments/${NAME}`, 'PUT', {
      properties: {
        roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.acrPull}`,
        principalId,
      },
    });
    expect(put.status).toBe(201);
    const listed = async () =>
      ((await call(`/subscriptions/${sub}/${AUTH}/roleAssignments`)).body.value as { name: string }[]).map(
        (ra) => ra.name,
      );
    expect(await listed()).toContain(NAME);
    sandbox.arm.state.unassignCaller(otherGroup);
    expect(await listed()).not.toContain(NAME);
  });
});

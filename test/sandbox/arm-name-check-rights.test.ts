/**
 * A registry name check (`checkNameAvailability`) is authorized at subscription scope, where
 * acrbot's deployment (infra/modules/registry-access.bicep) assigns nothing: the emulator refuses
 * it 403 AuthorizationFailed unless the caller holds a role on the subscription that carries it
 * (a Reader there does), and the `permissions` answer there says so.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { httpsJson } from '../../src/sandbox/http-util';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { armAuthorizationFailed } from '../helpers/arm-refusal';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.stop());

const subscription = `/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}`;
const ACTION = 'Microsoft.ContainerRegistry/checkNameAvailability/read';

function nameCheck(name: string) {
  return httpsJson(
    `${sandbox.armUrl}${subscription}/providers/Microsoft.ContainerRegistry/checkNameAvailability?api-version=2025-11-01`,
    {
      ca: sandbox.tls.caPem,
      token: sandbox.token,
      method: 'POST',
      body: { name, type: 'Microsoft.ContainerRegistry/registries' },
    },
  );
}

function permissionsAtSubscription() {
  return httpsJson(
    `${sandbox.armUrl}${subscription}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
    { ca: sandbox.tls.caPem, token: sandbox.token },
  );
}

describe('checkNameAvailability', () => {
  it('is refused with the rights the deployment gives (none at subscription scope)', async () => {
    const answer = await nameCheck('contosoacr');
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(
      armAuthorizationFailed(ACTION, `${subscription}/providers/Microsoft.ContainerRegistry/checkNameAvailability`),
    );
    const permissions = await permissionsAtSubscription();
    expect(permissions.body.value[0].notActions).toContain(ACTION);
  });

  it('answers with a Reader on the subscription: taken, or free', async () => {
    sandbox.arm.state.assignCallerRole(subscription, BUILT_IN_ROLES.reader);
    expect((await nameCheck('contosoacr')).body).toMatchObject({ nameAvailable: false, reason: 'AlreadyExists' });
    expect((await nameCheck('nobodysacr')).body).toEqual({ nameAvailable: true });
    const permissions = await permissionsAtSubscription();
    expect(permissions.body.value[0].notActions).not.toContain(ACTION);
  });
});

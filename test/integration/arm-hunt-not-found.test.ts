/**
 * A 404 is "gone already" for a delete (and for the read a deletion starts with) only when ARM
 * says the resource is not there: ResourceNotFound, ResourceGroupNotFound, ParentResourceNotFound.
 * `SubscriptionNotFound` (a subscription deleted, moved to another tenant, or not yet known to
 * ARM's front end) says nothing of what the subscription holds: taken as "deleted", a revocation
 * would forget an ACR token whose password still works, or an AcrPull assignment still in place.
 * The real adapters over HTTPS against the ARM emulator, whose unknown subscriptions answer 404
 * SubscriptionNotFound as ARM does.
 */
import { CloudApiError } from '../../src/domain/ports';
import { ResourceGoneError } from '../../src/domain/errors';
import { ArmRegistryTokens } from '../../src/integrations/azure/arm-registry-tokens';
import { ArmRoleAssignments } from '../../src/integrations/azure/arm-role-assignments';
import { RefusedOrGoneError } from '../../src/integrations/azure/refused-or-gone';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { sandboxArm } from '../helpers/sandbox-arm';

/** A well-formed subscription id the emulator does not know (ARM: 404 SubscriptionNotFound). */
const UNKNOWN_SUBSCRIPTION = '9f0c0000-0000-4000-8000-0000000000ff';
const contoso = SANDBOX_REGISTRIES.contoso;
const inUnknownSubscription = { subscriptionId: UNKNOWN_SUBSCRIPTION, resourceGroup: 'rg-acr', name: contoso.name };
const assignmentName = '3c4d5e6f-0000-4000-8000-00000000a404';

let sandbox: Sandbox;
let arm: ReturnType<typeof sandboxArm>;
let tokens: ArmRegistryTokens;
let roles: ArmRoleAssignments;

beforeAll(async () => {
  sandbox = await startSandbox();
  arm = sandboxArm(sandbox);
  tokens = new ArmRegistryTokens(arm.reader);
  roles = new ArmRoleAssignments(arm.conn);
});
afterAll(async () => {
  arm.conn.agent.destroy();
  await sandbox.stop();
});
beforeEach(() => {
  sandbox.arm.clearRequests();
  sandbox.arm.faults.clear();
});

/** What `promise` rejected with (undefined when it resolved). */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('SubscriptionNotFound is not "gone already"', () => {
  it('the token read before a deletion fails instead of finding none', async () => {
    const err = await failureOf(tokens.getToken(inUnknownSubscription, 'acrbot-token-1'));
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({ code: 'SubscriptionNotFound', statusCode: 404 });
    expect(sandbox.arm.requests.map((r) => `${r.operation} ${r.status}`)).toEqual(['tokens.get 404']);
    // The emulator's correlation id is the request id when the client sent none.
    expect((err as CloudApiError).correlationRequestId).toBe(sandbox.arm.requests[0].requestId);
  });

  it('the scope map read fails the same way', async () => {
    const err = await failureOf(tokens.getScopeMap(inUnknownSubscription, 'acrbot-map-1'));
    expect(err).toMatchObject({ code: 'SubscriptionNotFound', statusCode: 404 });
  });

  it('a token delete fails instead of counting as done', async () => {
    const err = await failureOf(tokens.deleteToken(inUnknownSubscription, 'acrbot-token-1'));
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({ code: 'SubscriptionNotFound', statusCode: 404 });
  });

  it('a role assignment delete fails instead of counting as done', async () => {
    sandbox.arm.faults.add({ operation: 'roleAssignments.delete', status: 404, code: 'SubscriptionNotFound' });
    const scope = sandboxResourceId('registry', contoso);
    const err = await failureOf(roles.delete({ scope, name: assignmentName, subscriptionId: contoso.subscriptionId }));
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({ code: 'SubscriptionNotFound', statusCode: 404 });
  });

  it('a cluster or registry read fails on SubscriptionNotFound too (arm-errors-subscription-not-found.test.ts)', async () => {
    await expect(arm.reader.getRegistry(UNKNOWN_SUBSCRIPTION, 'rg-acr', contoso.name)).rejects.toMatchObject({
      statusCode: 404,
      code: 'SubscriptionNotFound',
    });
  });
});

describe('a resource that is not there still is', () => {
  it('a missing token or scope map in an existing registry reads as none', async () => {
    await expect(tokens.getToken(contoso, 'acrbot-nope-1')).resolves.toBeUndefined();
    await expect(tokens.getScopeMap(contoso, 'acrbot-nope-1')).resolves.toBeUndefined();
  });

  it('a registry or resource group that is gone: reads find none, deletes are done', async () => {
    const goneRegistry = { ...contoso, name: 'goneacr00' };
    const goneGroup = { ...contoso, resourceGroup: 'rg-gone' };
    await expect(tokens.getToken(goneRegistry, 'acrbot-token-1')).resolves.toBeUndefined();
    // Azure says a resource group is not there (404) only to a caller with rights on the
    // subscription; acrbot's Bicep gives Reader on its resource groups only.
    const subscription = `/subscriptions/${contoso.subscriptionId}`;
    sandbox.arm.state.assignCallerRole(subscription, BUILT_IN_ROLES.reader);
    try {
      await expect(tokens.getToken(goneGroup, 'acrbot-token-1')).resolves.toBeUndefined();
      // Done (refused, the registry read behind it 404), with the DELETE's request id: what the
      // deletion's audit entry carries.
      const gone = await tokens.deleteToken(goneGroup, 'acrbot-token-1');
      const sent = sandbox.arm.requests.filter((r) => r.operation === 'tokens.delete');
      expect(gone).toEqual({ requestId: sent.at(-1)!.requestId });
    } finally {
      sandbox.arm.state.unassignCaller(subscription, 'Reader');
    }
    // Reader does not cover the delete, so Azure refuses it; the registry read behind the refusal
    // answers 404 ResourceGroupNotFound, and the delete counts as done.
    expect(sandbox.arm.requests.map((r) => `${r.operation} ${r.status}`)).toEqual([
      'tokens.get 404',
      'tokens.get 404',
      'tokens.delete 403',
      'registries.get 404',
    ]);
  });

  it('a resource group acrbot has no rights above answers 403: refused or gone, nothing counted removed', async () => {
    const goneGroup = { ...contoso, resourceGroup: 'rg-gone' };
    await expect(tokens.getToken(goneGroup, 'acrbot-token-1')).rejects.toBeInstanceOf(RefusedOrGoneError);
    await expect(tokens.deleteToken(goneGroup, 'acrbot-token-1')).rejects.toBeInstanceOf(RefusedOrGoneError);
  });

  it('a role assignment whose scope is gone (404 ResourceNotFound) is absent, its scope gone', async () => {
    sandbox.arm.faults.add({ operation: 'roleAssignments.delete', status: 404, code: 'ResourceNotFound' });
    const scope = sandboxResourceId('registry', contoso);
    // Not an error, but not a deletion either: absent, the scope gone (the revocation watches for
    // it), with the 404's request id for its audit entry.
    const gone = await roles.delete({ scope, name: assignmentName, subscriptionId: contoso.subscriptionId });
    const sent = sandbox.arm.requests.filter((r) => r.operation === 'roleAssignments.delete');
    expect(sent.at(-1)).toMatchObject({ status: 404 });
    expect(gone).toMatchObject({ requestId: sent.at(-1)!.requestId, absent: true });
    expect(gone.gone).toBeInstanceOf(ResourceGoneError);
  });
});

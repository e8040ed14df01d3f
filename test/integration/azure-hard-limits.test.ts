/**
 * Runs at Azure's hard limits, against the emulated services (no fault injection): the
 * subscription's fixed 4,000 role assignments (ARM `RoleAssignmentLimitExceeded`) for a grant
 * and for a `--kind sp` secret, and Entra's directory object quota of acrbot's identity
 * (Graph `Directory_QuotaExceeded`) for a `--kind sp` secret. Each card names the limit that was
 * hit and what works meanwhile, and none says Azure refused to create what it did create.
 */
import { setRoleAssignmentRules } from '../../src/sandbox/arm/role-assignment-rules';
import { SANDBOX_REGISTRIES } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

describe('runs at Azure hard limits', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.stop());

  /** Sets the limit of contosoacr's subscription to what it holds now: the next new assignment is refused. */
  function fillSubscription(): void {
    const state = h.app.sandbox!.arm.state;
    const sub = SANDBOX_REGISTRIES.contoso.subscriptionId;
    const held = state.roleAssignments
      .values()
      .filter((ra) => ra.scope.toLowerCase().startsWith(`/subscriptions/${sub}`)).length;
    setRoleAssignmentRules(state, sub, { maxRoleAssignments: held });
  }

  async function run(request: { id: string }) {
    await h.click(users.approver, 'approve', { requestId: request.id });
    return h.settle(request.id);
  }

  test('a grant at the subscription limit names the fixed 4,000, that nothing was granted, and secret --kind token', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    fillSubscription();
    const done = await run(request);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('azure.roleAssignmentLimit');
    const error = done.outcome?.error ?? '';
    expect(error).toMatch(
      /^Azure refused the role assignment on registry contosoacr \(RoleAssignmentLimitExceeded\): the subscription of registry contosoacr holds 4,000 role assignments, Azure's fixed limit per subscription, which cannot be raised\. Nothing was granted\./,
    );
    expect(error).toContain('secret aks-prod contosoacr --kind token');
    expect(error).toContain('remove role assignments nobody uses');
    expect(error).toMatch(/Azure request id [0-9a-f-]{36}/);
  });

  test('a --kind sp secret at the subscription limit says the service principal was deleted again, and --kind token', async () => {
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --kind sp --namespace payments ra limit',
    );
    fillSubscription();
    const done = await run(request);
    expect(done.state).toBe('failed');
    // A secret run's outcome keeps Azure's own code; its sentence is what changed.
    expect(done.outcome?.errorCode).toBe('RoleAssignmentLimitExceeded');
    expect(done.outcome?.cleanup).toBe('deleted');
    const error = done.outcome?.error ?? '';
    expect(error).not.toMatch(/^Azure refused to create the credential/);
    expect(error).toMatch(
      /^acrbot created the credential, a service principal, but Azure refused to give it AcrPull on registry contosoacr \(RoleAssignmentLimitExceeded\): .*4,000 role assignments, Azure's fixed limit per subscription/,
    );
    expect(error).toContain(
      'Without that role the service principal is of no use, so acrbot deletes it again. Ask for --kind token (the default) instead, which needs no role assignment.',
    );
    expect(error).toMatch(/ The service principal acrbot had created was deleted again\.$/);
  });

  test("a --kind sp secret at acrbot's directory quota names the quota and --kind token, not an Azure refusal", async () => {
    const request = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --kind sp --namespace payments directory quota full',
    );
    const sb = h.app.sandbox!;
    sb.directory.ownerQuota = sb.directory.objectsCreatedBy(sb.graph.callerObjectId);
    const done = await run(request);
    expect(done.state).toBe('failed');
    expect(done.outcome?.errorCode).toBe('Directory_QuotaExceeded');
    const error = done.outcome?.error ?? '';
    expect(error).not.toMatch(/^Azure refused/);
    expect(error).toMatch(
      /^acrbot's identity has created as many Microsoft Entra directory objects as its quota allows \(Directory_QuotaExceeded\): 250 for a creator that is not an administrator/,
    );
    expect(error).toContain('each --kind sp secret holds two, an application and its service principal');
    expect(error).toContain('Ask for --kind token (the default) instead, which creates no directory object.');
    expect(error).toMatch(/Microsoft Graph request id /);
  });
});

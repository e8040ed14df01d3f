/**
 * A grant's PUT answered 409 RoleAssignmentExists (CONTRACTS §3.1) while the principal's listing
 * does not show the assignment Azure found (not replicated to the replica that answered yet).
 * The run reads again (the app's injected sleep, never a real wait here) and:
 * - once it shows, the grant says access was already there;
 * - if it never shows, the request fails saying the assignment exists but could not be read
 *   back, naming the assignment from ARM's answer (only when it is 32 hex digits), never that
 *   it has a condition, which nobody saw.
 * Real app, real SDK clients, the ARM emulator with an injected fault.
 */
import type { Sleep } from '../../src/flows/assign-role';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES, sandboxResourceId } from '../../src/sandbox/fixtures';
import { type Harness, startHarness, users } from '../helpers/harness';

const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const EXISTING = '716c4d159bc8476da3c16ccb70082517';
const EXISTING_GUID = '716c4d15-9bc8-476d-a3c1-6ccb70082517';
const CONDITION_SENTENCE = 'through an assignment with a condition';

describe('a grant whose PUT answers RoleAssignmentExists for an assignment the listing does not show yet', () => {
  let h: Harness;
  /** The waits the run asked for, and what happens during each (replication catching up). */
  let waits: number[];
  let duringWait: (() => void) | undefined;
  const sleep: Sleep = async (ms) => {
    waits.push(ms);
    duringWait?.();
  };

  beforeEach(async () => {
    waits = [];
    duringWait = undefined;
    h = await startHarness({}, { sleep });
  });
  afterEach(() => h.stop());

  async function grantWhenPutAnswersExists(message?: string) {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    h.app.sandbox!.arm.faults.add({
      operation: 'roleAssignments.create',
      status: 409,
      code: 'RoleAssignmentExists',
      ...(message && { message }),
    });
    h.app.sandbox!.arm.clearRequests();
    await h.click(users.approver, 'approve', { requestId: request.id });
    return h.settle(request.id);
  }

  test('the assignment shows on a second read: access was already there', async () => {
    duringWait = () => {
      duringWait = undefined;
      h.app.sandbox!.arm.state.addRoleAssignment({
        name: EXISTING_GUID,
        scope: contosoId,
        roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
        principalId: kubelet,
      });
    };
    const done = await grantWhenPutAnswersExists();
    expect(done.state).toBe('succeeded');
    expect(done.outcome).toMatchObject({ alreadyPresent: true });
    expect(done.outcome?.summary).toContain('was already assigned');
    expect(waits).toHaveLength(1);
  });

  test('never shown: fails saying it exists but could not be read back, naming ARM’s assignment id, not a condition', async () => {
    const done = await grantWhenPutAnswersExists(
      `The role assignment already exists. The ID of the existing role assignment is ${EXISTING}.`,
    );
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ errorCode: 'grant.existingUnread' });
    expect(done.outcome?.error).toContain(
      `already has AcrPull on registry contosoacr (role assignment ${EXISTING_GUID})`,
    );
    expect(done.outcome?.error).toContain('could not read that assignment back');
    // The check it suggests names the pair as the requester did (plan.ts `typed`): copied, it
    // reaches this very pair.
    expect(done.outcome?.error).toContain('Try "@acrbot check aks-prod contosoacr" in a few minutes');
    expect(done.outcome?.error).not.toContain(CONDITION_SENTENCE);
    // Read three times: at once, then after each wait.
    expect(waits).toHaveLength(2);
    const reads = h.app.sandbox!.arm.requests.filter((r) => r.operation === 'roleAssignments.listForScope');
    expect(reads).toHaveLength(3);
  });

  test('ARM’s sentence without a 32-hex id (or with other text there): none of it is echoed', async () => {
    const done = await grantWhenPutAnswersExists(
      'The role assignment already exists. The ID of the existing role assignment is <b>click-here</b>.',
    );
    expect(done.outcome).toMatchObject({ errorCode: 'grant.existingUnread' });
    expect(done.outcome?.error).toContain('already has AcrPull on registry contosoacr, made outside acrbot');
    expect(done.outcome?.error).not.toContain('click-here');
  });
});

/**
 * A registry moved to another resource group or subscription keeps its name, its login server
 * and its tokens (child resources move with it), so a `--kind token` password still signs in
 * there. A revocation (or a clean-up) that reads the token at its recorded id gets 404 all the
 * same, and once took that for "deleted already": the request ended as revoked, everyone was
 * told so, and the token kept working. Now a token not found sends acrbot to look for the
 * registry itself: moved, the attempt fails, is retried and reported (G15: acrbot deletes nothing
 * at an id it did not record, G17); deleted, the token went with it and the revocation ends.
 * Shared steps: test/helpers/lifecycle.ts.
 */
import { SANDBOX_SUBSCRIPTIONS } from '../../src/sandbox/fixtures';
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { verifyTokenPassword } from '../../src/sandbox/arm/tokens';
import { cardText } from '../helpers/capturing-connector';
import {
  useLifecycleHooks,
  h,
  now,
  runDueAfter,
  MINUTE,
  contosoId,
  grantedSecretOnAksDev,
  secretApproved,
  actions,
  jobOf,
  start,
  grant,
  outcomeSent,
} from '../helpers/lifecycle';
import { users } from '../helpers/harness';

const SECRET_ARGS = 'aks-dev contosoacr --namespace payments --for 2m pull for payments-api';

/** The token name and password the pull secret payments/acr-auth in aks-dev holds. */
function tokenInSecret(): { name: string; password: string } {
  const secret = h.app.sandbox!.kubernetes['aks-dev'].getObject('secrets', 'payments', 'acr-auth') as unknown as {
    data: Record<string, string>;
  };
  const config = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString());
  const auth = config.auths['contosoacr.azurecr.io'] as { username: string; password: string };
  return { name: auth.username, password: auth.password };
}

/** Whether `token`'s password signs in to the registry `registryId` now (the test clock's now). */
function signsIn(registryId: string, token: { name: string; password: string }): boolean {
  const record = h.app.sandbox!.arm.state.getRegistry(registryId)?.tokens.get(token.name.toLowerCase());
  return record !== undefined && verifyTokenPassword(record, token.password, now.getTime());
}

/** `operation status` of the ARM calls since the log was cleared whose operation matches `only`, in order. */
function armCalls(only: RegExp): string[] {
  return h.app.sandbox!.arm.requests.filter((r) => only.test(r.operation)).map((r) => `${r.operation} ${r.status}`);
}

/** The texts of the "Needs attention" reports sent so far. */
const reports = () => h.connector.calls.map((c) => cardText(c.activity)).filter((text) => /Needs attention/.test(text));

/** The detail of the request's `access.revoke.credential` entry. */
async function credentialEntry(id: string) {
  return (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.credential');
}

describe('revoking a --kind token secret whose registry was moved or deleted', () => {
  useLifecycleHooks();

  test('moved to a resource group acrbot can read: not revoked, the report names where it is; deleted there by hand, the next attempt ends it', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const token = tokenInSecret();
    const state = h.app.sandbox!.arm.state;
    const group = `/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}/resourceGroups/rg-acr-moved`;
    state.addResourceGroup(SANDBOX_SUBSCRIPTIONS.platform, 'rg-acr-moved');
    state.assignCallerRole(group, BUILT_IN_ROLES.reader);
    const moved = state.moveRegistry(contosoId, { resourceGroup: 'rg-acr-moved' });
    expect(signsIn(moved.id, token)).toBe(true);
    h.connector.clear();

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect((await jobOf(`access.expire:${id}`))!.attempts).toBe(1);
    expect(await credentialEntry(id)).toBeUndefined();
    expect(signsIn(moved.id, token)).toBe(true);
    await h.connector.waitFor((c) => /Needs attention/.test(cardText(c.activity)), 5000, 'the report');
    const [report] = reports();
    expect(report).toContain(
      `Registry contosoacr is no longer at its recorded id ${contosoId}, but a registry of that name exists at ${moved.id} (moved?).`,
    );
    expect(report).toContain(`Delete token ${token.name} there by hand`);
    // Its own sentence says what to do: not the general advice about refusals.
    expect(report).not.toContain('If the answer is a refusal');
    expect(report).not.toMatch(/Expired and revoked/);
    expect(h.connector.calls.filter((c) => /Expired and revoked/.test(cardText(c.activity)))).toEqual([]);

    // An operator deletes the token in the moved registry: the next attempt sees it gone there.
    expect(moved.tokens.delete(token.name.toLowerCase())).toBe(true);
    await runDueAfter(MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(await credentialEntry(id)).toMatchObject({
      outcome: 'absent',
      detail: `token not found: registry contosoacr is no longer at its recorded id (Azure answered ResourceNotFound) but at ${moved.id} (moved), and token ${token.name} is not there either; nothing deleted`,
    });
  });

  test('moved to another subscription, out of acrbot’s sight: its name is still taken in Azure, so it is not called revoked', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const token = tokenInSecret();
    const state = h.app.sandbox!.arm.state;
    const moved = state.moveRegistry(contosoId, {
      subscriptionId: SANDBOX_SUBSCRIPTIONS.data,
      resourceGroup: 'rg-elsewhere',
    });
    h.connector.clear();
    h.app.sandbox!.arm.clearRequests();

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(armCalls(/^(tokens\.get|registries\.(get|list|checkNameAvailability))$/)).toEqual([
      'tokens.get 404',
      'registries.get 404',
      'registries.list 200',
      'registries.checkNameAvailability 200',
    ]);
    expect(await actions(id)).not.toContain('access.revoke.credential:absent');
    expect(signsIn(moved.id, token)).toBe(true);
    await h.connector.waitFor((c) => /Needs attention/.test(cardText(c.activity)), 5000, 'the report');
    expect(reports()[0]).toContain(
      `Registry contosoacr is no longer at its recorded id ${contosoId}, but Azure says a registry of that name still exists (the name is taken) where acrbot cannot see it`,
    );
  });

  test('deleted: the token went with it, and the revocation ends saying the registry was deleted', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    expect(h.app.sandbox!.arm.state.removeRegistry(contosoId)).toBe(true);
    h.connector.clear();

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(await credentialEntry(id)).toMatchObject({
      outcome: 'absent',
      detail:
        'token not found: the registry was deleted, and its tokens with it: Azure answered ResourceNotFound at its recorded id, and the name contosoacr is free in Azure; nothing deleted',
    });
    expect(reports()).toEqual([]);
  });

  test('deleted, and acrbot may not ask whether the name is taken (no subscription-scope right): ended as deleted, as far as acrbot can see', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const state = h.app.sandbox!.arm.state;
    state.denyAction(
      `/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}`,
      'Microsoft.ContainerRegistry/checkNameAvailability/read',
    );
    expect(state.removeRegistry(contosoId)).toBe(true);

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await credentialEntry(id))?.detail).toMatch(
      /^token not found: the registry was deleted, and its tokens with it, as far as acrbot can see: .*acrbot may not ask Azure whether the name is still taken; nothing deleted$/,
    );
  });

  test('a rotation whose registry moves as it runs does not take the token it replaced for deleted: the retirement stays pending', async () => {
    const { id: first } = await grantedSecretOnAksDev(SECRET_ARGS);
    const firstToken = tokenInSecret();
    const arm = h.app.sandbox!.arm;
    arm.state.addResourceGroup(SANDBOX_SUBSCRIPTIONS.platform, 'rg-acr-moved');
    arm.state.assignCallerRole(
      `/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}/resourceGroups/rg-acr-moved`,
      BUILT_IN_ROLES.reader,
    );
    // The retirement's read of the replaced token is held while the registry moves.
    const retirementRead = arm.faults.hold({ operation: 'tokens.get', pathIncludes: firstToken.name });
    const { id: second } = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 1d rotate it',
    );
    const clicked = h.click(users.approver, 'approve', { requestId: second });
    await retirementRead.arrived;
    const moved = arm.state.moveRegistry(contosoId, { resourceGroup: 'rg-acr-moved' });
    retirementRead.release();
    await clicked;
    const done = await h.settle(second);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.retirement).toEqual({ requestId: first });
    const cleanups = (await h.app.audit.forRequest(second)).filter((e) => e.action === 'credential.cleanup');
    expect(cleanups).toEqual([expect.objectContaining({ outcome: 'pending', detail: 'registry.moved' })]);
    expect(signsIn(moved.id, firstToken)).toBe(true);
  });

  test('the clean-up job does not take a rotation’s replaced token on a moved registry for deleted: the retirement stays pending and is reported', async () => {
    const { id: first } = await grantedSecretOnAksDev(SECRET_ARGS);
    const firstToken = tokenInSecret();
    const arm = h.app.sandbox!.arm;
    // The rotation cannot delete the credential it replaced at once: its clean-up job does it later.
    arm.faults.add({ operation: 'tokens.delete', status: 503, count: Infinity, headers: { 'Retry-After': '0' } });
    const second = await secretApproved(users.requester, 'aks-dev contosoacr --namespace payments --for 1d rotate it');
    expect((await h.app.store.get(second))!.outcome?.retirement).toEqual({ requestId: first });
    arm.faults.clear();
    arm.state.addResourceGroup(SANDBOX_SUBSCRIPTIONS.platform, 'rg-acr-moved');
    arm.state.assignCallerRole(
      `/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}/resourceGroups/rg-acr-moved`,
      BUILT_IN_ROLES.reader,
    );
    const moved = arm.state.moveRegistry(contosoId, { resourceGroup: 'rg-acr-moved' });
    h.connector.clear();

    const jobId = `cleanup.credential:${second}`;
    const job = await h.app.stores.schedule.get(jobId);
    await h.app.stores.schedule.put({ ...job!, dueAt: new Date(0).toISOString() });
    await h.app.scheduler.runNow(jobId);
    expect(await h.app.stores.schedule.get(jobId)).toMatchObject({ attempts: 1 });
    const after = (await h.app.store.get(second))!;
    expect(after.outcome?.retirement).toEqual({ requestId: first });
    expect(after.outcome?.summary).not.toMatch(/deleted on a later try/);
    expect(signsIn(moved.id, firstToken)).toBe(true);
    await h.connector.waitFor((c) => /Needs attention/.test(cardText(c.activity)), 5000, 'the report');
    expect(reports()[0]).toContain(`but a registry of that name exists at ${moved.id} (moved?)`);
  });

  test('a --kind grant on a moved registry still ends (Azure does not move a role assignment with its resource), without claiming the registry is gone', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    h.app.sandbox!.arm.state.moveRegistry(contosoId, { resourceGroup: 'rg-acr-moved' });

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    const step = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.revoke.roleAssignment');
    expect(step?.outcome).toBe('absent');
    expect(step?.detail).toContain('at its recorded id: deleted, or moved to another resource group or subscription');
    expect(step?.detail).toContain('Azure does not move a role assignment with its resource');
  });
});

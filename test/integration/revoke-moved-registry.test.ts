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

/**
 * Gives acrbot a role on the sandbox's first subscription that carries the registry name check
 * (`checkNameAvailability`) and nothing else: the deployment does not grant it.
 */
function allowNameCheck(): void {
  h.app.sandbox!.arm.state.access.assign(`/subscriptions/${SANDBOX_SUBSCRIPTIONS.platform}`, {
    roleName: 'registry name check',
    permissions: [
      {
        actions: ['Microsoft.ContainerRegistry/checkNameAvailability/read'],
        notActions: [],
        dataActions: [],
        notDataActions: [],
      },
    ],
  });
}

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
      `Registry contosoacr is no longer at its recorded id ${contosoId}, but a registry of that name is at ${moved.id} (moved?), and it holds token ${token.name}.`,
    );
    expect(report).toContain('if the registry was moved, its token still signs in until deleted');
    expect(report).toContain(`Delete token ${token.name} there by hand`);
    // The message ends without a full stop: the report closes the parentheses around it.
    expect(report).toContain('finds it gone and finishes).');
    expect(report).not.toContain('.).');
    expect(report).not.toContain('may still sign in');
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
      detail: `token not found: registry contosoacr is no longer at its recorded id (Azure answered ResourceNotFound), and token ${token.name} is not in the registry of that name now at ${moved.id}: deleted there by hand, or the name was reused; nothing deleted`,
    });
  });

  test('moved to another subscription, out of acrbot’s sight, in the deployment’s rights (no name check): ended for acrbot’s records, unconfirmed, the approvers told once what to do', async () => {
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
    // Both configured subscriptions listed; the name check is a subscription-scope action the
    // Bicep does not grant, so ARM refuses it.
    expect(armCalls(/^(tokens\.get|registries\.(get|list|checkNameAvailability))$/)).toEqual([
      'tokens.get 404',
      'registries.get 404',
      'registries.list 200',
      'registries.list 200',
      'registries.checkNameAvailability 403',
    ]);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
    expect(await credentialEntry(id)).toMatchObject({
      outcome: 'unconfirmed',
      detail: `token not found: registry contosoacr is no longer at its recorded id (Azure answered ResourceNotFound), and acrbot can list no registry of that name in subscriptions ${SANDBOX_SUBSCRIPTIONS.platform}, ${SANDBOX_SUBSCRIPTIONS.data}; acrbot may not ask Azure whether its name is in use elsewhere (the registry was deleted, or moved where acrbot cannot read): ended for acrbot's records, unconfirmed (if the registry was moved, its token still signs in until deleted); nothing deleted`,
    });
    // Not deleted: acrbot could not see it, and says so.
    expect(signsIn(moved.id, token)).toBe(true);
    expect(reports()).toEqual([
      expect.stringContaining(
        `The revocation of ${id} ended unconfirmed for its token. Registry contosoacr is not at its recorded id ${contosoId}, and acrbot may not ask Azure whether its name is in use elsewhere (the registry was deleted, or moved where acrbot cannot read). acrbot has ended the access in its records, but cannot confirm that token ${token.name} is gone: if the registry was moved, its token still signs in until deleted. If it was moved, delete token ${token.name} in that registry by hand.`,
      ),
    ]);
    expect(reports()[0]).not.toContain('may still sign in');

    // Said once: the job is gone, and nothing runs for the request again.
    await runDueAfter(60 * MINUTE);
    expect(reports()).toHaveLength(1);
  });

  test('moved out of sight, with a right to ask whether the name is taken: taken, so ended unconfirmed (moved, or the name reused), never retried for ever', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const token = tokenInSecret();
    const state = h.app.sandbox!.arm.state;
    allowNameCheck();
    state.moveRegistry(contosoId, { subscriptionId: SANDBOX_SUBSCRIPTIONS.data, resourceGroup: 'rg-elsewhere' });
    h.connector.clear();
    h.app.sandbox!.arm.clearRequests();

    await runDueAfter(2 * MINUTE);
    expect(armCalls(/^registries\.checkNameAvailability$/)).toEqual(['registries.checkNameAvailability 200']);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await credentialEntry(id))!.outcome).toBe('unconfirmed');
    expect(reports()).toEqual([
      expect.stringContaining(
        `Registry contosoacr is not at its recorded id ${contosoId}, and its name is in use elsewhere, where acrbot cannot read (the registry was moved there, or its name reused). acrbot has ended the access in its records, but cannot confirm that token ${token.name} is gone`,
      ),
    ]);
  });

  test('deleted: the token went with it, and the revocation ends saying the registry was deleted', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    allowNameCheck();
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

  test('B1: deleted, its name then taken by someone else’s registry in another subscription acrbot cannot read: the revocation ends (unconfirmed), never "delete it there by hand" as a fact', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const state = h.app.sandbox!.arm.state;
    allowNameCheck();
    expect(state.removeRegistry(contosoId)).toBe(true);
    const other = state.addRegistry(
      { subscriptionId: SANDBOX_SUBSCRIPTIONS.data, resourceGroup: 'rg-someone-else', name: 'contosoacr' },
      { callerRights: false },
    );
    h.connector.clear();

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
    expect((await credentialEntry(id))!.outcome).toBe('unconfirmed');
    const [report, ...more] = reports();
    expect(more).toEqual([]);
    expect(report).toContain('moved there, or its name reused');
    expect(report).toContain('If it was moved, delete token');
    expect(report).not.toContain(other.id);
    expect(report).not.toContain('may still sign in');
    expect(report).not.toContain('move the registry back');
  });

  test('B2: deleted, its name then taken in a resource group of the same subscription acrbot cannot read: the revocation ends (unconfirmed)', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const state = h.app.sandbox!.arm.state;
    expect(state.removeRegistry(contosoId)).toBe(true);
    state.addRegistry(
      { subscriptionId: SANDBOX_SUBSCRIPTIONS.platform, resourceGroup: 'rg-other-team', name: 'contosoacr' },
      { callerRights: false },
    );
    h.connector.clear();
    h.app.sandbox!.arm.clearRequests();

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
    // Nothing read, let alone deleted, in the other team's registry.
    expect(h.app.sandbox!.arm.requests.filter((r) => /rg-other-team/i.test(r.path))).toEqual([]);
    expect((await credentialEntry(id))!.outcome).toBe('unconfirmed');
    expect(reports()).toHaveLength(1);
  });

  test('B3: moved to another subscription acrbot is configured for and can read: not revoked, the report names where; the token deleted there by hand, the next attempt ends it', async () => {
    const { id } = await grantedSecretOnAksDev(SECRET_ARGS);
    const token = tokenInSecret();
    const state = h.app.sandbox!.arm.state;
    const moved = state.moveRegistry(contosoId, {
      subscriptionId: SANDBOX_SUBSCRIPTIONS.data,
      resourceGroup: 'rg-elsewhere',
    });
    // acrbot's Reader where the registry is now (an operator gave it, or a subscription role).
    state.assignCallerRole(
      `/subscriptions/${SANDBOX_SUBSCRIPTIONS.data}/resourceGroups/rg-elsewhere`,
      BUILT_IN_ROLES.reader,
    );
    h.connector.clear();

    await runDueAfter(2 * MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(await credentialEntry(id)).toBeUndefined();
    await h.connector.waitFor((c) => /Needs attention/.test(cardText(c.activity)), 5000, 'the report');
    expect(reports()[0]).toContain(
      `but a registry of that name is at ${moved.id} (moved?), and it holds token ${token.name}`,
    );
    expect(signsIn(moved.id, token)).toBe(true);

    // The operator does what the report says; acrbot deleted nothing there itself.
    expect(moved.tokens.delete(token.name.toLowerCase())).toBe(true);
    await runDueAfter(MINUTE);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(await credentialEntry(id)).toMatchObject({
      outcome: 'absent',
      detail: expect.stringContaining(`token ${token.name} is not in the registry of that name now at ${moved.id}`),
    });
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
    expect(reports()[0]).toContain(`but a registry of that name is at ${moved.id} (moved?)`);
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

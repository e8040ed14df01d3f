/**
 * G17, coexistence: while a grant runs, someone else gives the cluster's identity pull (an AcrPull
 * on the registry's resource group from Terraform, a custom role with pull on the registry). At
 * the grant's end acrbot deletes only its own assignment, and says what still lets the cluster
 * pull: in the requester's notice, to the approvers, in the end's audit entry and in the revoke
 * confirmation. A listing that fails does not hold up the end. The notice and the approvers'
 * message ("Ended; the cluster can still pull: R-…", Warning: news, not a failure) name each scope
 * as the request card does ("resource group rg-acr"); the audit entry keeps the ARM ids. The
 * approvers are told by the end's first run, also when Teams throttled the requester's notice and
 * its retry (which lists again, and may fail to) sends it later.
 * Shared steps: test/helpers/lifecycle.ts.
 */
import { BUILT_IN_ROLES } from '../../src/sandbox/arm/role-definitions';
import { SANDBOX_CLUSTERS, SANDBOX_REGISTRIES } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import { formatUtc } from '../../src/domain/access-term';
import { NOTICE_RETRIES_MS } from '../../src/flows/access-end-notice';
import {
  useLifecycleHooks,
  h,
  start,
  contosoId,
  MINUTE,
  assignmentsOn,
  grant,
  runDueAfter,
  second,
  outcomeSent,
  endNotices,
} from '../helpers/lifecycle';

const contoso = SANDBOX_REGISTRIES.contoso;
const kubelet = SANDBOX_CLUSTERS.prod.kubeletObjectId;
const rgScope = `/subscriptions/${contoso.subscriptionId}/resourceGroups/${contoso.resourceGroup}`;

/** Terraform (or Policy, or a person) gives the kubelet identity AcrPull on the registry's resource group. */
function acrPullOnResourceGroup() {
  return h.app.sandbox!.arm.state.addRoleAssignment({
    scope: rgScope,
    roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
    principalId: kubelet,
  });
}

/** An ABAC repository condition: only team-a/ repositories may be read. */
const TEAM_A_ONLY =
  "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWithIgnoreCase 'team-a/'))";

/** The text of the `revoke R-…` confirmation card. */
async function confirmationOf(id: string): Promise<string> {
  h.connector.clear();
  await h.say(users.approver, `revoke ${id} incident 42`);
  const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
  return cardText(sent.activity);
}

/** The text of the first message (not a card update) matching `pattern`. */
async function messageSaying(pattern: RegExp, what: string): Promise<string> {
  const sent = await h.connector.waitFor((c) => c.op !== 'update' && pattern.test(cardText(c.activity)), 5000, what);
  return cardText(sent.activity);
}

/**
 * The approvers' message of request `id`'s end that left outside pulls: titled as news in
 * Warning, never "Needs attention" (no failure); its text, with scopes as cards name them.
 */
async function approversEndMessage(id: string): Promise<string> {
  const title = `Ended; the cluster can still pull: ${id}`;
  const sent = await h.connector.waitFor(
    (c) => c.op !== 'update' && cardText(c.activity).includes(title),
    5000,
    "the approvers' end message",
  );
  const body = (sent.activity.attachments![0]!.content as { body: Array<Record<string, unknown>> }).body;
  // In Warning: on a warning-styled background (lifecycle.json), as Warning-coloured text is unreadable on white.
  // (The SANDBOX line has a warning-styled one too: the title's is the one holding it.)
  const titled = body.find(
    (b) => b.type === 'Container' && (b.items as Array<{ text?: string }>)?.some((i) => i.text === title),
  );
  expect(titled).toMatchObject({
    style: 'warning',
    items: [expect.objectContaining({ type: 'TextBlock', text: title })],
  });
  const text = cardText(sent.activity);
  expect(text).not.toContain('Needs attention');
  expect(text).not.toContain('/subscriptions/');
  expect(h.connector.calls.filter((c) => /Needs attention/.test(cardText(c.activity)))).toEqual([]);
  return text;
}

/** The conversation id of the requester's card copy of `id`, where their end notice goes. */
async function requesterConversation(id: string): Promise<string> {
  const copy = (await h.app.store.listCardCopies(id)).find((c) => c.role === 'requester')!;
  return String((copy.conversation as { conversation: { id: string } }).conversation.id);
}

/** The detail of request `id`'s entry `action`. */
async function detailOf(id: string, action: string): Promise<string> {
  const entries = await h.app.audit.forRequest(id);
  return entries.find((e) => e.action === action)?.detail ?? '';
}

describe('the end of a grant while something outside acrbot lets the cluster pull (G17)', () => {
  useLifecycleHooks();

  test('an AcrPull on the resource group added during the grant: at expiry the requester, the approvers and the audit are told the cluster can still pull', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    const outside = acrPullOnResourceGroup();
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    // acrbot deleted only its own assignment; Terraform's stays.
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(assignmentsOn(rgScope).map((a: { name: string }) => a.name)).toContain(outside.name);
    // Cards name the scope as the request card does; the audit entry keeps its ARM id.
    const shown = `can still pull from ${contoso.name}: AcrPull on resource group ${contoso.resourceGroup}, granted outside acrbot`;
    const still = `can still pull from ${contoso.name}: AcrPull on ${rgScope}, granted outside acrbot`;
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).toContain(`The cluster ${shown}; ask its owners to remove it if it should not stay.`);
    expect(notice).not.toContain('/subscriptions/');
    expect(notice).not.toContain('was there before acrbot');
    const report = await approversEndMessage(request.id);
    expect(report).toContain(
      `${request.id} ended and acrbot deleted only what it created, but the cluster ${shown}; ask its owners to remove it if it should not stay.`,
    );
    expect(await detailOf(request.id, 'access.expired')).toContain(`the cluster ${still}`);
  });

  test('two assignments outside acrbot (resource group and subscription): the notice and the approvers ask their owners to remove them', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    acrPullOnResourceGroup();
    const subScope = `/subscriptions/${contoso.subscriptionId}`;
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: subScope,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
    });
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    const ask = 'granted outside acrbot; ask their owners to remove them if they should not stay.';
    const rgShown = `AcrPull on resource group ${contoso.resourceGroup}`;
    const subShown = `AcrPull on subscription ${contoso.subscriptionId}`;
    const both = new RegExp(`${rgShown}; ${subShown}|${subShown}; ${rgShown}`);
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).toContain(ask);
    expect(notice).toMatch(both);
    expect(notice).not.toContain('/subscriptions/');
    const report = await approversEndMessage(request.id);
    expect(report).toContain(ask);
    expect(report).toMatch(both);
    const detail = await detailOf(request.id, 'access.expired');
    expect(detail).toMatch(
      new RegExp(`AcrPull on ${rgScope}; AcrPull on ${subScope}|AcrPull on ${subScope}; AcrPull on ${rgScope}`),
    );
  });

  test('a custom role with pull on the registry: revoke R-… says before the click that the cluster can still pull, and the notice says it after', async () => {
    await start();
    const { arm } = h.app.sandbox!;
    const customGuid = '3c000000-0000-4000-8000-0000000000d7';
    arm.state.addRoleDefinition(customGuid, {
      roleName: 'image puller',
      permissions: [{ actions: ['Microsoft.ContainerRegistry/registries/pull/read'] }],
    });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
    arm.state.addRoleAssignment({ scope: contosoId, roleDefinitionGuid: customGuid, principalId: kubelet });
    h.connector.clear();
    await h.say(users.approver, `revoke ${request.id} incident 42`);
    const sent = await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
    const card = sent.activity.attachments![0]!.content as { actions?: Array<{ verb?: string; data: unknown }> };
    expect(cardText(sent.activity)).toContain(
      `Keep role assignment image puller on ${contosoId}: granted outside acrbot, so the cluster can still pull from ${contoso.name} through it; ask its owners to remove it if it should not stay`,
    );
    // The click finds the same (its fingerprint matches) and revokes.
    const button = card.actions!.find((a) => a.verb === 'revokeConfirm')!;
    h.connector.clear();
    await h.click(users.approver, 'revokeConfirm', button.data as Record<string, unknown>);
    await h.app.services.background.drain();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    const notice = await messageSaying(new RegExp(`Revoked: ${request.id}`), 'the end notice');
    expect(notice).toContain(
      `The cluster can still pull from ${contoso.name}: image puller on registry ${contoso.name} itself, granted outside acrbot;`,
    );
    expect(notice).not.toContain('/subscriptions/');
    expect(await approversEndMessage(request.id)).toContain(
      `can still pull from ${contoso.name}: image puller on registry ${contoso.name} itself, granted outside acrbot;`,
    );
    expect(await detailOf(request.id, 'access.revoked')).toContain(`image puller on ${contosoId}`);
  });

  test('an end notice Teams throttles is sent again later: the approvers are told the cluster can still pull once, by the first run, though the retry cannot list', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    await outcomeSent(request.id);
    acrPullOnResourceGroup();
    const conversation = await requesterConversation(request.id);
    h.connector.throttling.add(conversation);
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(await h.app.stores.schedule.get(`access.expire:${request.id}`)).toMatchObject({
      payload: { noticeTries: 1 },
    });
    // The retry's listing fails (outside-pull.ts logs it and lists nothing): the first run told them.
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.listForScope', status: 503, count: Infinity });
    h.connector.throttling.delete(conversation);
    await runDueAfter(NOTICE_RETRIES_MS[0]);
    expect(
      h.logs
        .entries()
        .some((e) => e.level === 40 && /listing what else lets the cluster pull failed/.test(String(e.msg))),
    ).toBe(true);
    const toApprovers = h.connector.calls.filter(
      (c) => c.op !== 'update' && cardText(c.activity).includes(`can still pull: ${request.id}`),
    );
    expect(toApprovers).toHaveLength(1);
    expect(toApprovers[0].conversationId).toMatch(/^19:sandbox-approvals/);
    expect(
      endNotices().filter((c) => cardText(c.activity).includes(`Expired and revoked: ${request.id}`)),
    ).toHaveLength(1);
    expect((await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.end.told')).toMatchObject([
      { outcome: 'sent' },
    ]);
  });

  test('a listing that fails does not hold up the end: the notice says nothing more, and a warning is logged', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    acrPullOnResourceGroup();
    // The revocation itself reads no role definition: only the look for what else lets it pull fails.
    h.app.sandbox!.arm.faults.add({
      operation: 'roleDefinitions.get',
      status: 400,
      code: 'BadRequest',
      count: Infinity,
    });
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).not.toContain('can still pull');
    expect(
      h.logs
        .entries()
        .some((e) => e.level === 40 && /listing what else lets the cluster pull failed/.test(String(e.msg))),
    ).toBe(true);
  });

  test('with nothing outside acrbot, the end says nothing more', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).not.toContain('can still pull');
    expect(await detailOf(request.id, 'access.expired')).not.toContain('can still pull');
  });

  test('an AcrPull with a repository condition on the resource group: the confirmation, the notice, the approvers and the entry say the cluster can still pull some repositories, as check says', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: rgScope,
      roleDefinitionGuid: BUILT_IN_ROLES.acrPull,
      principalId: kubelet,
      condition: TEAM_A_ONLY,
    });
    expect(await confirmationOf(request.id)).toContain(
      `Keep role assignment AcrPull on ${rgScope} (with a condition): granted outside acrbot, so the cluster can still pull some repositories from ${contoso.name} through it`,
    );
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    const shown = `can still pull some repositories from ${contoso.name}: AcrPull on resource group ${contoso.resourceGroup} (with a condition), granted outside acrbot`;
    const still = `can still pull some repositories from ${contoso.name}: AcrPull on ${rgScope} (with a condition), granted outside acrbot`;
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).toContain(`The cluster ${shown}`);
    expect(notice).not.toContain('/subscriptions/');
    expect(await approversEndMessage(request.id)).toContain(shown);
    expect(await detailOf(request.id, 'access.expired')).toContain(still);
    // check's verdict, which the end now agrees with.
    expect(await h.ask(users.approver, 'check aks-prod contosoacr')).toContain(
      `can pull only those repositories of ${contoso.name} that the condition on its AcrPull on its resource group allows`,
    );
  });

  test('the registry switched to ABAC during the grant: the end judges in its mode now, as check does (Repository Reader still pulls, AcrPull no longer)', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    const { state } = h.app.sandbox!.arm;
    state.addRoleAssignment({ scope: rgScope, roleDefinitionGuid: BUILT_IN_ROLES.acrPull, principalId: kubelet });
    state.addRoleAssignment({
      scope: rgScope,
      roleDefinitionGuid: BUILT_IN_ROLES.containerRegistryRepositoryReader,
      principalId: kubelet,
    });
    state.getRegistry(contosoId)!.roleAssignmentMode = 'AbacRepositoryPermissions';
    const confirmation = await confirmationOf(request.id);
    expect(confirmation).toContain(
      `Keep role assignment Container Registry Repository Reader on ${rgScope}: granted outside acrbot`,
    );
    expect(confirmation).not.toContain(`Keep role assignment AcrPull on ${rgScope}`);
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).toContain(
      `The cluster can still pull from ${contoso.name}: Container Registry Repository Reader on resource group ${contoso.resourceGroup}, granted outside acrbot;`,
    );
    expect(notice).not.toContain(`AcrPull on resource group ${contoso.resourceGroup}`);
    expect(notice).not.toContain('/subscriptions/');
    const detail = await detailOf(request.id, 'access.expired');
    expect(detail).toContain(`Container Registry Repository Reader on ${rgScope}`);
    expect(detail).not.toContain(`AcrPull on ${rgScope}`);
    const check = await h.ask(users.approver, 'check aks-prod contosoacr');
    expect(check).toContain(
      `can pull from ${contoso.name}: Container Registry Repository Reader on its resource group`,
    );
    expect(check).toContain('AcrPull on its resource group is not honoured there');
  });

  test('kept because a later grant holds the assignment: the notice says the cluster still pulls through it until that grant ends, and the entry says why it was kept', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    const later = await grant(second, 'aks-prod contosoacr --for 1d second team needs it');
    expect(await confirmationOf(first.id)).toContain(`: still used by ${later.id}`);
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    const until = formatUtc((await h.app.store.get(later.id))!.access!.expiresAt!);
    expect(await messageSaying(/Expired and revoked:/, 'the end notice')).toContain(
      `The cluster can still pull through the same role assignment: still used by ${later.id} until ${until}; acrbot deletes it when the last grant holding it ends.`,
    );
    expect(await detailOf(first.id, 'access.expired')).toMatch(
      new RegExp(
        `^nothing deleted: ${contosoId}/providers/Microsoft\\.Authorization/roleAssignments/[0-9a-f-]+ is kept, still used by ${later.id}$`,
      ),
    );
    // check says the cluster pulls, through that grant.
    const check = await h.ask(users.approver, 'check aks-prod contosoacr');
    expect(check).toContain(`aks-prod can pull from ${contoso.name}`);
    expect(check).toContain(later.id);
  });

  test('anonymous pull and the admin user enabled during the grant: the confirmation, the notice, the approvers and the entry say the cluster can still pull without a role, as check says', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    const record = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    record.anonymousPullEnabled = true;
    record.adminUserEnabled = true;
    const anonymous = `anonymous pull is enabled on ${contoso.name}, so the cluster (and anything that can reach ${contoso.loginServer}) can still pull without a role`;
    const admin = `the admin user of ${contoso.name} is enabled, so anything holding its password can still pull (az acr update --subscription ${contoso.subscriptionId} -n ${contoso.name} --admin-enabled false)`;
    const confirmation = await confirmationOf(request.id);
    expect(confirmation).toContain(
      `Keep registry setting anonymous pull on ${contoso.name}: enabled, so the cluster (and anything that can reach ${contoso.loginServer}) can still pull without a role; acrbot does not change registry settings`,
    );
    expect(confirmation).toContain(`Keep registry setting admin user of ${contoso.name}: enabled, so anything holding`);
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).toContain(`A${anonymous.slice(1)}; ${admin}.`);
    expect(await approversEndMessage(request.id)).toContain(
      `${request.id} ended and acrbot deleted only what it created, but ${anonymous}; ${admin}.`,
    );
    expect(await detailOf(request.id, 'access.expired')).toContain(`${anonymous}; ${admin}`);
    // check's verdict, which the end now agrees with.
    expect(await h.ask(users.approver, 'check aks-prod contosoacr')).toContain('because anonymous pull is enabled');
  });

  test('only the admin user enabled: the notice and the entry say who can still pull, and the approvers get no "the cluster can still pull" message', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    h.app.sandbox!.arm.state.getRegistry(contosoId)!.adminUserEnabled = true;
    const admin = `the admin user of ${contoso.name} is enabled, so anything holding its password can still pull (az acr update --subscription ${contoso.subscriptionId} -n ${contoso.name} --admin-enabled false)`;
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).toContain(`T${admin.slice(1)}.`);
    expect(await detailOf(request.id, 'access.expired')).toContain(admin);
    // The end was made known (its entry comes after the approvers' message would have been posted).
    expect(await detailOf(request.id, 'access.end.told')).toBe('the requester told');
    const toApprovers = h.connector.calls.filter((c) => /can still pull: R-/.test(cardText(c.activity)));
    expect(toApprovers).toEqual([]);
  });

  test("the registry's mode cannot be read at the end: judged in the plan's, switched where drift recorded modeChanged", async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 10m deploy payments-api');
    const { state, faults } = h.app.sandbox!.arm;
    state.addRoleAssignment({
      scope: rgScope,
      roleDefinitionGuid: BUILT_IN_ROLES.containerRegistryRepositoryReader,
      principalId: kubelet,
    });
    state.getRegistry(contosoId)!.roleAssignmentMode = 'AbacRepositoryPermissions';
    expect((await h.app.services.drift.sweep()).map((r) => r.id)).toEqual([request.id]);
    expect((await h.app.store.get(request.id))!.access?.driftReason).toBe('modeChanged');
    faults.add({ operation: 'registries.get', status: 403, code: 'AuthorizationFailed', count: Infinity });
    h.connector.clear();
    await runDueAfter(10 * MINUTE);
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    const notice = await messageSaying(/Expired and revoked:/, 'the end notice');
    expect(notice).toContain(
      `The cluster can still pull from ${contoso.name}: Container Registry Repository Reader on resource group ${contoso.resourceGroup}, granted outside acrbot;`,
    );
    expect(notice).not.toContain('/subscriptions/');
    expect(await detailOf(request.id, 'access.expired')).toContain(
      `Container Registry Repository Reader on ${rgScope}`,
    );
    expect(
      h.logs
        .entries()
        .some((e) => e.level === 40 && /reading the registry's mode at the end failed/.test(String(e.msg))),
    ).toBe(true);
  });
});

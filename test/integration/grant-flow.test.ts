/**
 * The grant flow end to end: Teams-shaped activities into the real restify server and bot,
 * the real Azure SDK clients against the sandbox emulators over HTTPS, replies captured at
 * the Bot Connector.
 */
import type { GrantPlan } from '../../src/domain/plan';
import { ROLE_IDS } from '../../src/domain/roles';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import {
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_SUBSCRIPTIONS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { grantFormPosted } from '../helpers/grant-form';
import { callsWithText, type Harness, startHarness, users } from '../helpers/harness';
import { clickInThread } from '../helpers/thread-click';

const prodCluster = SANDBOX_CLUSTERS.prod;
const contoso = SANDBOX_REGISTRIES.contoso;
const contosoId = sandboxResourceId('registry', contoso);

describe('grant flow', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  function assignmentsOn(scope: string) {
    return h.app
      .sandbox!.arm.state.listRoleAssignments()
      .filter((a: { scope: string }) => a.scope.toLowerCase() === scope.toLowerCase());
  }

  test('MSI cluster: plan card, approval card in the approvals channel, approve, one AcrPull on the kubelet identity, outcome with snippet', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    expect(request.state).toBe('pending');
    expect(request.plan.kind).toBe('grant');
    const plan = request.plan as Extract<typeof request.plan, { kind: 'grant' }>;
    expect(plan.identity).toMatchObject({ kind: 'kubelet', objectId: prodCluster.kubeletObjectId });
    expect(plan.identity.objectId).not.toBe(prodCluster.controlPlanePrincipalId);
    expect(plan.role.id).toBe(ROLE_IDS.acrPull);
    expect(plan.scope.toLowerCase()).toBe(contosoId.toLowerCase());

    const planCard = callsWithText(h.connector, new RegExp(request.id)).find((c) => c.op !== 'update')!;
    const planText = cardText(planCard.activity);
    for (const expected of [
      'aks-prod',
      prodCluster.kubeletObjectId,
      'contosoacr.azurecr.io',
      'AcrPull',
      'deploy payments-api to prod',
      'SANDBOX',
    ])
      expect(planText).toContain(expected);
    const approval = await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:sandbox-approvals') && cardText(c.activity).includes(request.id),
      5000,
      'the approval card',
    );
    // Read-only as posted; the approver's own view (refresh.userIds) has the buttons.
    const posted = approval.activity.attachments[0].content;
    expect(posted.refresh.userIds).toContain(users.approver.teamsId);
    const own = await h.click(users.approver, 'refresh', { requestId: request.id }, approval.activityId);
    expect(JSON.stringify(own.body.value)).toContain('"verb":"approve"');

    const res = await h.click(
      users.approver,
      'approve',
      { requestId: request.id, version: request.version },
      approval.activityId,
    );
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText({ attachments: [{ content: res.body.value }] })).toContain('Executing');

    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    const assignments = assignmentsOn(contosoId);
    expect(assignments).toHaveLength(1);
    expect(assignments[0].principalId).toBe(prodCluster.kubeletObjectId);
    expect(assignments[0].roleDefinitionId.toLowerCase()).toMatch(new RegExp(`/${ROLE_IDS.acrPull}$`));
    expect(assignments[0].principalType).toBe('ServicePrincipal');
    expect(assignments[0].name).toBe(plan.roleAssignmentName);

    const outcome = await h.connector.waitFor(
      (c) => /Pull access granted/.test(cardText(c.activity)),
      5000,
      'the outcome card',
    );
    const outcomeText = cardText(outcome.activity);
    expect(outcomeText).toContain('image: contosoacr.azurecr.io/');
    expect(done.outcome!.azureRequestIds.length).toBeGreaterThan(0);
    expect(outcomeText).toContain(done.outcome!.azureRequestIds[0]);
    // Every copy (requester's and approvers') now shows the final state.
    const copies = await h.app.store.listCardCopies(request.id);
    expect(copies.map((c) => c.role).sort()).toEqual(['approver', 'requester']);
    for (const copy of copies) {
      const last = h.connector.calls.filter((c) => c.op === 'update' && c.activityId === copy.activityId).pop();
      expect(last && cardText(last.activity)).toContain('Granted');
    }
    // Nothing was written to the cluster resource.
    expect(
      h.app.sandbox!.arm.requests.filter(
        (r: { method: string; operation: string }) => r.method !== 'GET' && r.operation.startsWith('managedClusters'),
      ),
    ).toEqual([]);
  });

  // 7 reads: the 6 before, and the cluster listing (one per allowed subscription) that finds the
  // clusters sharing the kubelet identity (grant-planner.ts sharedIdentity).
  test('cost: a first grant on an MSI cluster makes exactly one ARM write, two Graph reads and at most 7 ARM reads', async () => {
    await h.stop();
    h = await startHarness({ ACRBOT_SUBSCRIPTION_IDS: prodCluster.subscriptionId });
    const request = await h.requestGrant(users.requester, 'rg-aks/aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const arm = h.app.sandbox!.arm.requests;
    const writes = arm.filter((r: { method: string }) => r.method !== 'GET');
    expect(writes.map((w: { operation: string }) => w.operation)).toEqual(['roleAssignments.create']);
    expect(arm.length - writes.length).toBeLessThanOrEqual(7);
    // Graph: only whether the rule's named approver can still sign in, with their display name,
    // when the request is made (kept: the mention beside its card reuses it, bot/approver-mention-posts.ts,
    // so a third read here means it asks Graph again), and whether the approver's own account is
    // still enabled, at the click (G5: fresh, never the kept read).
    const reads = h.app.sandbox!.graph.requests;
    expect(reads.map((r: { operation: string }) => r.operation)).toEqual(['users.list', 'users.list']);
    // The mention shows the approver's name, which only the first read gave.
    const mention = h.connector.calls.find((c) => c.op !== 'update' && (c.activity.entities ?? []).length > 0);
    expect(mention?.activity.text).toMatch(/^<at>Alex Approver<\/at>: request /);
  });

  test('SP cluster: the service principal app id is resolved to its object id through Graph', async () => {
    const request = await h.requestGrant(users.requester, 'aks-legacy contosoacr legacy batch jobs need images');
    const plan = request.plan as Extract<typeof request.plan, { kind: 'grant' }>;
    expect(plan.identity).toMatchObject({
      kind: 'servicePrincipal',
      appId: SANDBOX_CLUSTERS.legacy.servicePrincipalAppId,
      objectId: SANDBOX_CLUSTERS.legacy.servicePrincipalObjectId,
    });
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    expect(assignmentsOn(contosoId).map((a: { principalId: string }) => a.principalId)).toEqual([
      SANDBOX_CLUSTERS.legacy.servicePrincipalObjectId,
    ]);
  });

  test('ABAC registry: Container Registry Repository Reader instead of AcrPull', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoabac repository scoped pulls');
    const plan = request.plan as Extract<typeof request.plan, { kind: 'grant' }>;
    expect(plan.role.id).toBe(ROLE_IDS.repositoryReader);
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const abacId = sandboxResourceId('registry', SANDBOX_REGISTRIES.abac);
    expect(assignmentsOn(abacId).map((a: { roleDefinitionId: string }) => a.roleDefinitionId.split('/').pop())).toEqual(
      [ROLE_IDS.repositoryReader],
    );
  });

  test('already granted: says so with the existing assignment and creates no request', async () => {
    const first = await h.requestGrant(users.requester, 'aks-prod contosoacr first time grant');
    await h.click(users.approver, 'approve', { requestId: first.id });
    const granted = await h.settle(first.id);
    h.connector.clear();
    await h.say(users.requester, 'grant aks-prod contosoacr second time grant');
    const reply = await h.connector.waitFor(
      (c) => /Access already exists/.test(cardText(c.activity)),
      5000,
      'already-exists card',
    );
    // The existing assignment by its name, role and scope in words.
    expect(cardText(reply.activity)).toContain(granted.outcome!.createdIds![0]!.split('/').pop()!);
    expect(cardText(reply.activity)).toMatch(/AcrPull[\s\S]*the registry contosoacr itself/);
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('RoleAssignmentExists at execution (assigned under another name meanwhile) counts as granted', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // Someone assigns AcrPull by hand (another name) after the plan; the PUT then meets it.
    h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
      principalId: SANDBOX_CLUSTERS.prod.kubeletObjectId,
    });
    h.app.sandbox!.arm.faults.add({
      operation: 'roleAssignments.create',
      status: 409,
      code: 'RoleAssignmentExists',
      message:
        'The role assignment already exists. The ID of the existing role assignment is 716c4d159bc8476da3c16ccb70082517.',
      count: 1,
    });
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.alreadyPresent).toBe(true);
    await h.connector.waitFor(
      (c) => /Access was already in place/.test(cardText(c.activity)),
      5000,
      'already-in-place outcome',
    );
    // acrbot created nothing (its run recorded the planned name before the PUT): revoking it
    // says the assignment is not acrbot's, not that acrbot's went missing.
    await h.click(users.requester, 'revokeConfirm', { requestId: request.id, reason: 'no longer needed here' });
    // The click answers "Revoking" and runs the revocation after the turn, as background work.
    await h.app.services.background.drain();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    const entries = (await h.app.audit.forRequest(request.id)).map((e) => `${e.action}:${e.outcome}`);
    expect(entries).toContain('access.revoke.roleAssignment:notOurs');
    // And the requester is not told the access is gone while the cluster still pulls.
    const ended = await h.connector.waitFor(
      (c) => /Revoked: R-/.test(cardText(c.activity)),
      5000,
      'the revoked notice',
    );
    expect(cardText(ended.activity)).toContain(
      'The cluster can still pull: the role assignment it uses was there before acrbot and stays',
    );
  });

  test('PrincipalNotFound ×3 is retried, then the grant succeeds', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr brand new cluster');
    h.app.sandbox!.arm.faults.add({
      operation: 'roleAssignments.create',
      status: 400,
      code: 'PrincipalNotFound',
      count: 3,
    });
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    expect(
      h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === 'roleAssignments.create'),
    ).toHaveLength(4);
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    // Structured logs: the retries carry the execution's correlation id, turns carry theirs.
    const lines = h.logs.lines.map((l) => JSON.parse(l) as { msg: string; correlationId?: string });
    expect(lines.filter((l) => l.msg === 'principal not replicated yet; retrying').map((l) => l.correlationId)).toEqual(
      [`exec-${request.id}`, `exec-${request.id}`, `exec-${request.id}`],
    );
    expect(lines.filter((l) => l.msg === 'turn').every((l) => l.correlationId?.startsWith('turn-'))).toBe(true);
  });

  test('bot lacks roleAssignments/write on the registry: plain sentence naming the role to give, no request', async () => {
    h.app.sandbox!.arm.state.denyAction(contosoId, 'Microsoft.Authorization/roleAssignments/write');
    await h.say(users.requester, 'grant aks-prod contosoacr deploy payments-api');
    const reply = await h.connector.waitFor(
      (c) => /roleAssignments\/write/.test(cardText(c.activity)),
      5000,
      'permission error',
    );
    const text = cardText(reply.activity);
    // The conditioned role docs/deploy.md gives the bot; never User Access Administrator (or Owner).
    expect(text).toContain(
      `Role Based Access Control Administrator role on ${contosoId} with the condition in docs/deploy.md`,
    );
    expect(text).toContain('not Owner or User Access Administrator');
    expect(text).not.toMatch(/Owner\?/);
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('AuthorizationFailed at execution: failed with the same plain sentence, logged once for operators', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    h.app.sandbox!.arm.state.denyAction(contosoId, 'Microsoft.Authorization/roleAssignments/write');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome?.error).toContain('Role Based Access Control Administrator role on');
    expect(done.outcome?.error).toContain('not Owner or User Access Administrator');
    await h.connector.waitFor((c) => /The request failed/.test(cardText(c.activity)), 5000, 'failure outcome');
    // The card explains it in a sentence; the code, status and Azure request id are for operators.
    const line = h.logs.azureFailureLine('grant failed in Azure', request.id, 'AuthorizationFailed', 403);
    // ARM's own sentence reaches that line, and its request id the outcome and the audit entry.
    const err = line.err as { message: string; requestId: string };
    expect(err.message).toMatch(/^role assignment create failed: .*roleAssignments\/write/);
    expect(done.outcome?.azureRequestIds).toEqual([err.requestId]);
    const failed = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.failed');
    expect(failed?.correlationIds).toEqual([err.requestId]);
  });

  test('ambiguous registry name: asks which, listing both ids, no request', async () => {
    await h.say(users.requester, 'grant aks-prod sharedacr shared images for all');
    const reply = await h.connector.waitFor(
      (c) => /registries named sharedacr/.test(cardText(c.activity)),
      5000,
      'ambiguity card',
    );
    const text = cardText(reply.activity);
    expect(text).toContain(sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedPlatform));
    expect(text).toContain(sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData));
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('unknown names get "not found" with the closest names', async () => {
    await h.say(users.requester, 'grant aks-prd contosoacr deploy payments-api');
    const reply = await h.connector.waitFor(
      (c) => /No cluster named aks-prd/.test(cardText(c.activity)),
      5000,
      'not found card',
    );
    expect(cardText(reply.activity)).toContain('aks-prod');
  });

  test('G10: bad names get a clear message, an audit entry and zero ARM requests', async () => {
    for (const [args, fragment] of [
      ['my;aks contosoacr valid reason here', 'cluster name'],
      ['../x contosoacr valid reason here', 'cluster'],
      ['aks-prod abcd valid reason here', 'registry name'], // one character short of the 5 minimum
      [`aks-prod ${'a'.repeat(51)} valid reason here`, 'registry name'],
      ['aks-prod acr#1x valid reason here', 'registry name'],
    ] as const) {
      h.app.sandbox!.arm.clearRequests();
      h.connector.clear();
      await h.say(users.requester, `grant ${args}`);
      const reply = await h.connector.waitFor(
        (c) => /not a valid/.test(cardText(c.activity)),
        5000,
        `rejection of ${args}`,
      );
      expect(cardText(reply.activity)).toContain(fragment);
      expect(h.app.sandbox!.arm.requests).toHaveLength(0);
    }
    const audit = await h.app.audit.latest(20);
    expect(audit.filter((e) => e.action === 'validation.failed').length).toBeGreaterThanOrEqual(5);
  });

  test('G10: a resource id in a subscription not in ACRBOT_SUBSCRIPTION_IDS is refused, audited, and never read', async () => {
    await h.stop();
    h = await startHarness({ ACRBOT_SUBSCRIPTION_IDS: SANDBOX_SUBSCRIPTIONS.platform });
    const devId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev); // exists, in the data subscription
    h.app.sandbox!.arm.clearRequests();
    h.connector.clear();
    await h.say(users.requester, `grant ${devId} contosoacr deploy payments-api to dev`);
    const reply = await h.connector.waitFor(
      (c) => /is not one acrbot manages/.test(cardText(c.activity)),
      5000,
      'refusal of the subscription',
    );
    expect(cardText(reply.activity)).toContain(`Subscription ${SANDBOX_SUBSCRIPTIONS.data} is not one acrbot manages`);
    expect(
      h.app.sandbox!.arm.requests.filter((r: { url?: string; path?: string }) =>
        JSON.stringify(r).includes(SANDBOX_SUBSCRIPTIONS.data),
      ),
    ).toEqual([]);
    expect(await h.app.store.listByRequester(users.requester.objectId, ['pending', 'approved', 'succeeded'])).toEqual(
      [],
    );
    const refused = (await h.app.audit.latest(5)).find((e) => e.action === 'validation.failed');
    expect(refused).toMatchObject({
      actor: { objectId: users.requester.objectId },
      outcome: 'subscription.notAllowed',
    });

    // The reads refuse it the same way, each audited.
    for (const read of [`check ${devId} contosoacr`, `policy ${devId} contosoacr`, `access ${devId}`]) {
      const before = (await h.app.audit.latest(1))[0]?.seq ?? 0;
      h.connector.clear();
      await h.say(users.approver, read);
      await h.connector.waitFor((c) => /is not one acrbot manages/.test(cardText(c.activity)), 5000, read);
      const added = (await h.app.audit.latest(5)).filter((e) => e.seq > before);
      expect(added.map((e) => `${e.action}:${e.outcome}`)).toEqual(['validation.failed:subscription.notAllowed']);
    }
    expect(
      h.app.sandbox!.arm.requests.filter((r: unknown) => JSON.stringify(r).includes(SANDBOX_SUBSCRIPTIONS.data)),
    ).toEqual([]);
  });

  test('G10: names compare case-insensitively (AKS-PROD CONTOSOACR and aks-prod contosoacr are one grant)', async () => {
    const a = await h.requestGrant(users.requester, 'AKS-PROD CONTOSOACR upper case names work');
    // Resolved through ARM: the plan holds Azure's names, not the typed spelling.
    expect(a.plan.cluster.name).toBe('aks-prod');
    expect(a.plan.registry.name).toBe('contosoacr');
    await h.click(users.approver, 'approve', { requestId: a.id });
    expect((await h.settle(a.id)).state).toBe('succeeded');
    const pendingBefore = await h.app.store.listByState(['pending'], 100);
    h.connector.clear();
    await h.say(users.requester, 'grant aks-prod contosoacr lower case names work');
    const reply = await h.connector.waitFor(
      (c) => /Access already exists/.test(cardText(c.activity)),
      5000,
      'the already-exists answer',
    );
    expect(cardText(reply.activity)).toContain((a.plan as GrantPlan).roleAssignmentName);
    expect(await h.app.store.listByState(['pending'], 100)).toEqual(pendingBefore);
  });

  test('a missing reason is asked for, validated, and cancel ends the conversation', async () => {
    await h.say(users.requester, 'grant aks-prod contosoacr', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    await h.say(users.requester, 'x', 'personal');
    await h.connector.waitFor((c) => /at least 8 characters/.test(cardText(c.activity)), 5000, 're-ask with reason');
    await h.say(users.requester, 'cancel', 'personal');
    await h.connector.waitFor((c) => /Cancelled/.test(cardText(c.activity)), 5000, 'cancel');
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('the reason question takes any text, also one that starts with a command word; a new grant still starts over', async () => {
    await h.say(users.requester, 'grant aks-prod contosoacr', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    await h.say(users.requester, 'access is needed for the nightly payments deploy', 'personal');
    await h.connector.waitFor(
      (c) => cardText(c.activity).includes('access is needed for the nightly payments deploy'),
      5000,
      'the plan card with that reason',
    );
    expect((await h.app.store.listByState(['pending'])).map((r) => r.reason)).toEqual([
      'access is needed for the nightly payments deploy',
    ]);
    expect(h.connector.calls.filter((c) => /Approvers and auditors only/.test(cardText(c.activity)))).toEqual([]);
    // Also text that starts like a command but does not read as one ("stop" is cancel's alias).
    await h.say(users.requester, 'grant aks-prod contosoabac', 'personal');
    await h.connector.waitFor(
      (c) => h.connector.calls.filter((x) => /Why is the access needed/.test(cardText(x.activity))).length >= 2,
      5000,
      'the reason question again',
    );
    await h.say(users.requester, 'stop pulling abac images from docker hub', 'personal');
    await h.connector.waitFor(
      (c) => cardText(c.activity).includes('stop pulling abac images from docker hub'),
      5000,
      'the plan card with that reason',
    );
    expect(h.connector.calls.filter((c) => /Could not read that command/.test(cardText(c.activity)))).toEqual([]);
    // A grant typed at the reason question is neither the reason nor a guessed new request:
    // acrbot asks again, naming the command; "cancel" then the command starts the new one.
    await h.say(users.requester, 'grant aks-prod contosoacr', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    await h.say(users.requester, 'grant aks-dev contosoacr', 'personal');
    await h.connector.waitFor(
      (c) => /That reads like a new "grant" command/.test(cardText(c.activity)),
      5000,
      'asked again, naming the command',
    );
    expect(h.connector.calls.filter((c) => /this one starts over/.test(cardText(c.activity)))).toEqual([]);
    await h.say(users.requester, 'cancel', 'personal');
    await h.connector.waitFor((c) => /nothing was requested/.test(cardText(c.activity)), 5000, 'cancelled');
    await h.say(users.requester, 'grant aks-dev contosoabac dev pulls abac images', 'personal');
    await h.connector.waitFor(
      (c) => cardText(c.activity).includes('dev pulls abac images'),
      5000,
      'the plan card of the new grant',
    );
    expect((await h.app.store.listByState(['pending'])).map((r) => r.reason).sort()).toEqual([
      'access is needed for the nightly payments deploy',
      'dev pulls abac images',
      'stop pulling abac images from docker hub',
    ]);
  });

  test('another command typed at a question ends the questions and says so; nothing is requested', async () => {
    await h.say(users.requester, 'grant aks-prod', 'personal');
    await h.connector.waitFor((c) => /Which registry/.test(cardText(c.activity)), 5000, 'registry question');
    const before = h.connector.calls.length;
    await h.say(users.requester, 'status', 'personal');
    const note = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /you were filling in/.test(cardText(c.activity)),
      5000,
      'the note that the questions ended',
    );
    expect(cardText(note.activity)).toContain('is stopped; nothing was requested');
    // The next text is no answer: "contosoacr" is an unknown command now, not the registry.
    await h.say(users.requester, 'contosoacr', 'personal');
    await h.connector.waitFor((c) => /Unknown command/.test(cardText(c.activity)), 5000, 'unknown command');
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('the dialog collects missing arguments one at a time and creates the request', async () => {
    await h.say(users.requester, 'grant aks-prod', 'personal');
    await h.connector.waitFor((c) => /Which registry/.test(cardText(c.activity)), 5000, 'registry question');
    await h.say(users.requester, 'contoso!!', 'personal');
    await h.connector.waitFor((c) => /not a valid registry name/.test(cardText(c.activity)), 5000, 'registry re-ask');
    await h.say(users.requester, 'contosoacr', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    await h.say(users.requester, 'nightly batch needs images', 'personal');
    await h.connector.waitFor((c) => /R-[2-9A-Z]{8}/.test(cardText(c.activity)), 5000, 'plan card');
    expect(await h.app.store.listByState(['pending'])).toHaveLength(1);
  });

  test('G17: --for given with a command that still needs answers is the term of the request the dialog files', async () => {
    await h.say(users.requester, 'grant aks-prod contosoacr --for 2h', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    await h.say(users.requester, 'nightly batch needs images', 'personal');
    await h.connector.waitFor((c) => /R-[2-9A-Z]{8}/.test(cardText(c.activity)), 5000, 'plan card');
    const [request] = await h.app.store.listByState(['pending']);
    expect(request.access).toEqual({ durationMs: 2 * 3_600_000 });
  });

  test('mentions: a colleague mentioned before the command is not part of it; one in a reason or an answer keeps the name, not the tag', async () => {
    const inline = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy for <at>Alex Approver</at> today');
    expect(inline.reason).toBe('deploy for Alex Approver today');
    const before = h.connector.calls.length;
    await h.say(users.requester, '<at>Alex Approver</at> grant aks-dev contosoacr deploy payments-api to dev');
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      5000,
      'the plan card of a command typed after a mention',
    );
    await h.say(users.requester, 'grant aks-prod contosoabac', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    await h.say(users.requester, 'deploy for <at>Alex Approver</at> tonight', 'personal');
    await h.connector.waitFor(
      (c) => cardText(c.activity).includes('deploy for Alex Approver tonight'),
      5000,
      'the plan card with the answer',
    );
    const reasons = (await h.app.store.listByState(['pending'])).map((r) => r.reason);
    expect(reasons).toEqual(expect.arrayContaining(['deploy payments-api to dev', 'deploy for Alex Approver tonight']));
    expect(reasons.join(' ')).not.toContain('<at>');
  });

  test('an approvals channel that refuses the card (the bot removed from it): the requester is told, it is audited as refused (never as posted), the log says why', async () => {
    h.connector.refusing.add('19:sandbox-approvals');
    try {
      const before = h.connector.calls.length;
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
      await h.connector.waitFor(
        (c) =>
          h.connector.calls.indexOf(c) >= before &&
          cardText(c.activity).includes(
            `The approval card could not be posted to the approvals channel; approvers can still find request ${request.id}`,
          ),
        5000,
        'the requester told',
      );
      // Audited as refused (the announce job reads it: the requester is not told twice), never as posted.
      const posts = (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'approval.card.posted');
      expect(posts.map((e) => e.outcome)).toEqual(['refused']);
      expect(h.logs.entries().filter((e) => e.msg === 'approval card could not be posted')).toMatchObject([
        { requestId: request.id, err: expect.objectContaining({ message: expect.stringContaining('roster') }) },
      ]);
      expect(h.logs.entries().filter((e) => e.msg === 'unhandled error in turn')).toEqual([]);
    } finally {
      h.connector.refusing.clear();
    }
  });

  test('SIGHUP without a policy file is taken and changes nothing (Node would otherwise end the process)', async () => {
    expect(process.listenerCount('SIGHUP')).toBeGreaterThan(0);
    process.emit('SIGHUP');
    expect(h.logs.entries().map((e) => e.msg)).toContain(
      'SIGHUP: there is no approval policy file (ACRBOT_POLICY) to reload; nothing changed',
    );
  });

  test('the only approver asking for access is told nobody could approve it, and nothing is stored', async () => {
    const before = h.connector.calls.length;
    await h.say(users.approver, 'grant aks-prod contosoacr the approver needs it too');
    const answer = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /could never be approved/.test(cardText(c.activity)),
      5000,
      'the refusal',
    );
    expect(cardText(answer.activity)).toContain('Rule default needs 1 approval from someone other than the requester');
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
    expect((await h.app.audit.latest(1))[0].action).toBe('policy.refused.quorum');
  });

  test('an AcrPull assignment with a condition (some repositories only) made between plan and run: the grant fails saying so, rather than reporting pull as already granted', async () => {
    // Planning refuses one that is there already (grant-plan-existing-access.test.ts); this one
    // appears after the approvers were asked, and the PUT answers RoleAssignmentExists.
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const conditioned = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
      principalId: SANDBOX_CLUSTERS.prod.kubeletObjectId,
      condition:
        "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})) OR (@Resource[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWithIgnoreCase 'team-a/'))",
    });
    const before = h.app.sandbox!.arm.state.listRoleAssignments(contosoId).length;
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done).toMatchObject({ state: 'failed', outcome: { errorCode: 'grant.conditionalExists' } });
    expect(done.outcome?.error).toContain('through an assignment with a condition (a limit to some repositories)');
    // Named, so the platform team knows which assignment to widen or remove.
    expect(done.outcome?.error).toContain(`made outside acrbot: ${conditioned.id}.`);
    expect(done.outcome?.error).toContain('and nothing was changed.');
    expect(h.app.sandbox!.arm.state.listRoleAssignments(contosoId)).toHaveLength(before);
  });

  test('a subscription acrbot may not read does not hide the others, and "not found" is not said about it', async () => {
    h.app.sandbox!.arm.faults.add({
      operation: 'managedClusters.list',
      status: 403,
      code: 'AuthorizationFailed',
      pathIncludes: SANDBOX_SUBSCRIPTIONS.data,
      count: Infinity,
    });
    try {
      // aks-prod is in the readable subscription: found as before.
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
      expect(request.plan.cluster.name).toBe('aks-prod');
      const before = h.connector.calls.length;
      await h.say(users.requester, 'grant aks-nowhere contosoacr deploy payments-api');
      const answer = await h.connector.waitFor(
        (c) => h.connector.calls.indexOf(c) >= before && /may not list/.test(cardText(c.activity)),
        5000,
        'the answer naming the unreadable subscription',
      );
      expect(cardText(answer.activity)).toContain(
        `acrbot may not list the clusters of subscription ${SANDBOX_SUBSCRIPTIONS.data}, so it could not look there; give its identity the Reader role on it`,
      );
    } finally {
      h.app.sandbox!.arm.faults.clear();
    }
  });

  test('resourceGroup/name with a subscription that answers 403 (as ARM does for one acrbot may not read): planned from the readable one', async () => {
    // Real ARM answers 403 AuthorizationFailed for any resource in a subscription the caller may
    // not read, whether or not it exists there; the emulator denies before it looks.
    h.app.sandbox!.arm.state.denyAction(
      `/subscriptions/${SANDBOX_SUBSCRIPTIONS.data}`,
      'Microsoft.ContainerService/managedClusters/read',
    );
    const request = await h.requestGrant(users.requester, 'rg-aks/aks-prod contosoacr deploy payments-api');
    expect(request.plan.cluster.id.toLowerCase()).toBe(sandboxResourceId('cluster', prodCluster).toLowerCase());
    const before = h.connector.calls.length;
    await h.say(users.requester, 'grant rg-dev/aks-dev contosoacr deploy payments-api');
    const answer = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /No cluster rg-dev\/aks-dev/.test(cardText(c.activity)),
      5000,
      'the not-found naming the unreadable resource group',
    );
    // rg-dev is not in the platform subscription: Azure refuses there too (acrbot has no right above its groups).
    expect(cardText(answer.activity)).toContain(
      `acrbot may not read resource group rg-dev in subscriptions ${SANDBOX_SUBSCRIPTIONS.platform}, ${SANDBOX_SUBSCRIPTIONS.data}, so it could not look there`,
    );
    expect(cardText(answer.activity)).not.toContain('Something unexpected went wrong');
  });

  test('pending with more requests than it shows says so, and how to see the others', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    // 24 more waiting (stored as the first one was, under other ids).
    for (let i = 0; i < 24; i++)
      await h.app.store.create({ ...request, id: `R-MANY${'ABCDEFGHJKLMNPQRSTUVWXYZ'[i]}AAA` });
    const before = h.connector.calls.length;
    // In a chat with acrbot: request cards go only where approvers alone read (approvers-audience.ts).
    await h.say(users.approver, 'pending', 'personal');
    const count = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /waiting for approval/.test(cardText(c.activity)),
      5000,
      'the count line',
    );
    expect(cardText(count.activity)).toBe(
      '25 requests waiting for approval; the first 20 are shown here (those whose time to decide runs out first), "@acrbot pending R-…" shows any other:',
    );
    await h.app.services.background.drain();
    const cards = () =>
      h.connector.calls
        .slice(before)
        // Read-only as posted, with per-user views (Approve in the approvers' own view).
        .filter((c) => c.op !== 'update' && /"verb":"refresh"/.test(JSON.stringify(c.activity)));
    await h.connector.waitFor(() => cards().length >= 20, 5000, 'twenty cards');
    expect(cards()).toHaveLength(20);
  });

  test('G17: "grant --for 2h" with no names asks the questions (the form has no term) and files the request for 2 hours', async () => {
    await h.say(users.requester, 'grant --for 2h', 'personal');
    await h.connector.waitFor((c) => /Which cluster needs pull access/.test(cardText(c.activity)), 5000, 'question');
    expect(h.connector.calls.filter((c) => /Grant a cluster pull access/.test(cardText(c.activity)))).toEqual([]);
    await h.say(users.requester, 'aks-prod', 'personal');
    await h.connector.waitFor((c) => /Which registry/.test(cardText(c.activity)), 5000, 'registry question');
    await h.say(users.requester, 'contosoacr', 'personal');
    await h.connector.waitFor((c) => /Why is the access needed/.test(cardText(c.activity)), 5000, 'reason question');
    await h.say(users.requester, 'nightly batch needs images', 'personal');
    await h.connector.waitFor((c) => /R-[2-9A-Z]{8}/.test(cardText(c.activity)), 5000, 'plan card');
    const [request] = await h.app.store.listByState(['pending']);
    expect(request.access).toEqual({ durationMs: 2 * 3_600_000 });
  });

  test("a secret's options that can never work are refused before the first question, and nothing is stored", async () => {
    for (const [text, refusal] of [
      ['secret aks-dev contosoacr --for 999y', /longer than the maximum access/],
      ['secret aks-dev contosoacr --namespace Payments', /not a valid namespace/i],
    ] as const) {
      const before = h.connector.calls.length;
      await h.say(users.requester, text, 'personal');
      await h.connector.waitFor(
        (c) => h.connector.calls.indexOf(c) >= before && refusal.test(cardText(c.activity)),
        5000,
        `refusal of ${text}`,
      );
    }
    expect(h.connector.calls.filter((c) => /Why is the access needed/.test(cardText(c.activity)))).toEqual([]);
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('a wrong answer is re-asked as plain text that quotes it without a live link or mention', async () => {
    await h.say(users.requester, 'grant aks-prod', 'personal');
    await h.connector.waitFor((c) => /Which registry/.test(cardText(c.activity)), 5000, 'registry question');
    await h.say(users.requester, '[Approve](https://evil.example/login)', 'personal');
    const reask = await h.connector.waitFor(
      (c) => /not a valid registry name/.test(cardText(c.activity)),
      5000,
      'registry re-ask',
    );
    const activity = reask.activity as { text?: string; textFormat?: string };
    expect(activity.textFormat).toBe('plain');
    expect(activity.text).not.toMatch(/\]\(|https?:\/\//);
    await h.say(users.requester, 'cancel', 'personal');
  });

  test('a --for that can never be a term is refused before the first question, and nothing is stored', async () => {
    await h.say(users.requester, 'grant aks-prod contosoacr --for 999y', 'personal');
    await h.connector.waitFor((c) => /longer than the maximum access/.test(cardText(c.activity)), 5000, 'refusal');
    await h.say(users.requester, 'nightly batch needs images', 'personal');
    // No dialog was started: the next message is read as a command, not as the reason.
    await h.connector.waitFor((c) => /Unknown command/.test(cardText(c.activity)), 5000, 'no dialog');
    expect(h.connector.calls.filter((c) => /Why is the access needed/.test(cardText(c.activity)))).toEqual([]);
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
  });

  test('the card form: answered at once (G16), then errors keep the values and a valid form becomes the plan card', async () => {
    const form = await grantFormPosted(h);
    const formUpdate = (pattern: RegExp) =>
      h.connector.waitFor(
        (c) => c.op === 'update' && c.activityId === form.activityId && pattern.test(cardText(c.activity)),
        5000,
        `form update ${pattern}`,
      );
    const armBefore = h.app.sandbox!.arm.requests.length;
    const bad = await clickInThread(
      h,
      users.requester,
      'grantForm',
      { form: 'grant', cluster: 'aks-prod', registry: 'nope', reason: 'deploy payments-api' },
      form.activityId,
    );
    expect(bad.status).toBe(200);
    // The invoke answer comes before any planning: no ARM call was needed to answer it.
    expect(cardText({ attachments: [{ content: bad.body.value }] })).toMatch(/Planning your request/);
    expect(h.app.sandbox!.arm.requests.length).toBe(armBefore);
    const badCard = await formUpdate(/not a valid registry name/);
    expect(JSON.stringify(badCard.activity)).toContain('"value":"aks-prod"');
    const good = await clickInThread(
      h,
      users.requester,
      'grantForm',
      { form: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: 'deploy payments-api' },
      form.activityId,
    );
    expect(cardText({ attachments: [{ content: good.body.value }] })).toMatch(/Planning your request/);
    await formUpdate(/Pending approval/);
    await h.app.services.background.drain();
    const [pending] = await h.app.store.listByState(['pending']);
    expect((await h.app.store.listCardCopies(pending.id)).map((c) => c.activityId)).toContain(form.activityId);
  });

  /** The requester asks for the grant form and submits a valid one; resolves once its planning ran. */
  async function submitValidForm() {
    const form = await grantFormPosted(h);
    await clickInThread(
      h,
      users.requester,
      'grantForm',
      { form: 'grant', cluster: 'aks-prod', registry: 'contosoacr', reason: 'deploy payments-api' },
      form.activityId,
    );
    await h.app.services.background.drain();
    return form;
  }

  test('a stored request whose requester copy cannot be recorded still reaches its approvers, and the requester is told where it is', async () => {
    await h.stop();
    // The store refuses to record the requester's copy (a storage hiccup after the request was stored).
    const store = new MemoryRequestStore();
    const add = store.addCardCopy.bind(store);
    store.addCardCopy = (copy) =>
      copy.role === 'requester' ? Promise.reject(new Error('card table offline')) : add(copy);
    h = await startHarness({}, { stores: { requests: store } });
    const form = await submitValidForm();
    const [pending] = await store.listByState(['pending']);
    expect((await store.listCardCopies(pending.id)).map((c) => c.role)).toEqual(['approver']);
    await h.connector.waitFor(
      (c) => c.conversationId.startsWith('19:sandbox-approvals') && cardText(c.activity).includes(pending.id),
      5000,
      'approval card',
    );
    await h.connector.waitFor(
      (c) => new RegExp(`${pending.id} is stored, but its card could not be shown here`).test(cardText(c.activity)),
      5000,
      'note to the requester',
    );
    const logged = h.logs.lines.filter((l) => l.includes('card table offline'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("the requester's copy of a stored request could not be shown");
  });

  test('a grant form whose planning fails before a request exists shows the error and its reference in place of "Planning…"', async () => {
    await h.stop();
    const store = new MemoryRequestStore();
    store.countByRequester = () => Promise.reject(new Error('request table offline'));
    h = await startHarness({}, { stores: { requests: store } });
    const form = await submitValidForm();
    const update = await h.connector.waitFor(
      (c) => c.op === 'update' && c.activityId === form.activityId,
      5000,
      'the form replaced',
    );
    expect(cardText(update.activity)).toMatch(/Could not plan that request/);
    const logged = h.logs.lines.filter((l) => l.includes('request table offline'));
    expect(logged).toHaveLength(1);
    expect(cardText(update.activity)).toContain(JSON.parse(logged[0]).ref);
    expect(await store.listByState(['pending'])).toEqual([]);
  });

  test('help lists every command with an example', async () => {
    await h.say(users.requester, 'help');
    const reply = await h.connector.waitFor((c) => /acrbot commands/.test(cardText(c.activity)), 5000, 'help');
    for (const verb of ['grant', 'secret', 'status', 'pending', 'audit', 'cancel'])
      expect(cardText(reply.activity)).toContain(`Example: @acrbot ${verb}`);
  });

  test('status shows a request to its requester; pending lists it for approvers only', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    h.connector.clear();
    await h.say(users.requester, `status ${request.id}`);
    await h.connector.waitFor(
      (c) => /Pending approval/.test(cardText(c.activity)) && cardText(c.activity).includes(request.id),
      5000,
      'status card',
    );
    await h.say(users.outsider, 'pending');
    await h.connector.waitFor((c) => /Approvers only/.test(cardText(c.activity)), 5000, 'pending refused');
    const beforeListing = h.connector.calls.length;
    // In a chat with acrbot: request cards go only where approvers alone read (approvers-audience.ts).
    await h.say(users.approver, 'pending', 'personal');
    const listed = await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= beforeListing &&
        /"verb":"refresh"/.test(JSON.stringify(c.activity)) &&
        cardText(c.activity).includes(request.id),
      5000,
      'pending card',
    );
    // No break-glass grant waits for review, so the count line does not say there are some.
    const count = h.connector.calls.find((c) => /waiting for approval/.test(cardText(c.activity)))!;
    expect(cardText(count.activity)).toMatch(/^1 request waiting for approval:$/);
    expect((await h.app.store.listCardCopies(request.id)).map((c) => c.activityId)).toContain(listed.activityId);

    // One request by its id (the tab's "Open in chat to approve"): its card, with the buttons in
    // the approvers' own view; refused to a non-approver. Not tracked: the list's copy in this
    // chat is (one tracked copy per conversation).
    const before = h.connector.calls.length;
    await h.say(users.outsider, `pending ${request.id}`);
    await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= before &&
        cardText(c.activity).includes(`Only the approvers of request ${request.id} can decide it`),
      5000,
      'pending R-… refused',
    );
    await h.say(users.approver, `pending ${request.id.toLowerCase()}`, 'personal');
    const one = await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= before &&
        /"verb":"refresh"/.test(JSON.stringify(c.activity)) &&
        cardText(c.activity).includes(request.id),
      5000,
      'the one pending card',
    );
    const copies = (await h.app.store.listCardCopies(request.id)).map((c) => c.activityId);
    expect(copies).toContain(listed.activityId);
    expect(copies).not.toContain(one.activityId);
    // That card alone, not the list (which starts with "N requests waiting").
    expect(h.connector.calls.slice(before).filter((c) => /waiting for approval/.test(cardText(c.activity)))).toEqual(
      [],
    );
  });

  test('a rejection asks for a reason, then records it; the request is rejected everywhere', async () => {
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const asked = await h.click(users.approver, 'reject', { requestId: request.id });
    expect(cardText({ attachments: [{ content: asked.body.value }] })).toContain('reason for rejecting');
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    const res = await h.click(users.approver, 'reject', {
      requestId: request.id,
      comment: 'use the staging registry instead',
    });
    expect(cardText({ attachments: [{ content: res.body.value }] })).toContain('Rejected');
    const stored = (await h.app.store.get(request.id))!;
    expect(stored.state).toBe('rejected');
    expect(stored.decision?.reason).toBe('use the staging registry instead');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('refresh shows the stored state of a request whatever the card said; to others only its state (#11)', async () => {
    const cardOf = (res: { body: any }) => cardText({ attachments: [{ content: res.body?.value }] });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const pending = await h.click(users.requester, 'refresh', { requestId: request.id, version: 99 });
    expect(pending.status).toBe(200);
    expect(cardOf(pending)).toContain(request.id);
    expect(cardOf(pending)).toContain('Pending approval');
    const outsider = await h.click(users.outsider, 'refresh', { requestId: request.id, version: 99 });
    expect(cardOf(outsider)).toContain(`${request.id}`);
    expect(cardOf(outsider)).toContain('waiting for approval');
    expect(cardOf(outsider)).not.toContain('deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.settle(request.id);
    const granted = await h.click(users.requester, 'refresh', { requestId: request.id });
    expect(cardOf(granted)).toContain('Granted');
    expect(cardOf(granted)).not.toContain('Pending approval');
    const missing = await h.click(users.requester, 'refresh', { requestId: 'R-22222222' });
    expect(cardOf(missing)).toContain('There is no request R-22222222');
  });
});

/**
 * G18 through Teams: the policy file decides where the approval card goes, who may approve and
 * how many approvals a request needs; auto-approval and break-glass run at once and are audited
 * with the rule that made them; `policy CLUSTER REGISTRY` answers before anyone asks.
 */
import { once, EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  SANDBOX_APPROVER_GROUP_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_ONCALL_GROUP_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_USERS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { REQUEST_STATES } from '../../src/domain/request';
import { createLogger } from '../../src/observability/logger';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const PROD_CHANNEL = '19:prod-approvals@thread.tacv2';
const SECURITY_CHANNEL = '19:security@thread.tacv2';
const sam = SANDBOX_USERS.secondApprover as TeamsUser;
const olive = SANDBOX_USERS.oncall as TeamsUser;

const POLICY = `version: 1
rules:
  - id: prod-two
    match: { cluster: "aks-prod*", registry: "contoso*", clusterTags: { env: prod } }
    approvers: { name: Platform Approvers, groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
    approvalsRequired: 2
    channel: "${PROD_CHANNEL}"
  - id: dev-auto
    match: { clusterTags: { env: dev } }
    approvers: { groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }
    autoApprove: { maxDuration: 7d }
  - id: default
    match: {}
    approvers: { users: ["${SANDBOX_USERS.approver.objectId}"] }
breakGlass:
  groups: ["${SANDBOX_ONCALL_GROUP_ID}"]
  maxDuration: 4h
  channel: "${SECURITY_CHANNEL}"
`;

function invokeText(res: { body: any }): string {
  return cardText({ attachments: [{ content: res.body?.value }] });
}

describe('G18: the approval policy', () => {
  let h: Harness;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'acrbot-policy-int-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await h?.stop();
  });
  const start = () => startHarness({ ACRBOT_POLICY: join(dir, 'policy.yaml') });
  const creates = () =>
    h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === 'roleAssignments.create').length;

  test('G18: two-approver quorum — card in the rule channel names the rule; same approver twice and the requester refused; the second approval grants', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(request.policy).toMatchObject({ ruleId: 'prod-two', approvalsRequired: 2 });
    const posted = await h.connector.waitFor(
      (c) => c.conversationId === PROD_CHANNEL && cardText(c.activity).includes(request.id),
      5000,
      'approval card in the rule channel',
    );
    expect(cardText(posted.activity)).toContain(
      'Rule prod-two: needs 2 approvals from Platform Approvers; 0 of 2 so far',
    );

    const first = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(invokeText(first)).toContain('1 of 2 so far: Alex Approver');
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    expect(creates()).toBe(0);

    const twice = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(invokeText(twice)).toMatch(/You already approved request/);
    const self = await h.click(users.requester, 'approve', { requestId: request.id });
    expect(invokeText(self)).toMatch(/someone else must approve/);
    const outsider = await h.click(users.outsider, 'approve', { requestId: request.id });
    expect(invokeText(outsider)).toMatch(/Only approvers/);

    await h.click(sam, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.approvals?.map((a) => a.by.name)).toEqual(['Alex Approver', 'Megan Developer']);
    expect(creates()).toBe(1);
    const entries = await h.app.audit.forRequest(request.id);
    const policyHash = h.app.config.policy.hash;
    expect(entries.filter((e) => e.action === 'approval.recorded')).toEqual([
      expect.objectContaining({ ruleId: 'prod-two', policyHash, outcome: '1 of 2' }),
    ]);
    expect(entries.filter((e) => e.action === 'request.approved')).toEqual([
      expect.objectContaining({
        ruleId: 'prod-two',
        policyHash,
        actor: expect.objectContaining({ name: 'Megan Developer' }),
      }),
    ]);
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['approval.refused.twice', 'approval.refused.self', 'approval.refused.notApprover']),
    );
  });

  test('G18: auto-approve executes at once, recorded as decided by the rule', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    // Decided when stored (it may already be running by the time the test reads it).
    expect(request.state).not.toBe('pending');
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(done.decision?.by.name).toBe('rule dev-auto');
    // Still time-boxed: at most the rule's 7 days, with an end the lifecycle revokes at.
    expect(done.access?.durationMs).toBeLessThanOrEqual(7 * 86_400_000);
    expect(done.access?.expiresAt).toBeDefined();
    const decision = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.approved');
    expect(decision).toMatchObject({ ruleId: 'dev-auto', policyHash: h.app.config.policy.hash });
  });

  test('G18: an extension is bound to the rule that fits the cluster’s tags now: retagged from dev to prod, it is not auto-approved', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-dev contosoacr --for 1d deploy payments-api');
    expect((await h.settle(request.id)).decision?.by.name).toBe('rule dev-auto');
    // The platform team moves aks-dev to prod duties: its tag says so now.
    h.app.sandbox!.arm.state.getCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev))!.tags = { env: 'prod' };
    const extension = await h.app.services.lifecycle.actions.createExtension({
      actor: { objectId: users.requester.objectId, name: users.requester.name },
      tenantId: SANDBOX_TENANT_ID,
      originalId: request.id,
      duration: '7d',
      reason: 'release still running',
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
    });
    expect(extension).toMatchObject({ state: 'pending', policy: { ruleId: 'default' } });
    expect((extension.plan.cluster as { tags?: Record<string, string> }).tags).toEqual({ env: 'prod' });
  });

  test('an extension of access to a cluster deleted since is refused (extend.resourceGone), stores nothing and is audited as a refused extend', async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-dev contosoacr --for 1d deploy payments-api');
    expect((await h.settle(request.id)).state).toBe('succeeded');
    expect(h.app.sandbox!.arm.state.removeCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev))).toBe(true);
    const before = (await h.app.store.listByRequester(users.requester.objectId, [...REQUEST_STATES])).length;
    await expect(
      h.app.services.lifecycle.actions.createExtension({
        actor: { objectId: users.requester.objectId, name: users.requester.name },
        tenantId: SANDBOX_TENANT_ID,
        originalId: request.id,
        duration: '7d',
        reason: 'release still running',
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      }),
    ).rejects.toMatchObject({
      code: 'extend.resourceGone',
      message: expect.stringMatching(
        /^Cluster aks-dev no longer exists \(deleted\), so there is no access to extend\. If it is created again, ask again with "@acrbot grant aks-dev/,
      ),
    });
    expect(await h.app.store.listByRequester(users.requester.objectId, [...REQUEST_STATES])).toHaveLength(before);
    expect((await h.app.audit.latest(1))[0]).toMatchObject({
      action: 'extend.refused',
      outcome: 'extend.resourceGone',
      actor: expect.objectContaining({ objectId: users.requester.objectId }),
    });
  });

  test("revoke CLUSTER REGISTRY by an approver of another rule: nothing is offered they may not revoke, and no other rule's requester is shown", async () => {
    h = await start();
    const request = await h.requestGrant(users.requester, 'aks-legacy contosoacr batch jobs need images');
    expect(request.policy).toMatchObject({ ruleId: 'default' });
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
    // Megan approves under prod-two only.
    const before = h.connector.calls.length;
    await h.say(sam, 'revoke aks-legacy contosoacr incident 42 investigating');
    const answer = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /revoke/i.test(cardText(c.activity)),
      5000,
      'the answer to the pair revoke',
    );
    const text = cardText(answer.activity);
    expect(text).toContain('Nothing you may revoke');
    expect(text).toContain(
      'under rule default, whose approvers (or the requester) can revoke it; nothing was changed.',
    );
    expect(text).not.toContain(users.requester.name);
    expect(JSON.stringify(answer.activity)).not.toContain('revokeConfirm');
    // Its approver gets the card to revoke it.
    const mark = h.connector.calls.length;
    await h.say(users.approver, 'revoke aks-legacy contosoacr incident 42 investigating');
    const offered = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= mark && /Revoke 1 acrbot request/.test(cardText(c.activity)),
      5000,
      'the revoke card for its approver',
    );
    expect(JSON.stringify(offered.activity)).toContain(request.id);
  });

  test('break-glass whose alert channel refuses the card still runs; the requester is told, and the approvers get its review', async () => {
    h = await start();
    h.connector.refusing.add(SECURITY_CHANNEL);
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    await h.connector.waitFor(
      (c) => cardText(c.activity).includes(`Break-glass request ${request.id} runs, but its alert could not be posted`),
      5000,
      'the requester told',
    );
    expect((await h.settle(request.id)).state).toBe('succeeded');
    await h.connector.waitFor(
      (c) => c.conversationId === PROD_CHANNEL && cardText(c.activity).includes(request.id),
      5000,
      "the approvers' copy with the review",
    );
    expect(h.logs.entries().filter((e) => e.msg === 'the break-glass alert could not be posted')).toHaveLength(1);
  });

  test('G18: break-glass by an on-call member runs at once, alerts the security channel, and a review is owed; a non-member is refused', async () => {
    h = await start();
    const refused = h.connector.calls.length;
    await h.say(users.requester, 'grant aks-prod contosoacr --break-glass prod is down');
    await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= refused && /Only members of the break-glass groups/.test(cardText(c.activity)),
      5000,
      'break-glass refusal',
    );
    expect((await h.app.audit.latest(1))[0].action).toBe('breakglass.refused');

    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect(request.policy).toMatchObject({ ruleId: 'break-glass', breakGlass: true });
    expect(request.access?.durationMs).toBe(4 * 3_600_000);
    await h.connector.waitFor(
      (c) =>
        c.conversationId === SECURITY_CHANNEL && /BREAK-GLASS used: .* by Adele Operator/.test(cardText(c.activity)),
      5000,
      'the loud break-glass card',
    );
    expect((await h.settle(request.id)).state).toBe('succeeded');
    expect(creates()).toBe(1);
    const decision = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'request.approved');
    expect(decision).toMatchObject({
      ruleId: 'break-glass',
      actor: expect.objectContaining({ name: 'Adele Operator' }),
    });

    // Approvers find it with "pending" (break-glass grants to review come first), in a chat with
    // acrbot: request cards go only where approvers alone read (approvers-audience.ts).
    const listed = h.connector.calls.length;
    await h.say(users.approver, 'pending', 'personal');
    await h.connector.waitFor(
      (c) =>
        h.connector.calls.indexOf(c) >= listed &&
        cardText(c.activity).includes(request.id) &&
        /BREAK-GLASS/.test(cardText(c.activity)),
      5000,
      'the review card in the pending list',
    );

    // The review: Olive cannot review her own; an approver keeps it.
    const own = await h.click(olive, 'approve', { requestId: request.id });
    expect(invokeText(own)).toMatch(/an approver must review it/);
    const kept = await h.click(users.approver, 'approve', { requestId: request.id, comment: 'real incident' });
    expect(invokeText(kept)).toMatch(/Review recorded: the break-glass grant stays/);
    expect((await h.app.store.get(request.id))!.policy?.review).toMatchObject({ outcome: 'accepted' });
  });

  test('G18: break-glass review "reject" revokes at once (the role assignment acrbot created is deleted)', async () => {
    h = await start();
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const mine = () =>
      h.app
        .sandbox!.arm.state.listRoleAssignments()
        .filter(
          (a: { name: string }) => a.name === (request.plan as { roleAssignmentName: string }).roleAssignmentName,
        );
    expect(mine()).toHaveLength(1);
    const res = await h.click(users.approver, 'reject', { requestId: request.id, comment: 'not an emergency' });
    expect(invokeText(res)).toMatch(/rejected and revoked/);
    // The click's answer waits for the revocation (the review runs the revoke job at once).
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(mine()).toHaveLength(0);
    const actions = (await h.app.audit.forRequest(request.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['breakglass.review.rejected', 'access.revoke.requested']));
  });

  test('break-glass revoked by its user before its review: Reject records that the use was not justified, and asks for no revocation', async () => {
    h = await start();
    const request = await h.requestGrant(olive, 'aks-prod contosoacr --break-glass prod is down, image pull failing');
    expect((await h.settle(request.id)).state).toBe('succeeded');
    await h.say(olive, `revoke ${request.id} incident over`);
    await h.connector.waitFor((c) => /Revoke .*\?/.test(cardText(c.activity)), 5000, 'confirmation card');
    await h.click(olive, 'revokeConfirm', { requestId: request.id, reason: 'incident over' });
    await h.app.services.background.drain();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    const revokes = async () =>
      (await h.app.audit.forRequest(request.id)).filter((e) => e.action === 'access.revoke.requested');
    expect(await revokes()).toHaveLength(1);

    // The approvers' card offers the review of the use, not a revocation.
    const listed = h.connector.calls.length;
    await h.say(users.approver, `pending ${request.id}`, 'personal');
    const card = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= listed && cardText(c.activity).includes('must still review its use'),
      5000,
      'the review card of the revoked grant',
    );
    expect(cardText(card.activity)).not.toMatch(/Reject revokes it/);

    const answer = await h.click(users.approver, 'reject', { requestId: request.id, comment: 'not an emergency' });
    // The approver is told what the review did: judged the use, revoked nothing more.
    expect(invokeText(answer)).toMatch(/its use was not justified; its access had already ended/);
    expect(invokeText(answer)).not.toMatch(/rejected and revoked/);
    await h.app.services.background.drain();
    const done = (await h.app.store.get(request.id))!;
    expect(done.policy?.review).toMatchObject({ outcome: 'rejected', reason: 'not an emergency', useOnly: true });
    expect(done.access?.revokedBy?.objectId).toBe(olive.objectId);
    const trail = (await h.app.audit.forRequest(request.id)).map((e) => e.action);
    expect(trail).toContain('breakglass.review.rejected');
    const review = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'breakglass.review.rejected');
    expect(review?.detail).toBe('use only, its access had already ended: not an emergency');
    // Only Olive's revocation: the review asked for none.
    expect(await revokes()).toHaveLength(1);
  });

  test('G18: SIGHUP reloads the file; a pending request keeps the rule and hash it was created under', async () => {
    // ACRBOT_POLICY names a link to a file in another folder: the watcher (on the link's folder)
    // never sees that file change, so only the SIGHUP can make acrbot read it again.
    const real = mkdtempSync(join(dir, 'real-'));
    const linked = mkdtempSync(join(dir, 'linked-'));
    const file = join(real, 'reload.yaml');
    writeFileSync(file, POLICY);
    symlinkSync(file, join(linked, 'reload.yaml'));
    const reloads = new EventEmitter();
    const warnings: { msg: string; policyRule?: string; level: number }[] = [];
    const logs = new Writable({
      write(chunk, _enc, done) {
        const line = JSON.parse(String(chunk)) as { msg: string; policyRule?: string; level: number };
        if (line.msg === 'approval policy reloaded') reloads.emit('reloaded');
        if (line.msg.startsWith('approval policy: ')) warnings.push(line);
        done();
      },
    });
    h = await startHarness(
      { ACRBOT_POLICY: join(linked, 'reload.yaml') },
      { logger: createLogger({ level: 'debug', destination: logs }) },
    );
    // dev-auto auto-approves on cluster tags alone: loaded, and said once at start.
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        policyRule: 'dev-auto',
        msg: expect.stringContaining('cluster facts alone'),
      }),
    ]);
    const pending = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const before = h.app.services.requests.currentPolicy().hash;
    // The new file: production needs a single approval, and only from Oscar.
    writeFileSync(
      file,
      POLICY.replace('approvalsRequired: 2', 'approvalsRequired: 1').replace(
        `groups: ["${SANDBOX_APPROVER_GROUP_ID}"] }\n    approvalsRequired`,
        `users: ["${SANDBOX_USERS.outsider.objectId}"] }\n    approvalsRequired`,
      ),
    );
    // The reload takes the file once two reads a moment apart agree (it may be mid-write).
    const reloaded = once(reloads, 'reloaded', { signal: AbortSignal.timeout(20_000) }).catch(() => {
      throw new Error('SIGHUP did not reload the policy');
    });
    process.emit('SIGHUP');
    await reloaded;
    // The new file has the same dev-auto rule: said again, once, for the file the reload took.
    expect(warnings.map((w) => w.policyRule)).toEqual(['dev-auto', 'dev-auto']);
    const after = h.app.services.requests.currentPolicy();
    expect(after.hash).not.toBe(before);
    expect(after.rules[0]).toMatchObject({
      approvalsRequired: 1,
      approvers: { users: [SANDBOX_USERS.outsider.objectId] },
    });
    // The pending request: still two approvals from its own group; Oscar, the new file's approver,
    // is not its approver, and is told it keeps those it was made with.
    expect(invokeText(await h.click(users.outsider, 'approve', { requestId: pending.id }))).toContain(
      `Request ${pending.id} keeps the approvers rule prod-two had when it was made, before the approval policy changed`,
    );
    expect(invokeText(await h.click(users.approver, 'approve', { requestId: pending.id }))).toContain('1 of 2 so far');
    await h.click(sam, 'approve', { requestId: pending.id });
    expect((await h.settle(pending.id)).state).toBe('succeeded');
    const decision = (await h.app.audit.forRequest(pending.id)).find((e) => e.action === 'request.approved');
    expect(decision).toMatchObject({ ruleId: 'prod-two', policyHash: before });
    // A new request follows the new file.
    const fresh = await h.requestGrant(users.requester, 'aks-prod contosoabac deploy payments-api');
    expect(fresh.policy).toMatchObject({ policyHash: after.hash });
  });

  test('policy CLUSTER REGISTRY shows the rule that applies and who can approve', async () => {
    h = await start();
    const before = h.connector.calls.length;
    await h.say(users.requester, 'policy aks-prod contosoacr');
    const reply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && /Approval policy for aks-prod/.test(cardText(c.activity)),
      5000,
      'the policy card',
    );
    const text = cardText(reply.activity);
    expect(text).toContain('Rule prod-two applies');
    expect(text).toContain('2 approvals from different people from Platform Approvers');
    expect(text).toContain(SANDBOX_APPROVER_GROUP_ID);
    expect(text).toContain(PROD_CHANNEL);
    const dev = h.connector.calls.length;
    await h.say(users.requester, 'policy aks-dev contosoacr');
    const devReply = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= dev && /Approval policy for aks-dev/.test(cardText(c.activity)),
      5000,
      'the dev policy card',
    );
    expect(cardText(devReply.activity)).toContain('automatic (no human needed), for at most 7 days');
  });

  test("a pause of new access is posted once in every approvers' channel of the policy (default, rule, break-glass), and stops its auto-approving rule", async () => {
    h = await start();
    const before = h.connector.calls.length;
    await h.say(users.approver, 'pause unexpected grants on prod, investigating');
    const postsIn = (channel: string) =>
      h.connector.calls
        .slice(before)
        .filter(
          (c) =>
            c.op !== 'update' && c.conversationId.startsWith(channel) && /New access paused/.test(cardText(c.activity)),
        );
    const channels = ['19:sandbox-approvals', PROD_CHANNEL, SECURITY_CHANNEL];
    await h.connector.waitFor(
      () => channels.every((channel) => postsIn(channel).length > 0),
      5000,
      'the pause posted in the approvals, rule and break-glass channels',
    );
    for (const channel of channels) {
      expect(postsIn(channel)).toHaveLength(1);
      expect(cardText(postsIn(channel)[0].activity)).toContain('Reason\nunexpected grants on prod, investigating');
    }
    // aks-dev is tagged env=dev: rule dev-auto would approve it at once; paused, nothing is filed.
    const filed = await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded']);
    const asked = h.connector.calls.length;
    await h.say(users.requester, 'grant aks-dev contosoacr deploy payments-api to dev');
    await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= asked && /New access is paused since/.test(cardText(c.activity)),
      5000,
      'the refusal',
    );
    expect(await h.app.store.listByState(['pending', 'approved', 'executing', 'succeeded'])).toHaveLength(filed.length);
    expect(creates()).toBe(0);
  });
});

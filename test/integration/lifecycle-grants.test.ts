/**
 * G17 end to end, grants: access that revokes itself at its end, overlapping grants that keep a
 * shared assignment, revoke by the requester or an approver, and revocations retried and
 * reported — through the real server, the scheduler and the sandbox emulators, with a test clock
 * (no sleeps: the test moves time and runs the due jobs). Shared steps: test/helpers/lifecycle.ts.
 */
import { SANDBOX_APPROVAL_CHANNEL_ID, SANDBOX_CLUSTERS } from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { users } from '../helpers/harness';
import {
  useLifecycleHooks,
  h,
  advance,
  start,
  contosoId,
  MINUTE,
  second,
  assignmentsOn,
  grant,
  outcomeSent,
  actions,
  stateOnceClickWorkDone,
  approveAndHoldAfterItsCheck,
  approveDuring,
  scheduleOf,
  jobOf,
} from '../helpers/lifecycle';

describe('access lifecycle (G17)', () => {
  useLifecycleHooks();

  test('a grant --for 2m is revoked by itself at its end: assignment deleted, audit step by step, every card copy updated, requester told', async () => {
    await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    expect(request.access).toEqual({ durationMs: 2 * MINUTE });
    const planCard = h.connector.calls.find((c) => c.op !== 'update' && cardText(c.activity).includes(request.id))!;
    expect(cardText(planCard.activity)).toContain('2 minutes from when it is granted');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const granted = await h.settle(request.id);
    expect(granted.access?.expiresAt).toBe('2026-11-30T10:02:00.000Z');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    await h.connector.waitFor(
      (c) =>
        /Pull access granted/.test(cardText(c.activity)) &&
        /until 2026-11-30 10:02 UTC, 2 minutes/.test(cardText(c.activity)),
      5000,
      'outcome card with the access term',
    );

    // One minute before the end nothing happens: never early.
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);

    advance(MINUTE);
    expect(await h.app.scheduler.runDue()).toBeGreaterThanOrEqual(1);
    const revoked = (await h.app.store.get(request.id))!;
    expect(revoked.state).toBe('revoked');
    expect(revoked.access?.revokedAt).toBe('2026-11-30T10:02:00.000Z');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(await actions(request.id)).toEqual(
      expect.arrayContaining(['access.revoke.roleAssignment:deleted', 'access.expired:revoked']),
    );
    // Every copy (requester's and approvers') says so, and the requester got a message.
    for (const copy of (await h.app.store.listCardCopies(request.id)).filter((c) => c.role !== 'audit'))
      expect(
        h.connector.calls.some(
          (c) =>
            c.op === 'update' &&
            c.activityId === copy.activityId &&
            /Expired and revoked at 2026-11-30 10:02 UTC/.test(cardText(c.activity)),
        ),
      ).toBe(true);
    await h.connector.waitFor(
      (c) => c.op !== 'update' && /Expired and revoked: /.test(cardText(c.activity)),
      5000,
      'requester told',
    );
    // The job is gone: a later sweep does nothing more.
    expect(await h.app.scheduler.runDue()).toBe(0);
  });

  test('G12: a revoke reason that looks like a secret is refused, typed or forged on the card, and nothing is revoked', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const secretLike = 'AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0==';
    h.connector.clear();
    await h.say(users.requester, `revoke ${request.id} ${secretLike}`);
    const refusal = await h.connector.waitFor((c) => /Could not revoke/.test(cardText(c.activity)), 5000, 'refusal');
    expect(JSON.stringify(refusal.activity)).not.toContain('c2VjcmV0');
    const forged = await h.click(users.requester, 'revokeConfirm', { requestId: request.id, reason: secretLike });
    expect(JSON.stringify(forged.body)).toMatch(/Could not revoke/);
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    expect(JSON.stringify(await h.app.audit.forRequest(request.id))).not.toContain('c2VjcmV0');
  });

  test('revoke or extend of a request still waiting for approval: said as waiting, with the command that fits', async () => {
    await start();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const answer = async (text: string, title: RegExp) => {
      h.connector.clear();
      await h.say(users.requester, text);
      return cardText((await h.connector.waitFor((c) => title.test(cardText(c.activity)), 5000, 'refusal')).activity);
    };
    expect(await answer(`revoke ${request.id} no longer needed at all`, /Could not revoke/)).toContain(
      `Request ${request.id} has no access to revoke yet: it is waiting for approval. Withdraw it with "@acrbot cancel ${request.id}" instead; nothing was changed.`,
    );
    const extend = await answer(`extend ${request.id} --for 1d release still running`, /Could not extend/);
    expect(extend).toContain(
      `Request ${request.id} is still waiting for approval, so there is no access to extend yet`,
    );
    expect(extend).toContain(`withdraw it with "@acrbot cancel ${request.id}"`);
    expect(extend).not.toMatch(/it is pending|ask for a new one/);
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
  });

  test('a confirmation naming several requests, clicked by a requester who is no approver: each refusal a sentence with the command for one', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const other = await grant(users.requester, 'aks-dev contosoacr --for 30d deploy payments-api');
    const res = await h.click(users.requester, 'revokeConfirm', { requestId: `${first.id},${other.id}` });
    const text = cardText({ attachments: [{ content: res.body?.value }] });
    for (const id of [first.id, other.id])
      expect(text).toContain(
        `${id}: Only approvers may revoke several requests at once; revoke this one on its own with "@acrbot revoke ${id}".`,
      );
    expect((await h.app.store.get(first.id))!.state).toBe('succeeded');
  });

  test('the requester is told when a request is approved (by its outcome), rejected or expires without a decision', async () => {
    await start();
    const approved = await grant(users.requester, 'aks-prod contosoacr --for 1h deploy payments-api');
    // Granted within the "executing" hold: the outcome says who approved, in place of separate
    // "approved" news (a slower run sends that news: test/unit/card-messenger-batching.test.ts).
    await h.connector.waitFor(
      (c) =>
        c.op !== 'update' &&
        new RegExp(`Pull access granted[\\s\\S]*${approved.id}[\\s\\S]*Approved by\\n${users.approver.name}`).test(
          cardText(c.activity),
        ),
      5000,
      'outcome naming the approver',
    );
    const rejected = await h.requestGrant(users.requester, 'aks-dev contosoacr --for 1h deploy payments-api');
    await h.click(users.approver, 'reject', { requestId: rejected.id, comment: 'use the dev registry' });
    await h.connector.waitFor(
      (c) => c.op !== 'update' && new RegExp(`Rejected: ${rejected.id}`).test(cardText(c.activity)),
      5000,
      'rejected news',
    );
    const unanswered = await h.requestGrant(users.requester, 'aks-legacy contosoacr --for 1h deploy payments-api');
    advance(24 * 60 * MINUTE + MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(unanswered.id))!.state).toBe('expired');
    await h.connector.waitFor(
      (c) => c.op !== 'update' && new RegExp(`Expired without a decision: ${unanswered.id}`).test(cardText(c.activity)),
      5000,
      'expired news',
    );
  });

  test('overlapping grants by two requesters: the assignment stays until the last one ends', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 2m first team deploys');
    advance(MINUTE);
    const overlap = await grant(second, 'aks-prod contosoacr --for 5m second team deploys');
    expect(assignmentsOn(contosoId)).toHaveLength(1);

    advance(MINUTE); // the first ends
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    expect(await actions(first.id)).toContain('access.revoke.roleAssignment:kept');

    advance(4 * MINUTE); // the second ends
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(overlap.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(await actions(overlap.id)).toContain('access.revoke.roleAssignment:deleted');
  });

  test('a second requester\u2019s grant of the same assignment approved as the first one\u2019s expiry deletes it: its PUT waits and creates it again, never "granted" by an assignment about to go', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 2m first team deploys');
    const overlap = await h.requestGrant(second, 'aks-prod contosoacr --for 1h second team deploys');
    // The approver clicks once the expiry has read who else holds the assignment (nobody), before
    // it deletes it.
    const approval = approveDuring(overlap.id);
    const store = h.app.store;
    const listByRegistry = store.listByRegistry.bind(store);
    store.listByRegistry = async (registryId, states, limit) => {
      const listed = await listByRegistry(registryId, states, limit);
      if (states.join() === 'succeeded') await approval.now();
      return listed;
    };
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    store.listByRegistry = listByRegistry;
    const granted = await approval.finished();
    expect({
      first: (await store.get(first.id))!.state,
      second: granted.state,
      assignments: assignmentsOn(contosoId).length,
    }).toEqual({ first: 'revoked', second: 'succeeded', assignments: 1 });
  });

  test('an expiry waits while a second requester\u2019s grant of the same assignment is running, then keeps the assignment for it', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 2m first team deploys');
    // The held run below must stay within its lease (ACRBOT_LEASE_TTL, 60 s: nothing renews it
    // while the test clock jumps), so most of the first grant's term passes before it starts.
    advance(1.5 * MINUTE);
    const overlap = await h.requestGrant(second, 'aks-prod contosoacr --for 1h second team deploys');
    // The second grant's run is held just before its PUT (of the assignment the first one holds).
    const run = await approveAndHoldAfterItsCheck(overlap.id);
    advance(0.5 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first.id))!.state).toBe('succeeded');
    expect(await actions(first.id)).toContain('access.revoke.deferred:deferred');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    expect(await run.finish()).toMatchObject({ state: 'succeeded' });
    advance(MINUTE); // the retry after the backoff
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    expect(await actions(first.id)).toContain('access.revoke.roleAssignment:kept');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });

  test('a grant from another cluster with the same kubelet identity shares the assignment: the first grant\u2019s expiry keeps it for the other cluster', async () => {
    await start();
    // A second cluster whose kubelet runs as the same user-assigned identity as aks-prod's.
    const prod = SANDBOX_CLUSTERS.prod;
    h.app.sandbox!.arm.state.addCluster({
      subscriptionId: prod.subscriptionId,
      resourceGroup: prod.resourceGroup,
      name: 'aks-prod-east',
      identity: 'SystemAssigned',
      controlPlanePrincipalId: '0c000000-0000-4000-8000-0000000000c9',
      kubeletObjectId: prod.kubeletObjectId,
      kubeletClientId: prod.kubeletClientId,
      aad: true,
    });
    const first = await grant(users.requester, 'aks-prod contosoacr --for 2m first team deploys');
    const east = await grant(second, 'aks-prod-east contosoacr --for 1h east region deploys');
    expect(east.plan.kind === 'grant' && first.plan.kind === 'grant' && east.plan.roleAssignmentName).toBe(
      first.plan.kind === 'grant' && first.plan.roleAssignmentName,
    );
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    advance(2 * MINUTE); // the first ends
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    expect(await actions(first.id)).toContain('access.revoke.roleAssignment:kept');
    advance(58 * MINUTE); // the other cluster's grant ends: now the assignment goes
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(east.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('no reminder to extend access whose revocation began: it is ending, and an extension would be refused', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '2m' });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 5m deploy payments-api');
    // The revocation keeps failing: the request stays "succeeded", being revoked.
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 500, count: 1000 });
    await h.click(users.requester, 'revokeConfirm', { requestId: request.id, reason: 'not needed any more' });
    // The click answers "Revoking" before the revocation in the background marks the request.
    await h.app.services.background.drain();
    expect((await h.app.store.get(request.id))!).toMatchObject({
      state: 'succeeded',
      access: { revokingSince: expect.any(String) },
    });
    advance(3 * MINUTE);
    await h.app.scheduler.runDue();
    // The reminder's job ran and sent nothing.
    expect(await scheduleOf(request.id)).not.toContain(`access.remind:${request.id}:120000`);
    expect(await actions(request.id)).not.toContain('access.reminded:sent');
    expect(h.connector.calls.filter((c) => /Access ends in/.test(cardText(c.activity)))).toEqual([]);
  });

  test('asking again while one\u2019s own grant is being revoked makes a new request (not "extend it"), which keeps the assignment', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 500, count: 1000 });
    await h.click(users.requester, 'revokeConfirm', { requestId: first.id, reason: 'wrong cluster, I thought' });
    await h.app.services.background.drain();
    expect((await h.app.store.get(first.id))!.access?.revokingSince).toBeDefined();

    // Every message of the first request is out, so the next card with a request id is the new request's.
    await outcomeSent(first.id);
    const again = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d still deploying payments-api');
    expect(again).toMatchObject({ state: 'pending' });
    expect(again.id).not.toBe(first.id);
    expect(h.connector.calls.filter((c) => /Access already exists/.test(cardText(c.activity)))).toEqual([]);
    await h.click(users.approver, 'approve', { requestId: again.id });
    expect((await h.settle(again.id)).state).toBe('succeeded');

    // The first one's revocation finishes, keeping the assignment the new request holds.
    h.app.sandbox!.arm.faults.clear();
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    expect(await actions(first.id)).toContain('access.revoke.roleAssignment:kept');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });

  test('asking for an assignment whose grant has ended but is not revoked yet (its delete keeps failing) makes a new request, which keeps it', async () => {
    await start();
    const first = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(first.id);
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 500, count: 1000 });
    advance(3 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first.id))!).toMatchObject({
      state: 'succeeded',
      access: { revokingSince: expect.any(String) },
    });
    expect(assignmentsOn(contosoId)).toHaveLength(1);

    const again = await h.requestGrant(users.outsider, 'aks-prod contosoacr --for 1d batch jobs need images');
    expect(again).toMatchObject({ state: 'pending' });
    expect(h.connector.calls.filter((c) => /Access already exists/.test(cardText(c.activity)))).toEqual([]);
    await h.click(users.approver, 'approve', { requestId: again.id });
    expect((await h.settle(again.id)).state).toBe('succeeded');

    // The first one's revocation finishes and keeps the assignment for the new request.
    h.app.sandbox!.arm.faults.clear();
    advance(10 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first.id))!.state).toBe('revoked');
    expect(await actions(first.id)).toContain('access.revoke.roleAssignment:kept');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });

  // Changed deliberately (round forty-two): the revoke's job is written before its entry, so a
  // click whose entry cannot be written has stored a revoke that runs; it says so, not "Nothing
  // was revoked".
  test('a revoke click whose entry cannot be written says the revoke is stored and runs, with a reference', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    audit.append = async (event) => {
      if (event.action === 'access.revoke.requested') throw new Error('audit store unavailable');
      return append(event);
    };
    let res: Awaited<ReturnType<typeof h.click>>;
    try {
      res = await h.click(users.requester, 'revokeConfirm', { requestId: request.id, reason: 'not needed any more' });
    } finally {
      audit.append = append;
    }
    await h.app.services.background.drain();
    const text = cardText({ attachments: [{ content: res.body?.value }] });
    expect(text).toContain(`Revoking ${request.id}`);
    expect(text).not.toContain('Nothing was revoked');
    expect(text).toMatch(
      new RegExp(
        `${request.id}: The revoke of ${request.id} is stored and runs shortly .*reference for the platform team: `,
      ),
    );
    // Stored, due now, carrying who asked; not run by the click (the next sweep runs it).
    expect((await h.app.scheduler.get(`access.expire:${request.id}`))?.payload).toMatchObject({
      by: { objectId: users.requester.objectId },
      reason: 'not needed any more',
    });
    expect((await h.app.store.get(request.id))!.access?.revokingSince).toBeUndefined();
    expect(assignmentsOn(contosoId)).toHaveLength(1);
  });

  test('revoke by the requester: a confirmation card naming what will be deleted, then revoked at once', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    h.connector.clear();
    await h.say(users.requester, `revoke ${request.id} not needed any more`);
    const confirm = await h.connector.waitFor(
      (c) => /Revoke .*\?/.test(cardText(c.activity)),
      5000,
      'confirmation card',
    );
    expect(cardText(confirm.activity)).toContain('Delete role assignment AcrPull');
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    // An outsider cannot confirm it.
    const refused = await h.click(users.outsider, 'revokeConfirm', { requestId: request.id });
    expect(cardText({ attachments: [{ content: refused.body?.value }] })).toContain('Only the requester');
    // Audited like every refusal (G11): who tried, on which request, why it was refused.
    expect((await h.app.audit.forRequest(request.id)).find((e) => e.action === 'revoke.refused')).toMatchObject({
      actor: { objectId: users.outsider.objectId },
      outcome: 'revoke.notAllowed',
    });
    const res = await h.click(users.requester, 'revokeConfirm', {
      requestId: request.id,
      reason: 'not needed any more',
    });
    expect(cardText({ attachments: [{ content: res.body?.value }] })).toContain(`Revoking ${request.id}`);
    expect(await stateOnceClickWorkDone(request.id)).toBe('revoked');
    const done = (await h.app.store.get(request.id))!;
    expect(done.access?.revokedBy?.objectId).toBe(users.requester.objectId);
    expect(done.access?.revokeReason).toBe('not needed any more');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect(await actions(request.id)).toEqual(
      expect.arrayContaining(['access.revoke.requested:scheduled', 'access.revoked:revoked']),
    );
    await h.connector.waitFor(
      (c) => c.op === 'update' && new RegExp(`Revoked at .* by ${users.requester.name}`).test(cardText(c.activity)),
      5000,
      'cards updated with who revoked',
    );
  });

  test('revoke by an approver: anyone\u2019s request, and every acrbot grant on a cluster and registry', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    const overlap = await grant(second, 'aks-prod contosoacr --for 30d second team deploys');
    // Someone who is neither requester nor approver gets nothing.
    await h.say(users.outsider, 'revoke aks-prod contosoacr');
    await h.connector.waitFor(
      (c) => /Only approvers may revoke every grant/.test(cardText(c.activity)),
      5000,
      'refusal',
    );
    await h.say(users.approver, 'revoke aks-prod contosoacr incident 42');
    const confirm = await h.connector.waitFor(
      (c) => /Revoke 2 acrbot requests/.test(cardText(c.activity)),
      5000,
      'pair card',
    );
    expect(cardText(confirm.activity)).toContain(request.id);
    expect(cardText(confirm.activity)).toContain(overlap.id);
    // Both at once: overlapping grants must not each keep the assignment for the other.
    await h.click(users.approver, 'revokeConfirm', { requestId: `${request.id},${overlap.id}`, reason: 'incident 42' });
    expect(await stateOnceClickWorkDone(request.id)).toBe('revoked');
    expect(await stateOnceClickWorkDone(overlap.id)).toBe('revoked');
    expect((await h.app.store.get(request.id))!.access?.revokedBy?.objectId).toBe(users.approver.objectId);
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    await h.connector.waitFor(
      (c) => c.op !== 'update' && new RegExp(`${users.approver.name} revoked your access`).test(cardText(c.activity)),
      5000,
      'requester told who revoked',
    );
  });

  test("a pair's confirmation carrying as many ids as a pair lists (200) is read whole, not refused as invalid", async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    // 199 ids of requests that do not exist (well-formed), and the real one: 2,199 characters.
    const others = Array.from({ length: 199 }, (_, i) => `R-${String(i).padStart(8, '2').replace(/[01]/g, '3')}`);
    h.connector.clear();
    await h.click(users.approver, 'revokeConfirm', {
      requestId: [...others, request.id].join(','),
      reason: 'incident 42',
    });
    expect(await stateOnceClickWorkDone(request.id)).toBe('revoked');
    expect(h.connector.calls.some((c) => /did not carry valid request ids/.test(cardText(c.activity)))).toBe(false);
  });

  test('a revocation that gets a 5xx is retried with backoff, reported to the approvers, and completes', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    await outcomeSent(request.id);
    // More failures than the SDK's own retries: the job itself fails and is retried later.
    h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.delete', status: 500, count: 4 });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    const job = await jobOf(`access.expire:${request.id}`);
    expect(job).toMatchObject({ attempts: 1 });
    expect(job!.lastError).toBeTruthy();
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    // Its cards say it is under way, not granted as before.
    const marked = await h.connector.waitFor(
      (c) => c.op === 'update' && /Being revoked since 2026-11-30 10:02 UTC/.test(cardText(c.activity)),
      5000,
      'a card update saying it is being revoked',
    );
    expect(cardText(marked.activity)).toContain(request.id);
    // A mark, not an outcome: "Pull access granted" is not sent again.
    expect(
      h.connector.calls.filter((c) => c.op !== 'update' && /Pull access granted/.test(cardText(c.activity))),
    ).toHaveLength(1);
    const report = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Azure outage: 1 access end waiting/.test(cardText(c.activity)),
      5000,
      'report in the approvals channel',
    );
    expect(report.conversationId).toContain(SANDBOX_APPROVAL_CHANNEL_ID);
    // The outage's summary, not one request's failure.
    expect(cardText(report.activity)).not.toContain('Needs attention');
    // A 5xx is a temporary failure (an outage): its report says acrbot retries and the access ends
    // once Azure answers, not to delete by hand what Azure would not delete now either.
    expect(cardText(report.activity)).toMatch(
      /Revoking the access is not done after 1 attempt( \([^)]*\))?\. Azure answered 500[^:]*: a temporary failure \(most likely an Azure outage\)/,
    );
    expect(cardText(report.activity)).toContain('nothing is needed by hand unless it lasts');
    expect(cardText(report.activity)).not.toContain('passing');
    expect(cardText(report.activity)).not.toContain('delete it in Azure by hand');
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });
});

/**
 * G17 end to end: time-boxed grants and secrets that revoke themselves, overlap, revoke,
 * extend and reminders — through the real server, the scheduler and the sandbox emulators,
 * with a test clock (no sleeps: the test moves time and runs the due jobs).
 */
import type { SecretPlan } from '../../src/domain/plan';
import type { AccessRequest } from '../../src/domain/request';
import { transition } from '../../src/domain/request';
import { currentCorrelationId } from '../../src/observability/correlation';
import {
  SANDBOX_APPROVAL_CHANNEL_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_USERS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { cardText } from '../helpers/capturing-connector';
import { type Harness, startHarness, users } from '../helpers/harness';
import type { TeamsUser } from '../helpers/teams-activities';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const second: TeamsUser = { ...SANDBOX_USERS.outsider, name: 'Sam Second' } as TeamsUser;

describe('access lifecycle (G17)', () => {
  let h: Harness;
  let now: Date;
  const clock = { now: () => now };
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));

  beforeEach(() => {
    now = new Date('2026-11-30T10:00:00Z');
  });
  /** Runs a test holds (approveAndHoldAfterItsCheck): let go before stopping, also when the test failed while holding. */
  const heldRuns: Array<() => void> = [];
  afterEach(async () => {
    for (const letGo of heldRuns.splice(0)) letGo();
    await h?.stop();
  });

  async function start(env: Record<string, string> = {}) {
    h = await startHarness(
      { ACRBOT_MIN_ACCESS_DURATION: '1m', ACRBOT_EXPIRY_REMINDERS: 'none', ...env },
      { clock, jobBackoffMs: [MINUTE, MINUTE], jobReportAfterAttempts: 1 },
    );
  }

  function assignmentsOn(scope: string) {
    return h.app
      .sandbox!.arm.state.listRoleAssignments()
      .filter((a: { scope: string }) => a.scope.toLowerCase() === scope.toLowerCase());
  }

  async function grant(user: TeamsUser, args: string): Promise<AccessRequest> {
    const request = await h.requestGrant(user, args);
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('succeeded');
    return done;
  }

  /** Waits for the outcome message of `id` (sent after the store says "succeeded", so it can come late). */
  async function outcomeSent(id: string): Promise<void> {
    await h.connector.waitFor(
      (c) => c.op !== 'update' && /Pull access granted/.test(cardText(c.activity)) && cardText(c.activity).includes(id),
      5000,
      `the outcome of ${id}`,
    );
  }

  /** Starts the bot, has the requester ask for a pull secret on aks-dev and the approver approve it; it succeeded. */
  async function grantedSecretOnAksDev(args: string) {
    await start();
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    h.connector.clear();
    const { id } = await h.requestSecret(users.requester, args);
    await h.click(users.approver, 'approve', { requestId: id });
    expect((await h.settle(id)).state).toBe('succeeded');
    return { id, k8s };
  }

  /** The Entra application and service principal whose password the `--kind sp` secret acr-auth in payments holds. */
  function secretServicePrincipal(k8s: { getObject(resource: 'secrets', namespace: string, name: string): unknown }) {
    const secret = k8s.getObject('secrets', 'payments', 'acr-auth') as { data: Record<string, string> };
    const appId = JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString()).auths[
      'contosoacr.azurecr.io'
    ].username as string;
    const directory = h.app.sandbox!.directory;
    return { appId, directory, sp: directory.getServicePrincipalByAppId(appId)! };
  }

  async function actions(id: string): Promise<string[]> {
    return (await h.app.audit.forRequest(id)).map((e) => `${e.action}:${e.outcome}`);
  }

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
    const overlap = await h.requestGrant(second, 'aks-prod contosoacr --for 1h second team deploys');
    // The second grant's run is held just before its PUT (of the assignment the first one holds).
    const run = await approveAndHoldAfterItsCheck(overlap.id);
    advance(2 * MINUTE);
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

  test('a revoke click whose revoke cannot be stored says so with a reference, not "Revoking"; the access stays as it was', async () => {
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
    expect(text).toContain('Nothing was revoked');
    expect(text).toMatch(new RegExp(`${request.id}: could not be started .*reference `));
    expect((await h.app.store.get(request.id))!).toMatchObject({ state: 'succeeded' });
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
    await pollState(request.id, 'revoked');
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
      (c) => /Revoke 2 acrbot grants/.test(cardText(c.activity)),
      5000,
      'pair card',
    );
    expect(cardText(confirm.activity)).toContain(request.id);
    expect(cardText(confirm.activity)).toContain(overlap.id);
    // Both at once: overlapping grants must not each keep the assignment for the other.
    await h.click(users.approver, 'revokeConfirm', { requestId: `${request.id},${overlap.id}`, reason: 'incident 42' });
    await pollState(request.id, 'revoked');
    await pollState(overlap.id, 'revoked');
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
    await pollState(request.id, 'revoked');
    expect(h.connector.calls.some((c) => /did not carry valid request ids/.test(cardText(c.activity)))).toBe(false);
  });

  test('an extension whose term would end before the current end is refused at once (it would change nothing), audited, nothing stored', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 30d deploy payments-api');
    h.connector.clear();
    await h.say(users.requester, `extend ${request.id} --for 7d release still running`);
    const refusal = await h.connector.waitFor(
      (c) => /already runs until 2026-12-30 10:00 UTC/.test(cardText(c.activity)),
      5000,
      'the refusal',
    );
    expect(cardText(refusal.activity)).toContain('7 days would end before that and change nothing');
    expect((await h.app.store.listByState(['pending'])).filter((r) => r.extendsRequestId === request.id)).toEqual([]);
    expect((await h.app.audit.latest(1))[0]).toMatchObject({ action: 'extend.refused.notLater', outcome: 'refused' });
    // A term that ends later is taken.
    await h.say(users.requester, `extend ${request.id} --for 31d release still running`);
    await h.connector.waitFor(
      (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && cardText(c.activity).includes(request.id),
      5000,
      'the extension plan card',
    );
  });

  test('extend: approved like a new request (self-approval refused); the end moves and nothing is re-created', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const creates = () =>
      h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === 'roleAssignments.create').length;
    const before = creates();
    h.connector.clear();
    await h.say(users.requester, `extend ${request.id} --for 1h release still running`);
    const card = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      5000,
      'extension plan card',
    );
    const extensionId = [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
      .map((m) => m[0])
      .find((id) => id !== request.id)!;
    const extension = (await h.app.store.get(extensionId))!;
    expect(extension).toMatchObject({
      state: 'pending',
      extendsRequestId: request.id,
      access: { durationMs: 60 * MINUTE },
    });
    // The requester cannot approve their own extension.
    await h.click(users.requester, 'approve', { requestId: extensionId });
    expect((await h.app.store.get(extensionId))!.state).toBe('pending');
    expect(await actions(extensionId)).toContain('approval.refused.self:refused');
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    expect(creates()).toBe(before);
    const moved = (await h.app.store.get(request.id))!;
    expect(moved.access?.expiresAt).toBe('2026-11-30T11:00:00.000Z');
    // The old end passes: nothing is revoked.
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    advance(58 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('an extended grant reminds and ends once: the extension’s own reminders go once the end moved, and it ends with its original', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '2m' });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 5m deploy payments-api');
    await h.say(users.requester, `extend ${request.id} --for 1h release still running`);
    const extensionId = await h.connector
      .waitFor((c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)), 5000, 'extension plan card')
      .then((card) => [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)].map((m) => m[0]))
      .then((ids) => ids.find((id) => id !== request.id)!);
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    expect((await h.app.store.get(request.id))!.access?.expiresAt).toBe('2026-11-30T11:00:00.000Z');
    // The original's reminder covers the moved end; the extension keeps only its end job.
    expect((await scheduleOf(extensionId)).filter((j) => j.startsWith('access.'))).toEqual([
      `access.expire:${extensionId}`,
    ]);
    h.connector.clear();
    advance(58 * MINUTE);
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();
    const reminders = h.connector.calls.filter((c) => c.op !== 'update' && /Access ends in/.test(cardText(c.activity)));
    expect(reminders).toHaveLength(1);
    expect(JSON.stringify(reminders[0].activity)).toContain(request.id);
    h.connector.clear();
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    await h.app.services.background.drain();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    const told = h.connector.calls.filter((c) => c.op !== 'update' && /Expired and revoked/.test(cardText(c.activity)));
    expect(told).toHaveLength(1);
  });

  test('reminder before the end with an Extend button that files an extension', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '2m,10m' });
    const request = await grant(users.requester, 'aks-prod contosoacr --for 5m deploy payments-api');
    // Only reminders still in the future: 10m before a 5m grant is dropped.
    const jobs = (await scheduleOf(request.id)).filter((j) => j.startsWith('access.'));
    expect(jobs).toEqual([`access.expire:${request.id}`, `access.remind:${request.id}:120000`]);
    advance(3 * MINUTE);
    await h.app.scheduler.runDue();
    const reminder = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Access ends in 2 minutes/.test(cardText(c.activity)),
      5000,
      'reminder',
    );
    const actionsOfCard = JSON.stringify(reminder.activity);
    expect(actionsOfCard).toContain('"verb":"extend"');
    // Teams is slow to take posts in the approvals channel: the click is still answered at once
    // (G16), and the approvers' card follows once the channel takes it.
    const release = h.connector.hold(SANDBOX_APPROVAL_CHANNEL_ID);
    let res: Awaited<ReturnType<typeof h.click>>;
    try {
      res = await h.click(users.requester, 'extend', {
        requestId: request.id,
        duration: '1h',
        reason: 'still rolling out',
      });
    } finally {
      release();
    }
    const id = /R-[2-9A-HJKMNP-TV-Z]{8}/.exec(
      cardText({ attachments: [{ content: res.body?.value }] }).replace(request.id, ''),
    )?.[0];
    expect(id).toBeDefined();
    expect((await h.app.store.get(id!))!).toMatchObject({ state: 'pending', extendsRequestId: request.id });
    await h.app.services.background.drain();
    await h.connector.waitFor(
      (c) => c.op !== 'update' && JSON.stringify(c.activity).includes(id!),
      5000,
      "the approvers' card of the extension",
    );
  });

  test('a secret whose credential expires before its term (or a permanent one): the requester is reminded of the credential, with Extend (permanent: asking again, which replaces it)', async () => {
    await start({ ACRBOT_EXPIRY_REMINDERS: '1d', ACRBOT_SECRET_MAX_EXPIRY: '10d', ACRBOT_ALLOW_PERMANENT: 'true' });
    const { id } = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --for 30d pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.state).toBe('succeeded');
    const credentialEnd = Date.parse((done.plan as SecretPlan).expiresAt);
    // The reminder is due a day before the credential's expiry, not a day before the 30-day term.
    const remind = await h.app.stores.schedule.get(`access.remind:${id}:${DAY}`);
    expect(Date.parse(remind!.dueAt)).toBe(credentialEnd - DAY);
    now = new Date(credentialEnd - DAY + 1000);
    h.connector.clear();
    await h.app.scheduler.runDue();
    const reminder = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Pull secret credential expires in 1 day/.test(cardText(c.activity)),
      5000,
      'credential reminder',
    );
    expect(cardText(reminder.activity)).toMatch(
      /The credential in pull secret payments\/acr-auth \(cluster aks-dev\) expires at .*, before your access would end, and nothing renews it/,
    );
    expect(JSON.stringify(reminder.activity)).toContain('"verb":"extend"');
    expect((await h.app.audit.forRequest(id)).find((e) => e.action === 'access.reminded')?.detail).toMatch(
      /\(the pull secret’s credential, before the term ends\)$/,
    );

    // A permanent secret has no end job, but its credential's reminder is scheduled.
    const permanent = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --name acr-forever --for permanent pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: permanent.id });
    const forever = await h.settle(permanent.id);
    expect(forever.state).toBe('succeeded');
    expect(await h.app.stores.schedule.get(`access.expire:${permanent.id}`)).toBeUndefined();
    const foreverEnd = Date.parse((forever.plan as SecretPlan).expiresAt);
    const foreverRemind = await h.app.stores.schedule.get(`access.remind:${permanent.id}:${DAY}`);
    expect(Date.parse(foreverRemind!.dueAt)).toBe(foreverEnd - DAY);
    // Permanent access has no end to extend: the reminder says to ask for the secret again.
    now = new Date(foreverEnd - DAY + 1000);
    h.connector.clear();
    await h.app.scheduler.runDue();
    const again = await h.connector.waitFor(
      (c) => c.op !== 'update' && /although the access is permanent/.test(cardText(c.activity)),
      5000,
      'the permanent secret’s credential reminder',
    );
    expect(cardText(again.activity)).toContain(
      'ask for the secret again under the same name (secret aks-dev contosoacr --namespace payments --name acr-forever --for permanent REASON)',
    );
    expect(JSON.stringify(again.activity)).not.toContain('"verb":"extend"');
    // Doing as it says replaces the secret with a new credential.
    const renewed = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --name acr-forever --for permanent renew the credential',
    );
    await h.click(users.approver, 'approve', { requestId: renewed.id });
    const replaced = await h.settle(renewed.id);
    expect(replaced.state).toBe('succeeded');
    expect(replaced.outcome?.secret?.action).toBe('replaced');
  });

  test('a secret that expires: secret, service-account entry and ACR token gone', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(1);
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    expect(sa()).toEqual([{ name: 'acr-auth' }]);

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([]);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    expect(await actions(id)).toEqual(
      expect.arrayContaining([
        'access.revoke.secret:deleted',
        'access.revoke.serviceAccount:patched',
        'access.revoke.credential:deleted',
        'access.expired:revoked',
      ]),
    );
  });

  test('G15: an imagePullSecrets entry that was there before acrbot linked the secret stays when the secret goes', async () => {
    await start();
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    // Someone named the secret in the service account before acrbot made it (e.g. a Helm chart).
    const account = k8s.getObject('serviceaccounts', 'payments', 'default')!;
    k8s.seedObject('serviceaccounts', { ...account, imagePullSecrets: [{ name: 'acr-auth' }] } as typeof account);
    const { id } = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: id });
    const done = await h.settle(id);
    expect(done.outcome?.secret).toEqual(expect.objectContaining({ serviceAccountPatched: false }));
    // The preview says so too.
    expect(await h.app.services.lifecycle.flow.preview(done)).toContainEqual(
      expect.objectContaining({
        what: 'imagePullSecrets entry',
        action: 'keep',
        why: expect.stringMatching(/do not show that acrbot added/),
      }),
    );

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    const step = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.serviceAccount');
    expect(step).toMatchObject({
      outcome: 'kept',
      detail: expect.stringMatching(/do not show that acrbot added the imagePullSecrets entry; left in place/),
    });
  });

  test('G15: a secret made again under the same name with acrbot’s labels copied is not the one acrbot wrote, and stays at expiry', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    const written = k8s.getObject('secrets', 'payments', 'acr-auth')!;
    // Someone with write access to the namespace deletes acrbot's secret and makes their own under
    // the same name, copying its labels and annotations (request ids are on the cards).
    k8s.deleteObject('secrets', 'payments', 'acr-auth');
    const planted = k8s.seedObject('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'acr-auth',
        namespace: 'payments',
        labels: written.metadata.labels,
        annotations: written.metadata.annotations,
      },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    });
    expect(planted.metadata.uid).not.toBe(written.metadata.uid);

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    // Left alone: acrbot deletes only the object its store recorded writing (its uid).
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')?.metadata.uid).toBe(planted.metadata.uid);
    // The credential acrbot created for the request is still retired, from its own records.
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:notOurs', 'access.revoke.credential:deleted']),
    );
  });

  test('G15: a secret whose label now names another request is left alone at expiry, although its uid is the one acrbot wrote (labels only make acrbot more careful)', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const written = k8s.getObject('secrets', 'payments', 'acr-auth')!;
    // Relabelled in place (an update keeps the uid), e.g. by a write acrbot's store never recorded.
    const relabelled = k8s.seedObject('secrets', {
      ...written,
      metadata: { ...written.metadata, labels: { ...written.metadata.labels, 'acrbot.io/request-id': 'R-ZZZZZZZZ' } },
    });
    expect(relabelled.metadata.uid).toBe(written.metadata.uid);

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')?.metadata.uid).toBe(written.metadata.uid);
    const sa = k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as {
      imagePullSecrets?: { name: string }[];
    };
    expect(sa.imagePullSecrets).toEqual([{ name: 'acr-auth' }]);
    expect(h.app.sandbox!.arm.state.listTokens(contosoId)).toHaveLength(0);
    const step = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.secret');
    expect(step).toMatchObject({ outcome: 'notOurs', detail: 'its label names R-ZZZZZZZZ; left in place' });
  });

  test('a --kind sp secret that expires: the Entra application and its role assignment on the registry are gone', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
    );
    const { appId, directory, sp } = secretServicePrincipal(k8s);
    expect(directory.getApplicationByAppId(appId)).toBeDefined();
    const spAssignments = () =>
      assignmentsOn(contosoId).filter((a: { principalId: string }) => a.principalId === sp.id);
    expect(spAssignments()).toHaveLength(1);

    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(directory.getApplicationByAppId(appId)).toBeUndefined();
    expect(spAssignments()).toHaveLength(0);
    expect(await actions(id)).toContain('access.revoke.credential:deleted');
  });

  test('extending a secret rotates it: a new token in the same secret, the old token deleted; it ends at the new end', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
    );
    expect(tokens()).toEqual([`acrbot-${id.toLowerCase()}`]);
    h.connector.clear();
    await h.say(users.requester, `extend ${id} --for 1h rollout still running`);
    const card = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && /rotation/.test(cardText(c.activity)),
      5000,
      'rotation plan card',
    );
    const extensionId = [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
      .map((m) => m[0])
      .find((x) => x !== id)!;
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
    const secret = k8s.getObject('secrets', 'payments', 'acr-auth') as unknown as {
      metadata: { labels: Record<string, string> };
    };
    expect(secret.metadata.labels['acrbot.io/request-id']).toBe(extensionId);
    expect((await h.app.store.get(id))!.access?.expiresAt).toBe('2026-11-30T11:00:00.000Z');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
    advance(58 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([]);
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
      (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)),
      5000,
      'report in the approvals channel',
    );
    expect(report.conversationId).toContain(SANDBOX_APPROVAL_CHANNEL_ID);
    expect(cardText(report.activity)).toMatch(
      /Revoking the access is not done after 1 attempt \(last answer: .*\)\. acrbot keeps trying/,
    );
    // …and what an approver can do meanwhile.
    expect(cardText(report.activity)).toContain('To end the access at once, delete it in Azure by hand');
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  /** Files an extension of `originalId` as its requester and has the approver approve it; it succeeded. */
  /** ACR token names on contosoacr now (the sandbox's Azure state). */
  const tokens = () => h.app.sandbox!.arm.state.listTokens(contosoId).map((t: { name: string }) => t.name);

  /** The requester asks to extend `originalId`; resolves with the extension's id, pending approval. */
  async function requestExtension(originalId: string, args: string): Promise<string> {
    h.connector.clear();
    await h.say(users.requester, `extend ${originalId} ${args}`);
    const card = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Extends/.test(cardText(c.activity)) && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      5000,
      'extension plan card',
    );
    return [...cardText(card.activity).matchAll(/R-[2-9A-HJKMNP-TV-Z]{8}/g)]
      .map((m) => m[0])
      .find((x) => x !== originalId)!;
  }

  async function extendApproved(originalId: string, args: string): Promise<string> {
    const extensionId = await requestExtension(originalId, args);
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    return extensionId;
  }

  test('G15/G17: a later request that replaced the secret keeps it when the earlier one ends (same uid, acrbot’s records say who wrote last)', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const uid = k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid;
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    // A second request replaces the secret (a PUT: the Kubernetes uid stays) and retires the first's token.
    const later = await h.requestSecret(
      users.requester,
      'aks-dev contosoacr --namespace payments --service-account default --for 1h pull for payments-api',
    );
    await h.click(users.approver, 'approve', { requestId: later.id });
    expect((await h.settle(later.id)).state).toBe('succeeded');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')!.metadata.uid).toBe(uid);
    expect(tokens()).toEqual([`acrbot-${later.id.toLowerCase()}`]);

    advance(2 * MINUTE); // the first ends
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first))!.state).toBe('revoked');
    // The later request's secret, its service-account entry and its token are untouched.
    const kept = k8s.getObject('secrets', 'payments', 'acr-auth')!;
    expect(kept.metadata.uid).toBe(uid);
    expect(kept.metadata.labels?.['acrbot.io/request-id']).toBe(later.id);
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    expect(tokens()).toEqual([`acrbot-${later.id.toLowerCase()}`]);
    const audit = await h.app.audit.forRequest(first);
    const secretStep = audit.find((e) => e.action === 'access.revoke.secret');
    expect(secretStep?.outcome).toBe('kept');
    expect(secretStep?.detail).toContain(later.id);
    expect(audit.map((e) => `${e.action}:${e.outcome}`)).not.toContain('access.revoke.serviceAccount:patched');

    advance(58 * MINUTE); // the later one ends: now it goes
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([]);
    expect(tokens()).toEqual([]);
    expect(await actions(later.id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.serviceAccount:patched']),
    );
  });

  test('G15: the entry an earlier request added goes with the secret when a later request that replaced it without a service account ends', async () => {
    const { id: first, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    // The later request names no service account, yet replaces the same secret object.
    const later = await h.requestSecret(users.requester, 'aks-dev contosoacr --namespace payments --for 1h pull again');
    await h.click(users.approver, 'approve', { requestId: later.id });
    const written = await h.settle(later.id);
    expect(written.outcome?.secret).toMatchObject({ serviceAccountPatched: false, serviceAccounts: ['default'] });
    advance(2 * MINUTE); // the first ends: the later one holds the secret and its entry
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(first))!.state).toBe('revoked');
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    advance(58 * MINUTE); // the later one ends: the secret goes, and the entry acrbot added with it
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(later.id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([]);
    expect(await actions(later.id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.serviceAccount:patched']),
    );
  });

  test('a service account that cannot be patched after the secret went is retried: the retry takes the entry out, the secret being gone', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    const refused = k8s.faults.inject({ verb: 'patch', resource: 'serviceaccounts', status: 500, times: Infinity });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(sa()).toEqual([{ name: 'acr-auth' }]);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    expect(await jobOf(`access.expire:${id}`)).toMatchObject({ attempts: 1 });
    refused();
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(sa()).toEqual([]);
    expect(await actions(id)).toEqual(
      expect.arrayContaining([
        'access.revoke.secret:deleted',
        'access.revoke.serviceAccount:failed',
        'access.revoke.secret:absent',
        'access.revoke.serviceAccount:patched',
      ]),
    );
  });

  test('a service account whose list changes between the read and the patch is read again: only acrbot’s entry goes', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const sa = () =>
      (k8s.getObject('serviceaccounts', 'payments', 'default') as unknown as { imagePullSecrets?: { name: string }[] })
        .imagePullSecrets ?? [];
    // Someone adds their registry's secret at the front just as acrbot patches: the entry acrbot
    // read at index 0 is at index 1 by then, and the patch's test fails (422).
    k8s.faults.inject({
      verb: 'patch',
      resource: 'serviceaccounts',
      meanwhile: () => {
        const current = k8s.getObject('serviceaccounts', 'payments', 'default')!;
        k8s.seedObject('serviceaccounts', {
          ...current,
          imagePullSecrets: [{ name: 'team-registry' }, ...sa()],
        } as typeof current);
      },
    });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(sa()).toEqual([{ name: 'team-registry' }]);
    expect(await actions(id)).toEqual(expect.arrayContaining(['access.revoke.serviceAccount:patched']));
    expect(
      k8s.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/serviceaccounts/')).map((r) => r.status),
    ).toEqual(expect.arrayContaining([422, 200]));
  });

  test('a service account whose list keeps changing is left for the retry as a conflict, not refused as invalid', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    let added = 0;
    const churning = k8s.faults.inject({
      verb: 'patch',
      resource: 'serviceaccounts',
      times: Infinity,
      meanwhile: () => {
        const current = k8s.getObject('serviceaccounts', 'payments', 'default')! as unknown as {
          imagePullSecrets?: { name: string }[];
        };
        k8s.seedObject('serviceaccounts', {
          ...current,
          imagePullSecrets: [{ name: `team-${++added}` }, ...(current.imagePullSecrets ?? [])],
        } as never);
      },
    });
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    churning();
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    const failed = (await h.app.audit.forRequest(id)).find(
      (e) => e.action === 'access.revoke.serviceAccount' && e.outcome === 'failed',
    );
    expect(failed?.detail).toBe('kubernetes.conflict');
    expect(added).toBe(3);
  });

  test('a service account deleted before its secret expires is audited absent (no entry to take out), and the revocation completes', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    expect(k8s.deleteObject('serviceaccounts', 'payments', 'default')).toBe(true);
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    const entry = (await h.app.audit.forRequest(id)).find((e) => e.action === 'access.revoke.serviceAccount');
    expect(entry).toMatchObject({
      outcome: 'absent',
      targetIds: [expect.stringMatching(/\/namespaces\/payments\/serviceaccounts\/default$/)],
      detail: 'the service account no longer exists; no entry to take out',
    });
  });

  test('revoking an extended grant ends its extension too: the assignment is deleted, and both say revoked', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await extendApproved(request.id, '--for 1h release still running');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    // The confirmation says so: the assignment goes, and the extension ends with it.
    await h.say(users.requester, `revoke ${request.id} done early`);
    const confirm = await h.connector.waitFor(
      (c) => /Revoke .*\?/.test(cardText(c.activity)),
      5000,
      'confirmation card',
    );
    expect(cardText(confirm.activity)).toContain('Delete role assignment AcrPull');
    expect(cardText(confirm.activity)).toContain(`Delete extension ${extensionId}`);
    // An approver revoking everything on the cluster and registry is asked about one grant, not two.
    h.connector.clear();
    await h.say(users.approver, 'revoke aks-prod contosoacr incident 42');
    const pair = await h.connector.waitFor(
      (c) => /Revoke \d+ acrbot grants? of aks-prod/.test(cardText(c.activity)),
      5000,
      'pair card',
    );
    expect(cardText(pair.activity)).toContain('Revoke 1 acrbot grant of aks-prod on contosoacr?');
    expect(cardText(pair.activity)).toContain(`delete extension ${extensionId}`);
    await h.click(users.requester, 'revokeConfirm', { requestId: request.id, reason: 'done early' });
    await pollState(request.id, 'revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    const extension = (await h.app.store.get(extensionId))!;
    expect(extension.state).toBe('revoked');
    expect(extension.access?.revokedBy?.objectId).toBe(users.requester.objectId);
    expect(await actions(request.id)).toEqual(
      expect.arrayContaining(['access.revoke.roleAssignment:deleted', 'access.revoked:revoked']),
    );
    expect(await actions(request.id)).not.toContain('access.revoke.roleAssignment:kept');
    expect(await actions(extensionId)).toContain('access.revoked:revoked');
    // Its end is not waited for either: nothing is left to do when it comes.
    advance(2 * 60 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(extensionId))!.access?.revokedAt).toBe(extension.access?.revokedAt);
  });

  test('revoking an extended grant still keeps the assignment for a different request that holds it', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await extendApproved(request.id, '--for 1h release still running');
    const other = await grant(second, 'aks-prod contosoacr --for 30d second team deploys');
    await h.click(users.requester, 'revokeConfirm', { requestId: request.id, reason: 'done early' });
    await pollState(request.id, 'revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(1);
    const kept = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.revoke.roleAssignment');
    expect(kept?.outcome).toBe('kept');
    expect(kept?.detail).toBe(`still used by ${other.id}`);
  });

  test('revoking an extended (rotated) secret ends the extension: secret, service-account entry and the current token gone', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const extensionId = await extendApproved(id, '--for 1h rollout still running');
    expect(tokens()).toEqual([`acrbot-${extensionId.toLowerCase()}`]);
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'leaked in a log' });
    await pollState(id, 'revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([]);
    expect(await actions(extensionId)).toEqual(
      expect.arrayContaining([
        'access.revoke.secret:deleted',
        'access.revoke.serviceAccount:patched',
        'access.revoke.credential:deleted',
      ]),
    );
  });

  /** Every approvers' copy of `requestId`'s card was updated to say it expired. */
  async function approverCardsSayExpired(requestId: string): Promise<void> {
    const copies = (await h.app.store.listCardCopies(requestId)).filter((c) => c.role === 'approver');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies)
      await h.connector.waitFor(
        (c) => c.op === 'update' && c.activityId === copy.activityId && /[Ee]xpired/.test(cardText(c.activity)),
        5000,
        `approvers' card of ${requestId} updated`,
      );
  }

  test('a pending extension of a secret closes when its original is revoked: expired, audited, approvers\u2019 card updated; a late approval creates nothing', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 30d pull for payments-api',
    );
    const extensionId = await requestExtension(id, '--for 31d rollout still running');
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked' });
    await pollState(id, 'revoked');
    expect(tokens()).toEqual([]);
    // Closed right after the original is marked revoked, by the same revocation.
    await pollState(extensionId, 'expired');
    // The card update is the last step of closing it: after it the audit entry is there too.
    await approverCardsSayExpired(extensionId);
    const closed = (await h.app.audit.forRequest(extensionId)).find((e) => e.action === 'request.expired');
    expect(closed).toMatchObject({ outcome: 'expired', detail: expect.stringContaining(`ended with ${id}`) });
    // An approver clicking the old card changes nothing and creates nothing.
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.app.store.get(extensionId))!.state).toBe('expired');
    expect(await actions(extensionId)).not.toContain('request.approved:approved');
    expect(tokens()).toEqual([]);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
  });

  /** Approves `extensionId` as the approver's click does, and starts its run (`done`: its end). */
  async function approveAndRun(extensionId: string): Promise<{ done: Promise<void> }> {
    const approver = { objectId: users.approver.objectId, name: users.approver.name };
    const pending = (await h.app.store.get(extensionId))!;
    await h.app.store.update(transition(pending, { type: 'approve', by: approver, at: now }));
    return { done: h.app.services.executor.schedule(extensionId) };
  }

  /**
   * Approves `requestId` and starts its run, which is held right after its check (a slow run)
   * until `letGo`: an extension's read of its original `originalId`, a grant's look at the access
   * lease before its PUT (no revocation running).
   */
  async function approveAndHoldAfterItsCheck(requestId: string, originalId?: string) {
    const byTheRun = () => currentCorrelationId() === `exec-${requestId}`;
    let checked!: () => void;
    const wasChecked = new Promise<void>((resolve) => (checked = resolve));
    let letRunGo!: () => void;
    const held = new Promise<void>((resolve) => (letRunGo = resolve));
    heldRuns.push(letRunGo);
    const hold = async () => {
      checked();
      await held;
    };
    const store = h.app.store;
    const get = store.get.bind(store);
    const leases = h.app.stores.leases;
    const holder = leases.holder.bind(leases);
    if (originalId)
      store.get = async (id) => {
        const request = await get(id);
        if (id === originalId && byTheRun()) await hold();
        return request;
      };
    else
      leases.holder = async (key) => {
        const lease = await holder(key);
        if (!lease && byTheRun()) await hold();
        return lease;
      };
    const { done: run } = await approveAndRun(requestId);
    await wasChecked;
    const letGo = async () => {
      letRunGo();
      await run;
      store.get = get;
      leases.holder = holder;
    };
    return {
      /** Lets the run go on and waits for it. */
      letGo,
      /** The same, then waits for the request's final state. */
      async finish(): Promise<AccessRequest> {
        await letGo();
        return h.settle(requestId);
      },
    };
  }

  /**
   * The approver approves `extensionId` when the revocation of `id` is about to audit `action`,
   * after `before()`; its run is held after its check (approveAndHoldAfterItsCheck). `run()`
   * gives the held run and puts the audit log back.
   */
  function approveWhenAudited(id: string, extensionId: string, action: string, before = () => {}) {
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    let run: Awaited<ReturnType<typeof approveAndHoldAfterItsCheck>> | undefined;
    audit.append = async (event) => {
      if (!run && event.requestId === id && event.action === action) {
        before();
        run = await approveAndHoldAfterItsCheck(extensionId, id);
      }
      return append(event);
    };
    return {
      run() {
        audit.append = append;
        return run!;
      },
    };
  }

  /**
   * `now()` approves `requestId` and starts its run, and returns once the run got as far as it
   * can: to its end, or to waiting for the access lease a revocation holds. Called from a hook
   * inside a revocation. `finished()` waits for the run and gives the request.
   */
  function approveDuring(requestId: string) {
    const leases = h.app.stores.leases;
    const holder = leases.holder.bind(leases);
    let waits!: () => void;
    const runWaits = new Promise<void>((resolve) => (waits = resolve));
    leases.holder = async (key) => {
      const lease = await holder(key);
      if (lease && currentCorrelationId() === `exec-${requestId}`) waits();
      return lease;
    };
    let run: Promise<void> | undefined;
    return {
      async now(): Promise<void> {
        if (run) return;
        run = (await approveAndRun(requestId)).done;
        await Promise.race([run, runWaits]);
      },
      async finished(): Promise<AccessRequest> {
        await run;
        leases.holder = holder;
        return (await h.app.store.get(requestId))!;
      },
    };
  }

  /** {@link approveDuring}, when the revocation of `id` is about to audit `action`. */
  function approveWhileRevoking(id: string, extensionId: string, action: string) {
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    const approval = approveDuring(extensionId);
    audit.append = async (event) => {
      if (event.requestId === id && event.action === action) await approval.now();
      return append(event);
    };
    return {
      async finished(): Promise<AccessRequest> {
        audit.append = append;
        return approval.finished();
      },
    };
  }

  /** Until one attempt of `id`'s revocation ran to its end: it revoked, or it was refused. */
  async function oneRevocationAttempt(id: string): Promise<void> {
    for (let i = 0; ; i++) {
      const attempts = (await jobOf(`access.expire:${id}`))?.attempts ?? 0;
      if (attempts >= 1 || (await h.app.store.get(id))!.state === 'revoked') return;
      if (i >= 1000) throw new Error('the revocation never ran');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * The extension held after finding its original active is let go once a revocation attempt
   * of the original ran to its end; the original must not say "revoked" while the extension's
   * new token lives, and the retry ends both.
   */
  async function revocationWaitsForTheExtension(id: string, extensionId: string, run: { finish(): Promise<unknown> }) {
    const k8s = h.app.sandbox!.kubernetes['aks-dev'];
    await oneRevocationAttempt(id);
    expect(await run.finish()).toMatchObject({ state: 'succeeded' });
    // The extension wrote a new token into the secret: the original must not say "revoked" now.
    expect({ original: (await h.app.store.get(id))!.state, tokens: tokens() }).toEqual({
      original: 'succeeded',
      tokens: [`acrbot-${extensionId.toLowerCase()}`],
    });
    expect(await actions(id)).toContain('access.revoke.deferred:deferred');
    expect(await actions(id)).not.toContain('access.revoked:revoked');
    const report = await h.connector.waitFor(
      (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)),
      5000,
      'report in the approvals channel',
    );
    expect(cardText(report.activity)).toContain(
      `An extension of ${id} (${extensionId}) is being granted right now. The revocation runs again in a moment.`,
    );
    // The retry (after the backoff) ends both: the extension's token and the secret are gone.
    advance(MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('revoked');
    expect(tokens()).toEqual([]);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
  }

  test('an extension running when its original is revoked: the revocation waits for it, then ends both (no access after "revoked")', async () => {
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 30d pull for payments-api',
    );
    const extensionId = await requestExtension(id, '--for 31d rollout still running');
    const run = await approveAndHoldAfterItsCheck(extensionId, id);
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked' });
    await oneRevocationAttempt(id);
    // Refused before it deleted anything: the extension's run replaces the token it holds.
    expect(await actions(id)).not.toContain('access.revoke.credential:deleted');
    expect(tokens()).toEqual([`acrbot-${id.toLowerCase()}`]);
    await revocationWaitsForTheExtension(id, extensionId, run);
  });

  test('a revocation waiting for an extension that moves the end later still runs: the moved end does not replace it', async () => {
    // The original ends before the extension would: the extension's success moves its end.
    const { id } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const extensionId = await requestExtension(id, '--for 1h rollout still running');
    const run = await approveAndHoldAfterItsCheck(extensionId, id);
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked' });
    await revocationWaitsForTheExtension(id, extensionId, run);
  });

  test('an extension approved while its original\u2019s secret is being deleted waits for the revocation and finds the original revoked: it fails, writing nothing', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 30d pull for payments-api',
    );
    const extensionId = await requestExtension(id, '--for 31d rollout still running');
    // The approver clicks while the revocation deletes (after its look for running extensions).
    const approval = approveWhileRevoking(id, extensionId, 'access.revoke.credential');
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked' });
    await oneRevocationAttempt(id);
    const extension = await approval.finished();
    expect({
      original: (await h.app.store.get(id))!.state,
      extension: extension.state,
      tokens: tokens(),
      secret: k8s.getObject('secrets', 'payments', 'acr-auth'),
    }).toEqual({ original: 'revoked', extension: 'failed', tokens: [], secret: undefined });
    expect(extension.outcome?.error).toMatch(/no longer has active access/);
  });

  test('an extension whose run comes after its original\u2019s revocation outlasted its lease finds the original being revoked: it fails, writing nothing', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 30d pull for payments-api',
    );
    const extensionId = await requestExtension(id, '--for 31d rollout still running');
    // As the revocation writes "revoked", its access lease has run out (a stalled process): the
    // approver clicks, and the extension's run finds the lease free, reads the original and is
    // held there. The original says its revocation began before anything was deleted.
    const approval = approveWhenAudited(id, extensionId, 'access.revoked', () => advance(2 * MINUTE));
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked' });
    await oneRevocationAttempt(id);
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    await approval.run().letGo();
    const extension = (await h.app.store.get(extensionId))!;
    expect(extension.state).toBe('failed');
    expect(extension.outcome?.error).toMatch(
      new RegExp(`Request ${id} is being revoked, so there is nothing to extend`),
    );
    expect(tokens()).toEqual([]);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
  });

  test('an extension that succeeds after its original\u2019s revocation began does not move the original\u2019s end', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 1h release still running');
    // As the extension's success is written, a revocation of the original begins (as on an
    // instance that passed its look for running extensions before this run began: a race the
    // lease closes, so it is forced here).
    const store = h.app.store;
    const update = beforeFirstUpdate(
      (next) => next.id === extensionId && next.state === 'succeeded',
      async (write) => write(transition((await store.get(request.id))!, { type: 'beginRevoke', at: now })),
    );
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    expect(store.update).toBe(update);
    const original = (await store.get(request.id))!;
    expect(original.access).toMatchObject({ expiresAt: '2026-11-30T10:02:00.000Z', revokingSince: expect.any(String) });
    expect(await actions(request.id)).not.toContain('access.extended:extended');
  });

  test('an extension whose end move loses to a revocation of its original is revoked too (audited: the end was not moved)', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 2m pull for payments-api',
    );
    const extensionId = await requestExtension(id, '--for 1h rollout still running');
    // Just before the extension's success moves the original's end, someone's revocation marks
    // the original revoked: the move loses (a conditional write on the version it read).
    const store = h.app.store;
    const approver = { objectId: users.approver.objectId, name: users.approver.name };
    beforeFirstUpdate(
      (next) => next.id === id && Boolean(next.access?.extendedBy?.includes(extensionId)),
      async (write) =>
        write(transition((await store.get(id))!, { type: 'revoke', at: now, by: approver, reason: 'leaked' })),
    );
    await h.click(users.approver, 'approve', { requestId: extensionId });
    await oneRevocationAttempt(extensionId);
    expect((await store.get(extensionId))!.state).toBe('revoked');
    expect(tokens()).toEqual([]);
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(await actions(id)).toContain('access.extended:failed');
  });

  test('an extension whose end move loses to another write of its original (a drift mark) moves it on a fresh read', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 1h release still running');
    const store = h.app.store;
    beforeFirstUpdate(
      (next) => next.id === request.id && Boolean(next.access?.extendedBy?.includes(extensionId)),
      async (write) => {
        const fresh = (await store.get(request.id))!;
        await write({ ...fresh, version: fresh.version + 1, updatedAt: new Date(now).toISOString() });
      },
    );
    await h.click(users.approver, 'approve', { requestId: extensionId });
    expect((await h.settle(extensionId)).state).toBe('succeeded');
    const moved = (await store.get(request.id))!;
    expect(moved.access?.expiresAt).toBe((await store.get(extensionId))!.access?.expiresAt);
    expect(moved.access?.extendedBy).toContain(extensionId);
    expect(await actions(request.id)).not.toContain('access.extended:failed');
  });

  test('a pending extension of a grant closes when the grant expires', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 1h release still running');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    expect((await h.app.store.get(extensionId))!.state).toBe('expired');
    expect(await actions(extensionId)).toContain('request.expired:expired');
    await approverCardsSayExpired(extensionId);
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('an extension approved while its original grant expires (the assignment being deleted) finds the original ended: it fails, and nothing says access is held without the assignment', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 1h release still running');
    // The approver clicks as the expiry deletes the assignment (after its look for running
    // extensions).
    const approval = approveWhileRevoking(request.id, extensionId, 'access.revoke.roleAssignment');
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    const extension = await approval.finished();
    expect({
      original: (await h.app.store.get(request.id))!.state,
      extension: extension.state,
      assignments: assignmentsOn(contosoId).length,
    }).toEqual({ original: 'revoked', extension: 'failed', assignments: 0 });
    expect(extension.outcome?.error).toMatch(/no longer has active access/);
  });

  test('a revocation attempt that fails after its delete leaves the access ending: an extension approved before the retry fails, and the retry finishes', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 1h release still running');
    // The expiry deletes the assignment, then cannot write "revoked" (the store failed once).
    const store = h.app.store;
    const update = beforeFirstUpdate(
      (next) => next.id === request.id && next.state === 'revoked',
      async () => {
        throw new Error('the store did not answer');
      },
    );
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect(store.update).toBe(update);
    expect((await store.get(request.id))!).toMatchObject({
      state: 'succeeded',
      access: { revokingSince: expect.any(String) },
    });
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    // An approver's click before the retry is refused: the access is ending. The extension stays
    // pending, for the revocation to close.
    const click = await h.click(users.approver, 'approve', { requestId: extensionId });
    expect(cardText({ attachments: [{ content: click.body.value }] })).toContain(
      `Request ${request.id} is being revoked, so its extension ${extensionId} cannot be approved`,
    );
    expect((await store.get(extensionId))!.state).toBe('pending');
    expect(await actions(extensionId)).toContain('approval.refused.notActive:refused');
    // Approved all the same (a decision written as the revocation began), the extension finds its
    // original ending: nothing to extend.
    await (
      await approveAndRun(extensionId)
    ).done;
    const extension = await h.settle(extensionId);
    expect(extension.state).toBe('failed');
    expect(extension.outcome?.error).toMatch(new RegExp(`Request ${request.id} is being revoked`));
    // Not even an end moved meanwhile (by an instance of an older version) stops the retry.
    const ending = (await store.get(request.id))!;
    const later = new Date(now.getTime() + 60 * MINUTE).toISOString();
    await store.update(transition(ending, { type: 'extend', at: now, expiresAt: later, durationMs: 0, by: 'R-OLDER' }));
    advance(MINUTE); // the retry after the backoff
    await h.app.scheduler.runDue();
    expect((await store.get(request.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('an extension that succeeds as its original’s expiry begins moves the end: the expiry, no longer due, revokes nothing', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 1h release still running');
    // The expiry job found the grant due; before it takes the assignment lease, the extension
    // is approved and runs to its end (its end move makes the original last another hour).
    const leases = h.app.stores.leases;
    const acquire = leases.acquire.bind(leases);
    leases.acquire = async (key, owner, ttlMs) => {
      if (key.startsWith('assignment:') && owner.endsWith(`|${request.id}`)) {
        leases.acquire = acquire;
        await h.click(users.approver, 'approve', { requestId: extensionId });
        expect((await h.settle(extensionId)).state).toBe('succeeded');
      }
      return acquire(key, owner, ttlMs);
    };
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    const original = (await h.app.store.get(request.id))!;
    expect({
      state: original.state,
      until: original.access?.expiresAt,
      assignments: assignmentsOn(contosoId).length,
    }).toEqual({
      state: 'succeeded',
      until: '2026-11-30T11:02:00.000Z',
      assignments: 1,
    });
    expect(await actions(request.id)).not.toContain('access.expired:revoked');
    // It ends at the moved end instead.
    expect(new Date((await jobOf(`access.expire:${request.id}`))!.dueAt).toISOString()).toBe(
      '2026-11-30T11:02:00.000Z',
    );
  });

  test('a failure closing a pending extension does not undo the revocation: logged, and approving the extension later is refused, changing nothing', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extensionId = await requestExtension(request.id, '--for 1h release still running');
    const store = h.app.store;
    const listByTarget = store.listByTarget.bind(store);
    store.listByTarget = async (clusterId, registryId, states, limit) => {
      if (states.length === 1 && states[0] === 'pending') throw new Error('request table offline');
      return listByTarget(clusterId, registryId, states, limit);
    };
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    store.listByTarget = listByTarget;
    expect((await store.get(request.id))!.state).toBe('revoked');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect((await store.get(extensionId))!.state).toBe('pending');
    const logged = h.logs.entries().filter((e) => e.msg === 'pending extensions of ended access not closed');
    expect(logged).toMatchObject([
      { level: 50, requestId: request.id, err: expect.objectContaining({ message: 'request table offline' }) },
    ]);
    // Approving it is refused: it stays pending (its own expiry closes it), nothing is re-created.
    const click = await h.click(users.approver, 'approve', { requestId: extensionId });
    expect(cardText({ attachments: [{ content: click.body.value }] })).toContain(
      `Request ${request.id} no longer has active access, so its extension ${extensionId} cannot be approved`,
    );
    expect((await store.get(extensionId))!.state).toBe('pending');
    expect(await actions(extensionId)).toContain('approval.refused.notActive:refused');
    expect(await actions(extensionId)).not.toContain('request.approved:approved');
    expect(assignmentsOn(contosoId)).toHaveLength(0);
    expect((await store.get(request.id))!.state).toBe('revoked');
    // Approved all the same (a decision written before the revocation ended), its run fails.
    await (
      await approveAndRun(extensionId)
    ).done;
    expect(await h.settle(extensionId)).toMatchObject({ state: 'failed', outcome: { errorCode: 'extend.notActive' } });
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('G11: a pending extension whose close cannot be audited stays pending (undone, logged); the other pending extension closes all the same', async () => {
    await start();
    const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
    const extended = await extendApproved(request.id, '--for 1h release still running');
    // Two pending extensions of the access that ends: one of the original, one of its extension.
    const ofOriginal = await requestExtension(request.id, '--for 2h release still running');
    const ofExtension = await requestExtension(extended, '--for 3h release still running');
    expect((await h.app.store.get(ofExtension))!).toMatchObject({ state: 'pending', extendsRequestId: extended });
    // The first close's audit entry cannot be written.
    const audit = h.app.audit;
    const append = audit.append.bind(audit);
    let refused: string | undefined;
    audit.append = async (event) => {
      if (!refused && event.action === 'request.expired' && [ofOriginal, ofExtension].includes(event.requestId!)) {
        refused = event.requestId;
        throw new Error('audit table offline');
      }
      return append(event);
    };
    await h.click(users.requester, 'revokeConfirm', { requestId: request.id, reason: 'done early' });
    await pollState(request.id, 'revoked');
    // The revocation has run to its end: its job is done.
    for (let i = 0; await jobOf(`access.expire:${request.id}`); i++) {
      if (i >= 1000) throw new Error('the revocation never finished');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    audit.append = append;
    const other = refused === ofOriginal ? ofExtension : ofOriginal;
    expect((await h.app.store.get(other))!.state).toBe('expired');
    expect(await actions(other)).toContain('request.expired:expired');
    // No state change without its audit entry: the refused one is pending again, and says nothing.
    expect((await h.app.store.get(refused!))!.state).toBe('pending');
    expect(await actions(refused!)).not.toContain('request.expired:expired');
    const logged = h.logs.entries().filter((e) => e.msg === 'pending extension of ended access not closed');
    expect(logged).toMatchObject([
      { level: 50, requestId: refused, err: expect.objectContaining({ message: 'audit table offline' }) },
    ]);
    expect(assignmentsOn(contosoId)).toHaveLength(0);
  });

  test('a secret revoked while its cluster is unreachable: the credential is deleted at once, the cluster clean-up retried without touching a token made since under the same name', async () => {
    const { id, k8s } = await grantedSecretOnAksDev(
      'aks-dev contosoacr --namespace payments --service-account default --for 30d pull for payments-api',
    );
    const tokenName = `acrbot-${id.toLowerCase()}`;
    expect(tokens()).toEqual([tokenName]);
    // The API server cannot be reached (cluster stopped): every call drops the connection.
    const unreachable = k8s.faults.inject({ drop: true, times: Infinity });
    await h.click(users.requester, 'revokeConfirm', { requestId: id, reason: 'token leaked' });
    // The confirmation runs the job at once; its first attempt fails on the cluster.
    const job = await pollJob(`access.expire:${id}`, (j) => j.attempts >= 1);
    expect(job.attempts).toBe(1);
    expect(job.lastError).toMatch(/cluster/i);
    expect((await h.app.store.get(id))!.state).toBe('succeeded');
    // The leaked credential no longer works, although the cluster could not be reached.
    expect(tokens()).toEqual([]);
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:failed', 'access.revoke.credential:deleted']),
    );
    // Someone makes a token under the same name meanwhile: acrbot's records vouch for the one it
    // deleted, not for this one.
    const registry = h.app.sandbox!.arm.state.getRegistry(contosoId)!;
    registry.tokens.set(tokenName, {
      id: `${contosoId}/tokens/${tokenName}`,
      name: tokenName,
      scopeMapId: `${contosoId}/scopeMaps/_repositories_pull`,
      status: 'enabled' as const,
      creationDate: new Date().toISOString(),
      passwords: [],
    });
    unreachable();
    advance(2 * MINUTE);
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(id))!.state).toBe('revoked');
    expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
    expect(tokens()).toEqual([tokenName]);
    expect((await actions(id)).filter((a) => a === 'access.revoke.credential:deleted')).toHaveLength(1);
    expect(await actions(id)).toEqual(
      expect.arrayContaining(['access.revoke.secret:deleted', 'access.revoke.credential:alreadyDeleted']),
    );
  });

  async function pollState(id: string, state: string): Promise<void> {
    for (let i = 0; i < 500; i++) {
      if ((await h.app.store.get(id))?.state === state) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`request ${id} never became ${state}`);
  }

  async function pollJob(
    id: string,
    done: (job: NonNullable<Awaited<ReturnType<typeof jobOf>>>) => boolean,
  ): Promise<NonNullable<Awaited<ReturnType<typeof jobOf>>>> {
    for (let i = 0; i < 1000; i++) {
      const job = await jobOf(id);
      if (job && done(job)) return job;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`job ${id} never reached the expected state`);
  }

  async function scheduleOf(requestId: string): Promise<string[]> {
    return (await h.app.stores.schedule.forRequest(requestId)).map((j) => j.id).sort();
  }

  async function jobOf(id: string) {
    return h.app.stores.schedule.get(id);
  }

  /**
   * Runs `before` once, just before the first store update that `matches` (it may throw to fail
   * that write), and puts the store's update back; answers that original update.
   */
  function beforeFirstUpdate(
    matches: (next: AccessRequest) => boolean,
    before: (update: (next: AccessRequest) => Promise<void>) => Promise<void>,
  ) {
    const store = h.app.store;
    const update = store.update.bind(store);
    store.update = async (next) => {
      if (matches(next)) {
        store.update = update;
        await before(update);
      }
      return update(next);
    };
    return update;
  }

  describe('a grant whose answer was lost, and access on a resource deleted since', () => {
    const aksDevId = sandboxResourceId('cluster', SANDBOX_CLUSTERS.dev);

    test('G17: a role assignment PUT Azure applied but whose answer was lost (500 on every SDK retry) is read back: the grant succeeds and ends at its expiry', async () => {
      await start();
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
      // Carried out each time, answered 500 each time: the PUT and the SDK's own three retries.
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.create', status: 500, afterApply: true, count: 4 });
      await h.click(users.approver, 'approve', { requestId: request.id });
      const done = await h.settle(request.id);
      expect(h.app.sandbox!.arm.faults.pending()).toEqual([]);
      expect(done.state).toBe('succeeded');
      const plan = done.plan as Extract<AccessRequest['plan'], { kind: 'grant' }>;
      // acrbot made it (the deterministic name), so it is not "already present": expiry deletes it.
      expect(done.outcome?.alreadyPresent).toBeFalsy();
      expect(done.outcome?.createdIds).toEqual([expect.stringMatching(new RegExp(`${plan.roleAssignmentName}$`))]);
      expect(assignmentsOn(contosoId)).toHaveLength(1);
      const writes = (await h.app.audit.forRequest(request.id)).filter(
        (e) => e.action === 'azure.write.roleAssignment',
      );
      expect(writes.map((e) => e.outcome)).toEqual(['failed:InternalServerError', 'created']);
      expect(writes[1].detail).toMatch(/answer was lost.*read back/);
      await outcomeSent(request.id);

      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(request.id))!.state).toBe('revoked');
      expect(assignmentsOn(contosoId)).toHaveLength(0);
      expect(await actions(request.id)).toContain('access.revoke.roleAssignment:deleted');
    });

    test('G17: a lost answer that cannot be read back either fails the grant saying so, and the assignment Azure made is deleted at once by the revocation checks', async () => {
      await start();
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.create', status: 500, afterApply: true, count: 4 });
      // The read-back is refused too (not retried by the SDK).
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.listForScope', status: 403 });
      await h.click(users.approver, 'approve', { requestId: request.id });
      const failed = await h.settle(request.id);
      expect(h.app.sandbox!.arm.faults.pending()).toEqual([]);
      expect(failed.state).toBe('failed');
      expect(failed.outcome?.errorCode).toBe('azure.writeUnconfirmed');
      expect(failed.outcome?.error).toMatch(/could not tell whether Azure made it.*acrbot deletes it/);
      await h.connector.waitFor(
        (c) =>
          cardText(c.activity).includes(request.id) &&
          /could not tell whether Azure made it/.test(cardText(c.activity)),
        5000,
        'the failure on the card',
      );
      // Azure did make it: nothing may keep it, the request's term is not waited for.
      expect(assignmentsOn(contosoId)).toHaveLength(1);
      expect((await jobOf(`access.expire:${request.id}`))?.dueAt).toBe(now.toISOString());
      h.connector.clear();
      await h.app.scheduler.runDue();
      expect(assignmentsOn(contosoId)).toHaveLength(0);
      const step = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.revoke.roleAssignment');
      expect(step).toMatchObject({ outcome: 'deleted', detail: expect.stringMatching(/answer to its PUT was lost/) });
      // Still failed (it never granted anything), the job is done, and nobody is told it "ended".
      expect((await h.app.store.get(request.id))!.state).toBe('failed');
      expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();
      expect(
        h.connector.calls.filter((c) => /Needs attention|Expired and revoked|Revoked/.test(cardText(c.activity))),
      ).toEqual([]);
    });

    test('G15: the clean-up of an unconfirmed grant keeps an assignment another active grant holds', async () => {
      await start();
      const holder = await grant(second, 'aks-prod contosoacr --for 1d second team deploys');
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 1d deploy payments-api');
      // Found present (identical re-PUT): the same assignment, which the first grant holds.
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.create', status: 500, afterApply: true, count: 4 });
      h.app.sandbox!.arm.faults.add({ operation: 'roleAssignments.listForScope', status: 403 });
      await h.click(users.approver, 'approve', { requestId: request.id });
      expect((await h.settle(request.id)).outcome?.errorCode).toBe('azure.writeUnconfirmed');
      await h.app.scheduler.runDue();
      expect(assignmentsOn(contosoId)).toHaveLength(1);
      const step = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.revoke.roleAssignment');
      expect(step).toMatchObject({ outcome: 'kept', detail: `still used by ${holder.id}` });
      expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();
    });

    test('G17: a grant whose registry was deleted ends at its expiry (audited absent), not retried and reported for ever', async () => {
      await start();
      const request = await grant(users.requester, 'aks-prod contosoacr --for 2m deploy payments-api');
      await outcomeSent(request.id);
      expect(h.app.sandbox!.arm.state.removeRegistry(contosoId)).toBe(true);
      h.connector.clear();
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(request.id))!.state).toBe('revoked');
      const step = (await h.app.audit.forRequest(request.id)).find((e) => e.action === 'access.revoke.roleAssignment');
      expect(step).toMatchObject({
        outcome: 'absent',
        detail: expect.stringMatching(/registry contosoacr no longer exists \(Azure answered ResourceNotFound\)/),
      });
      expect(await jobOf(`access.expire:${request.id}`)).toBeUndefined();
      expect(h.connector.calls.filter((c) => /Needs attention/.test(cardText(c.activity)))).toEqual([]);
      await h.connector.waitFor(
        (c) => c.op !== 'update' && /Expired and revoked: /.test(cardText(c.activity)),
        5000,
        'requester told',
      );
    });

    test('G17: a --kind sp secret whose cluster was deleted: the secret is audited absent, the Entra application (outside the cluster) is still deleted, and it ends', async () => {
      const { id, k8s } = await grantedSecretOnAksDev(
        'aks-dev contosoacr --kind sp --namespace payments --for 2m pull for payments-api',
      );
      const { appId, directory, sp } = secretServicePrincipal(k8s);
      expect(h.app.sandbox!.arm.state.removeCluster(aksDevId)).toBe(true);
      h.connector.clear();
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(id))!.state).toBe('revoked');
      expect(directory.getApplicationByAppId(appId)).toBeUndefined();
      expect(assignmentsOn(contosoId).filter((a: { principalId: string }) => a.principalId === sp.id)).toEqual([]);
      const entries = await h.app.audit.forRequest(id);
      expect(entries.find((e) => e.action === 'access.revoke.secret')).toMatchObject({
        outcome: 'absent',
        detail: expect.stringMatching(/cluster aks-dev no longer exists \(Azure answered ResourceNotFound\)/),
      });
      expect(entries.find((e) => e.action === 'access.revoke.credential')).toMatchObject({ outcome: 'deleted' });
      expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
      expect(h.connector.calls.filter((c) => /Needs attention/.test(cardText(c.activity)))).toEqual([]);
    });

    test('G17: a token secret whose registry was deleted: the secret in the cluster (outside the registry) is still deleted, and it ends', async () => {
      const { id, k8s } = await grantedSecretOnAksDev(
        'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
      );
      expect(h.app.sandbox!.arm.state.removeRegistry(contosoId)).toBe(true);
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(id))!.state).toBe('revoked');
      expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeUndefined();
      expect(await actions(id)).toEqual(expect.arrayContaining(['access.revoke.secret:deleted']));
      expect(await jobOf(`access.expire:${id}`)).toBeUndefined();
    });

    test('a cluster acrbot may no longer read (403) is not taken for deleted: the revocation fails, is retried and reported', async () => {
      const { id, k8s } = await grantedSecretOnAksDev(
        'aks-dev contosoacr --namespace payments --for 2m pull for payments-api',
      );
      h.app.sandbox!.arm.faults.add({
        operation: 'managedClusters.listClusterUserCredential',
        status: 403,
        count: Infinity,
      });
      advance(2 * MINUTE);
      await h.app.scheduler.runDue();
      expect((await h.app.store.get(id))!.state).toBe('succeeded');
      expect((await jobOf(`access.expire:${id}`))!.attempts).toBe(1);
      expect(k8s.getObject('secrets', 'payments', 'acr-auth')).toBeDefined();
      expect(await actions(id)).toEqual(expect.arrayContaining(['access.revoke.secret:failed']));
      expect(await actions(id)).not.toContain('access.revoke.secret:absent');
      await h.connector.waitFor(
        (c) => c.op !== 'update' && /Needs attention/.test(cardText(c.activity)),
        5000,
        'the failing revocation reported',
      );
    });
  });
});

/**
 * One test (or more) per guarantee in GUARANTEES.md, named after it, through the real server
 * and the sandbox emulators.
 */
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { createAdapter } from '../../src/bot/create-adapter';
import {
  type AuthErrorFactory,
  MsalNetworkClient,
  type NetworkRequestOptions,
} from '../../src/bot/msal-network-client';
import { loadConfig } from '../../src/config/config';
import type { GrantPlan } from '../../src/domain/plan';
import type { AuditLog } from '../../src/domain/ports';
import { MemoryLeaseStore, MemoryScheduleStore } from '../../src/integrations/store/memory-coordination';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import {
  SANDBOX_APPROVER_GROUP_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_OUTSIDE_GRANT,
  SANDBOX_REGISTRIES,
  SANDBOX_TENANT_ID,
  SANDBOX_USERS,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { startSandbox } from '../../src/sandbox/sandbox';
import { AppCredentials } from 'botframework-connector';
import { startFakeChannelIssuer } from '../helpers/fake-openid';
import { CapturingConnector, cardText } from '../helpers/capturing-connector';
import { DecisionRaceStore } from '../helpers/decision-race-store';
import { type Harness, startHarness, users } from '../helpers/harness';
import { cardAction, channelMessage, personalMessage, postActivity } from '../helpers/teams-activities';
import { TempDirs } from '../helpers/temp-dirs';

/** botframework-connector's app-token cache (private in the typings; see channel-auth.test.ts). */
const botTokenCache = () =>
  (AppCredentials as unknown as { cache: Map<string, { accessToken: string; expiresOn: Date }> }).cache;

const G12_APP_ID = '6a0c1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2e';

const contosoId = sandboxResourceId('registry', SANDBOX_REGISTRIES.contoso);

/** Without the assignment the sandbox seeds as made outside acrbot. */
function acrbotMade<T extends { name: string }>(assignments: T[]): T[] {
  return assignments.filter((a) => a.name !== SANDBOX_OUTSIDE_GRANT.name);
}

function invokeText(res: { body: any }): string {
  return cardText({ attachments: [{ content: res.body?.value }] });
}

describe('guarantees', () => {
  let h: Harness;
  const tempDirs = new TempDirs();
  afterEach(async () => {
    try {
      // A test's SQLite file is closed with its harness before its directory goes.
      await h?.stop();
    } finally {
      tempDirs.removeAll();
    }
  });

  function creates(): number {
    return h.app.sandbox!.arm.requests.filter((r: { operation: string }) => r.operation === 'roleAssignments.create')
      .length;
  }

  test('G2: a non-Teams channel or a foreign tenant gets 403, no store write, and an audit entry', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    for (const [o, code] of [
      [{ channelId: 'webchat' }, 'rejected.channel'],
      [{ tenantId: '99999999-0000-4000-8000-000000000099' }, 'rejected.tenant'],
    ] as const) {
      const res = await postActivity(
        h.app.url,
        cardAction(users.approver, 'approve', { requestId: request.id }, { serviceUrl: h.serviceUrl, ...o }),
      );
      expect(res.status).toBe(403);
      expect((await h.app.store.get(request.id))!.state).toBe('pending');
      expect((await h.app.audit.latest(1))[0].action).toBe(code);
      // …and a warning in the log, for the developer of a client that is not Teams.
      expect(h.logs.lines.some((l) => l.includes(`"refusal":"${code}"`) && l.includes('turn refused'))).toBe(true);
    }
    expect(creates()).toBe(0);
  });

  test('G2: a message from outside Teams, without a tenant, or whose channelData names a foreign tenant (its conversation an allowed one) is refused before any handler', async () => {
    h = await startHarness();
    const ask = () =>
      personalMessage(users.requester, 'grant aks-prod contosoacr deploy payments-api', { serviceUrl: h.serviceUrl });
    const withoutTenant = () => {
      const { channelData: _channelData, conversation, ...rest } = ask() as Record<string, any>;
      const { tenantId: _tenantId, ...noTenant } = conversation;
      return { ...rest, conversation: noTenant };
    };
    // The tenant is read from channelData first: the conversation's allowed tenant does not let
    // a foreign one through.
    const foreignInChannelData = { ...ask(), channelData: { tenant: { id: '99999999-0000-4000-8000-000000000099' } } };
    const cases = [
      ['from webchat', { ...ask(), channelId: 'webchat' }, 'rejected.channel'],
      ['without a tenant', withoutTenant(), 'rejected.tenant'],
      ['with a foreign tenant in channelData', foreignInChannelData, 'rejected.tenant'],
    ] as const;
    for (const [what, activity, code] of cases) {
      const before = h.connector.calls.length;
      expect((await postActivity(h.app.url, activity)).status).toBe(200);
      await h.app.services.background.drain();
      expect({ what, action: (await h.app.audit.latest(1))[0]?.action }).toEqual({ what, action: code });
      expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
      // No plan card: outside Teams no answer at all (the log says why), else the refusal alone.
      const replies = h.connector.calls.slice(before).filter((c) => c.activity.type !== 'typing');
      expect(replies.map((c) => cardText(c.activity))).toEqual(
        code === 'rejected.channel' ? [] : [expect.stringContaining('not enabled for your organisation')],
      );
    }
  });

  test('G2: refusals at the door are audited once per sender, tenant and kind per hour; the rest are logged', async () => {
    let now = new Date('2026-12-04T10:00:00.000Z');
    h = await startHarness({}, { clock: { now: () => now } });
    const foreign = { serviceUrl: h.serviceUrl, tenantId: '99999999-0000-4000-8000-000000000099' };
    const refused = async () =>
      (await h.app.audit.latest(50)).filter((e) => e.action === 'rejected.tenant').map((e) => e.actor.objectId);
    for (let i = 0; i < 5; i++)
      expect((await postActivity(h.app.url, personalMessage(users.outsider, `help ${i}`, foreign))).status).toBe(200);
    expect(await refused()).toEqual([users.outsider.objectId]);
    // Another sender of that tenant is audited too: one entry each.
    await postActivity(h.app.url, personalMessage(users.approver, 'help', foreign));
    expect(await refused()).toEqual([users.outsider.objectId, users.approver.objectId]);
    expect(h.logs.lines.filter((l) => l.includes('not audited again in its window'))).toHaveLength(4);
    // An hour later the same sender is audited again.
    now = new Date('2026-12-04T11:00:00.000Z');
    await postActivity(h.app.url, personalMessage(users.outsider, 'help', foreign));
    expect(await refused()).toHaveLength(3);
  });

  test('G2: acrbot added to a team of a tenant not allowed (or outside Teams) posts nothing there; in an allowed one it says hello', async () => {
    h = await startHarness();
    const added = (o: { tenantId?: string; channelId?: string }) => {
      const message = channelMessage(users.requester, '', { serviceUrl: h.serviceUrl, ...o }) as Record<string, any>;
      const { text: _text, ...rest } = message;
      return { ...rest, type: 'conversationUpdate', membersAdded: [{ id: message.recipient.id }] };
    };
    for (const o of [{ tenantId: '99999999-0000-4000-8000-000000000099' }, { channelId: 'webchat' }]) {
      const before = h.connector.calls.length;
      const res = await postActivity(h.app.url, added(o));
      expect(res.status).toBeLessThan(300);
      await h.app.services.background.drain();
      expect(h.connector.calls.slice(before)).toEqual([]);
    }
    expect(h.logs.lines.some((l) => l.includes('"refusal":"rejected.tenant"') && l.includes('activity ignored'))).toBe(
      true,
    );
    // The same event from an allowed tenant gets the help card: the test above is not vacuous.
    await postActivity(h.app.url, added({}));
    await h.connector.waitFor((c) => /grant/.test(JSON.stringify(c.activity)), 5000, 'the help card');
  });

  test('G3: card data is untrusted — tampered requesterId/registry are ignored; the stored request wins', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const res = await h.click(users.approver, 'approve', {
      requestId: request.id,
      requesterId: users.approver.objectId,
      registry: 'sharedacr',
      version: 99,
    });
    expect(res.status).toBe(200);
    expect((await h.settle(request.id)).state).toBe('succeeded');
    const assignments = acrbotMade(h.app.sandbox!.arm.state.listRoleAssignments());
    expect(assignments).toHaveLength(1);
    expect(assignments[0].scope.toLowerCase()).toBe(contosoId.toLowerCase());
    // And the requester cannot approve by claiming someone else's id in the data.
    const second = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    const self = await h.click(users.requester, 'approve', {
      requestId: second.id,
      requesterId: users.outsider.objectId,
    });
    expect(invokeText(self)).toContain('someone else must approve');
    expect((await h.app.store.get(second.id))!.state).toBe('pending');
  });

  test('G4: the requester cannot approve their own request, even from another Teams id', async () => {
    h = await startHarness({
      ACRBOT_APPROVERS: `${SANDBOX_USERS.approver.objectId},${SANDBOX_USERS.requester.objectId}`,
    });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    for (const from of [users.requester, { ...users.requester, teamsId: '29:another-device-id' }]) {
      const res = await h.click(from, 'approve', { requestId: request.id });
      expect(invokeText(res)).toContain('someone else must approve');
      expect((await h.app.store.get(request.id))!.state).toBe('pending');
      expect((await h.app.audit.latest(1))[0].action).toBe('approval.refused.self');
    }
    await h.app.services.executor.drain();
    expect(creates()).toBe(0);
  });

  test('G5: a non-approver is refused and audited', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const res = await h.click(users.outsider, 'approve', { requestId: request.id });
    expect(invokeText(res)).toContain('Only approvers');
    expect((await h.app.audit.latest(1))[0].action).toBe('approval.refused.notApprover');
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
  });

  test('G5: group membership is checked in Graph at decision time — removed after posting → refused', async () => {
    h = await startHarness({ ACRBOT_APPROVER_GROUP: SANDBOX_APPROVER_GROUP_ID, ACRBOT_APPROVERS: '' });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    h.app.sandbox!.directory.removeGroupMember(SANDBOX_APPROVER_GROUP_ID, SANDBOX_USERS.approver.objectId);
    const res = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(invokeText(res)).toContain('Only approvers');
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    h.app.sandbox!.directory.addGroupMember(SANDBOX_APPROVER_GROUP_ID, SANDBOX_USERS.approver.objectId);
    await h.click(users.approver, 'approve', { requestId: request.id });
    expect((await h.settle(request.id)).state).toBe('succeeded');
  });

  test('G6: an expired request cannot be approved, and the refused click expires it', async () => {
    let now = new Date('2026-11-25T10:00:00Z');
    h = await startHarness({}, { clock: { now: () => now } });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    now = new Date(now.getTime() + 24 * 3600_000 + 1000);
    const res = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(invokeText(res)).toMatch(/expired/i);
    expect((await h.app.store.get(request.id))!.state).toBe('expired');
    expect((await h.app.audit.forRequest(request.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['approval.refused.expired', 'request.expired']),
    );
    expect(creates()).toBe(0);
  });

  test('G6: ACRBOT_APPROVAL_TTL is the window: 4h after it was made a request can no longer be approved', async () => {
    let now = new Date('2026-11-25T10:00:00Z');
    h = await startHarness({ ACRBOT_APPROVAL_TTL: '4h' }, { clock: { now: () => now } });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(4 * 3600_000);
    // Well within the default 24h: only the configured window refuses this click.
    now = new Date(Date.parse(request.createdAt) + 4 * 3600_000 + 1000);
    const res = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(invokeText(res)).toMatch(/expired/i);
    expect((await h.app.store.get(request.id))!.state).toBe('expired');
    expect((await h.app.audit.forRequest(request.id)).map((e) => e.action)).toContain('request.expired');
    expect(creates()).toBe(0);
  });

  test('G6: the sweeper, on its own timer, expires a pending request and updates every copy of its card', async () => {
    let now = new Date('2026-11-25T10:00:00Z');
    h = await startHarness({}, { clock: { now: () => now }, sweepIntervalMs: 20 });
    const request = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    const copies = await h.app.store.listCardCopies(request.id);
    // The requester's plan card and the approvers' card, at least.
    expect(copies.map((c) => c.role)).toEqual(expect.arrayContaining(['requester', 'approver']));
    const expiredUpdate = (activityId: string) =>
      h.connector.waitFor(
        (c) => c.op === 'update' && c.activityId === activityId && /Expired/.test(cardText(c.activity)),
        10_000,
        `the expired card ${activityId}`,
      );
    // Nothing happens while the request is within its window, however often the timer fires.
    await h.app.scheduler.runDue();
    expect((await h.app.store.get(request.id))!.state).toBe('pending');
    // Past the window (test clock), the timer's next sweep expires it: no one calls the sweeper here.
    now = new Date(now.getTime() + 24 * 3600_000 + 1000);
    await Promise.all(copies.filter((c) => c.role !== 'audit').map((c) => expiredUpdate(c.activityId)));
    expect((await h.app.store.get(request.id))!.state).toBe('expired');
    expect((await h.app.audit.forRequest(request.id)).map((e) => e.action)).toContain('request.expired');
  });

  test('G7: a request without a real justification is refused and nothing is stored; approver justification when required', async () => {
    h = await startHarness({ ACRBOT_APPROVER_JUSTIFICATION: 'required' });
    await h.say(users.requester, 'grant aks-prod contosoacr x');
    await h.connector.waitFor((c) => /at least 8 characters/.test(cardText(c.activity)), 5000, 'reason refusal');
    expect(await h.app.store.listByState(['pending'])).toHaveLength(0);
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    const res = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(invokeText(res)).toContain('justification');
    expect((await h.app.audit.latest(1))[0].action).toBe('approval.refused.justification');
    await h.click(users.approver, 'approve', { requestId: request.id, comment: 'checked with the team lead' });
    expect((await h.settle(request.id)).decision?.reason).toBe('checked with the team lead');
    // Both justifications are in the trail, each on its own entry and by its own author.
    const trail = await h.app.audit.forRequest(request.id);
    const created = trail.filter((e) => e.action === 'request.created');
    expect(request.reason).toBe('deploy payments-api');
    expect(created.map((e) => ({ by: e.actor.objectId, detail: e.detail }))).toEqual([
      { by: users.requester.objectId, detail: 'grant for 30d: deploy payments-api' },
    ]);
    const approved = trail.filter((e) => e.action === 'request.approved');
    expect(approved.map((e) => ({ by: e.actor.objectId, detail: e.detail }))).toEqual([
      { by: users.approver.objectId, detail: 'checked with the team lead' },
    ]);
  });

  test('G8: a double click and an approve/reject race end with exactly one decision and one assignment', async () => {
    // Two instances on one store, as behind a load balancer: neither sees the other's click, so
    // the store's conditional write alone picks the winner. The decision writes are held until
    // both decisions have read the request: they really overlap, each deciding the same version.
    const sandbox = await startSandbox();
    const connector = new CapturingConnector();
    await connector.start();
    const store = new DecisionRaceStore();
    const stores = { requests: store, audit: new MemoryAuditLog({ now: () => new Date() }) };
    let other: Harness | undefined;
    try {
      h = await startHarness({}, { sandbox, stores }, { connector });
      other = await startHarness({}, { sandbox, stores }, { connector });
      const [one, two] = [h, other];
      // As Harness.settle, over both instances' executors: either may run the winner's grant.
      const settled = async (id: string) => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          await Promise.all([one.app.services.executor.drain(), two.app.services.executor.drain()]);
          const r = (await store.get(id))!;
          if (!['approved', 'executing'].includes(r.state)) return r;
          if (Date.now() > deadline) throw new Error(`request ${id} stuck in ${r.state}`);
          await new Promise((res) => setTimeout(res, 10));
        }
      };
      const decisionsOf = async (id: string) =>
        (await stores.audit.forRequest(id)).filter(
          (e) => e.action === 'request.approved' || e.action === 'request.rejected',
        );

      const request = await one.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
      store.holdDecisions(request.id);
      const [a, b] = await Promise.all([
        one.click(users.approver, 'approve', { requestId: request.id }),
        two.click(users.approver, 'approve', { requestId: request.id }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect((await settled(request.id)).state).toBe('succeeded');
      expect(await decisionsOf(request.id)).toHaveLength(1);
      expect(creates()).toBe(1);
      // The losing click is the same approver's same decision: told it stands, not refused.
      expect(
        [invokeText(a), invokeText(b)].some((t) => /You approved request R-\S+ already; your decision stands/.test(t)),
      ).toBe(true);

      const second = await one.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
      sandbox.arm.clearRequests();
      store.holdDecisions(second.id);
      await Promise.all([
        one.click(users.approver, 'approve', { requestId: second.id }),
        two.click(users.approver, 'reject', { requestId: second.id, comment: 'not this week please' }),
      ]);
      const final = await settled(second.id);
      const decisions = await decisionsOf(second.id);
      // Exactly one decision was recorded, and it is the one stored.
      expect(decisions).toHaveLength(1);
      expect(decisions[0].action).toBe(final.decision?.approved ? 'request.approved' : 'request.rejected');
      expect(creates()).toBe(final.decision?.approved ? 1 : 0);

      // A double click on one instance: its clicks on one request are also taken one at a time.
      const third = await one.requestGrant(users.requester, 'aks-legacy contosoacr legacy batch jobs need images');
      sandbox.arm.clearRequests();
      const [c, d] = await Promise.all([
        one.click(users.approver, 'approve', { requestId: third.id }),
        one.click(users.approver, 'approve', { requestId: third.id }),
      ]);
      expect((await settled(third.id)).state).toBe('succeeded');
      expect(await decisionsOf(third.id)).toHaveLength(1);
      expect(creates()).toBe(1);
      expect(
        [invokeText(c), invokeText(d)].some((t) => /You approved request R-\S+ already; your decision stands/.test(t)),
      ).toBe(true);
    } finally {
      await other?.stop();
      await h?.stop();
      await connector.stop();
      await sandbox.stop();
    }
  });

  test('G9: AcrPull only, scoped to the registry id, deterministic name; a repeat is RoleAssignmentExists → granted (already present)', async () => {
    h = await startHarness();
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    await h.settle(request.id);
    const [assignment] = acrbotMade(h.app.sandbox!.arm.state.listRoleAssignments());
    expect(assignment.roleDefinitionId.toLowerCase().endsWith('/7f951dda-4ed3-4680-a7ca-43fe172d538d')).toBe(true);
    expect(assignment.scope.toLowerCase()).toBe(contosoId.toLowerCase());
    // The deterministic name of these fixed inputs (contosoacr, aks-prod's kubelet identity,
    // AcrPull), written out: the UUIDv5 test/unit/identifiers.test.ts pins. Any other name, a
    // random one included, would let a retry create a second assignment.
    expect(assignment.principalId).toBe(SANDBOX_CLUSTERS.prod.kubeletObjectId);
    expect(assignment.name).toBe('d0460f83-96e1-55b1-9cb0-e0cf87822ceb');
    // While a second request waits, someone grants the same access by hand under a random
    // name: acrbot's PUT (deterministic name) meets ARM's 409 RoleAssignmentExists and reports it as present.
    const again = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
    const plan = again.plan as GrantPlan;
    const byHand = h.app.sandbox!.arm.state.addRoleAssignment({
      scope: contosoId,
      roleDefinitionGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
      principalId: plan.identity.objectId,
    });
    expect(byHand.name).not.toBe(plan.roleAssignmentName);
    await h.click(users.approver, 'approve', { requestId: again.id });
    const done = await h.settle(again.id);
    expect(done.state).toBe('succeeded');
    expect(done.outcome?.alreadyPresent).toBe(true);
    expect(
      (await h.app.audit.forRequest(again.id))
        .filter((e) => e.action === 'azure.write.roleAssignment')
        .map((e) => e.outcome),
    ).toEqual(['alreadyExists']);
    // Nothing new was created: the hand-made assignment is the only one for that identity.
    expect(
      h.app.sandbox!.arm.state.listRoleAssignments().filter((a) => a.principalId === plan.identity.objectId),
    ).toHaveLength(1);
  });

  test('G11: a failing audit store stops execution before any Azure write', async () => {
    const store = new MemoryRequestStore();
    const real = new MemoryAuditLog({ now: () => new Date() });
    let failing = false;
    const audit: AuditLog = {
      ...real,
      append: (e) => (failing ? Promise.reject(new Error('disk full')) : real.append(e)),
      latest: (n) => real.latest(n),
      forRequest: (id) => real.forRequest(id),
      verify: () => real.verify(),
      entryAt: (seq) => real.entryAt(seq),
    };
    h = await startHarness({}, { stores: { requests: store, audit } });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    failing = true;
    const res = await h.click(users.approver, 'approve', { requestId: request.id });
    expect(invokeText(res)).toMatch(/audit log could not be written/);
    await h.app.services.executor.drain();
    expect(creates()).toBe(0);
    expect((await store.get(request.id))!.state).toBe('pending');
  });

  test('G11: an approved request whose execution cannot be audited fails before any Azure write, and says why', async () => {
    const real = new MemoryAuditLog({ now: () => new Date() });
    const audit: AuditLog = {
      append: (e) => (e.action === 'execution.started' ? Promise.reject(new Error('storage offline')) : real.append(e)),
      latest: (n) => real.latest(n),
      forRequest: (id) => real.forRequest(id),
      verify: () => real.verify(),
      entryAt: (seq) => real.entryAt(seq),
    };
    h = await startHarness({}, { stores: { requests: new MemoryRequestStore(), audit } });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ errorCode: 'audit.unavailable', summary: 'Not started' });
    expect(creates()).toBe(0);
  });

  test('G17: an approved grant whose end cannot be scheduled fails before any Azure write, and says why', async () => {
    const schedule = new MemoryScheduleStore();
    const put = schedule.put.bind(schedule);
    schedule.put = (job) =>
      job.kind === 'access.expire' ? Promise.reject(new Error('schedule table offline')) : put(job);
    h = await startHarness({}, { coordination: { schedule, leases: new MemoryLeaseStore(() => new Date()) } });
    const request = await h.requestGrant(users.requester, 'aks-prod contosoacr --for 2h deploy payments-api');
    await h.click(users.approver, 'approve', { requestId: request.id });
    const done = await h.settle(request.id);
    expect(done.state).toBe('failed');
    expect(done.outcome).toMatchObject({ errorCode: 'schedule.unavailable', summary: 'Not started' });
    expect(creates()).toBe(0);
    expect((await h.app.store.listByState(['succeeded'])).length).toBe(0);
    // The operator reads why, once, with the store's error as its cause.
    const logged = h.logs.lines.filter((l) => l.includes('schedule table offline'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('the end of the access could not be scheduled');
  });

  test('G12: the app password is used for the bot token and reaches no activity, log line or audit entry; secret-like justifications are refused; CR/LF stay escaped in the logs', async () => {
    // A real app identity, so MicrosoftAppPassword is the client secret botbuilder's MSAL sends
    // for the bot token when it replies. The token comes from the sandbox identity emulator
    // (ACRBOT_CHANNEL_LOGIN_URL), which checks the secret against the app's password in the
    // sandbox directory: the password goes nowhere else, and no request leaves the machine.
    const sandbox = await startSandbox();
    const app = sandbox.directory.addApplication({ appId: G12_APP_ID, displayName: 'acrbot (G12)' });
    const { secretText: sentinel, credential } = sandbox.directory.addPassword(app, { displayName: 'bot' });
    const issuer = await startFakeChannelIssuer();
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const hosts: string[] = [];
    const record = (arg: unknown) =>
      hosts.push(
        typeof arg === 'string' || arg instanceof URL
          ? new URL(arg).hostname
          : String((arg as { hostname?: string; host?: string }).hostname ?? (arg as { host?: string }).host),
      );
    // What goes over the pooled client (the channel's keys, the bot token, the replies) is made
    // by undici, not http.request: its requests are seen on undici's diagnostics channel.
    const onUndici = (message: unknown) =>
      hosts.push(new URL((message as { request: { origin: string } }).request.origin).hostname);
    diagnostics.subscribe('undici:request:create', onUndici);
    const httpsRequest = https.request;
    const httpRequest = http.request;
    const outHttps = jest
      .spyOn(https, 'request')
      .mockImplementation(
        ((arg: unknown, ...rest: unknown[]) => (record(arg), (httpsRequest as any)(arg, ...rest))) as any,
      );
    const outHttp = jest
      .spyOn(http, 'request')
      .mockImplementation(
        ((arg: unknown, ...rest: unknown[]) => (record(arg), (httpRequest as any)(arg, ...rest))) as any,
      );
    try {
      h = await startHarness(
        {
          MicrosoftAppId: G12_APP_ID,
          MicrosoftAppType: 'SingleTenant',
          MicrosoftAppTenantId: SANDBOX_TENANT_ID,
          MicrosoftAppPassword: sentinel,
          ACRBOT_CHANNEL_OPENID_METADATA_URL: issuer.metadataUrl,
          ACRBOT_CHANNEL_LOGIN_URL: sandbox.identity.authority,
        },
        { sandbox },
      );
      const send = async (text: string, extra: Record<string, unknown> = {}) => {
        const token = await issuer.channelToken({ appId: G12_APP_ID, serviceUrl: h.serviceUrl });
        const activity = { ...channelMessage(users.requester, text, { serviceUrl: h.serviceUrl }), ...extra };
        const res = await postActivity(h.app.url, activity, { authorization: `Bearer ${token}` });
        expect(res.status).toBe(200);
      };
      // The app's password has expired: Entra refuses the bot token (AADSTS7000222, which also
      // says the secret sent was the app's), so the reply fails and is logged: a leak path taken.
      const endDateTime = credential.endDateTime;
      credential.endDateTime = new Date(Date.now() - 60_000).toISOString();
      await send('help');
      expect(sandbox.identity.tokenRequests.length).toBeGreaterThan(0);
      for (const r of sandbox.identity.tokenRequests) {
        expect(r).toMatchObject({
          clientId: G12_APP_ID,
          scope: 'https://api.botframework.com/.default',
          outcome: 'invalid_client',
          aadsts: 7000222,
        });
      }
      expect(h.logs.lines.some((l) => /"level":50/.test(l) && l.includes('AADSTS7000222'))).toBe(true);
      expect(h.connector.calls).toEqual([]);
      // The token endpoint cannot be reached, and the failure carries the request it was sending,
      // as an axios error does (`config.data`: the form body with client_secret; `config.auth`:
      // the client's credentials when sent as basic auth) and as an HTTP client's error may
      // (`request.body`). MSAL passes an AuthError on as it is, so this one goes the way a real
      // failure goes: to the turn's error, which the bot logs. Only redaction keeps the password
      // out of that line: by pattern in the body, by key in `auth`.
      const carried: string[] = [];
      const unreachable = jest.spyOn(MsalNetworkClient.prototype, 'sendPostRequestAsync').mockImplementation(function (
        this: MsalNetworkClient,
        url: string,
        options?: NetworkRequestOptions,
      ) {
        const body = options?.body ?? '';
        carried.push(body);
        const { authError } = this as unknown as { authError: AuthErrorFactory };
        const failure = authError('network_error', `the bot token request to ${new URL(url).host} failed: ECONNRESET`);
        return Promise.reject(
          Object.assign(failure, {
            config: {
              url,
              method: 'post',
              data: body,
              auth: { username: G12_APP_ID, password: new URLSearchParams(body).get('client_secret') },
            },
            request: { method: 'POST', path: new URL(url).pathname, body },
          }),
        );
      });
      try {
        await send('help');
      } finally {
        unreachable.mockRestore();
      }
      // The failure really held the password, and was logged.
      expect(carried.length).toBeGreaterThan(0);
      for (const body of carried) expect(decodeURIComponent(body)).toContain(`client_secret=${sentinel}`);
      expect(h.logs.lines.some((l) => /"level":50/.test(l) && l.includes('ECONNRESET'))).toBe(true);
      expect(h.connector.calls).toEqual([]);
      // Valid again: the next reply gets its token from the emulator and goes out.
      credential.endDateTime = endDateTime;
      await send('grant aks-prod contosoacr AccountKey=abc123def456');
      await h.connector.waitFor(
        (c) => /looks like it contains a credential/.test(cardText(c.activity)),
        5000,
        'refusal',
      );
      expect(sandbox.identity.tokenRequests.at(-1)).toMatchObject({ clientId: G12_APP_ID, outcome: 'issued' });
      // The activity's name is logged with every turn: a line break in it must not start a log line.
      await send('grant aks-prod contosoacr deploy payments\nFAKE AUDIT line', { name: 'x\nFAKE LOG line' });
      await h.connector.waitFor((c) => /R-[2-9A-Z]{8}/.test(cardText(c.activity)), 5000, 'the plan card');

      const entries = await h.app.audit.latest(100);
      expect(entries.find((e) => e.action === 'validation.failed')?.outcome).toBe('validation.secret');
      const created = entries.find((e) => e.action === 'request.created')!;
      expect(created.detail).not.toContain('\n');
      // Every log line is one JSON object; the user's line break is inside a value, escaped.
      const lines = h.logs.lines.join('').split('\n').filter(Boolean);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.some((l) => l.startsWith('FAKE'))).toBe(false);
      expect(lines.some((l) => l.includes('"x\\nFAKE LOG line"'))).toBe(true);
      const everything = JSON.stringify(h.connector.calls) + lines.join('\n') + JSON.stringify(entries);
      expect(everything).not.toContain(sentinel);
      expect(everything).not.toContain(encodeURIComponent(sentinel));
      expect(everything).not.toContain('AccountKey=abc123def456');
      expect(lines.join('')).not.toMatch(/sandbox-token-acrbot/);
      // Every connection the process opened (MSAL's included) went to this machine.
      expect(hosts.length).toBeGreaterThan(0);
      expect([...new Set(hosts)].filter((host) => !['127.0.0.1', 'localhost'].includes(host))).toEqual([]);
    } finally {
      botTokenCache().delete(`${G12_APP_ID}https://api.botframework.com-cache`);
      diagnostics.unsubscribe('undici:request:create', onUndici);
      outHttps.mockRestore();
      outHttp.mockRestore();
      consoleError.mockRestore();
      await h?.stop();
      await issuer.stop();
      await sandbox.stop();
    }
  });

  test('G12: the bot-token login URL is a sandbox-only test hook: azure mode refuses it', () => {
    const hook = { ACRBOT_CHANNEL_LOGIN_URL: 'https://127.0.0.1:8443/tenant' };
    expect(() => loadConfig({ ACRBOT_MODE: 'azure', ...hook })).toThrow(
      /ACRBOT_CHANNEL_LOGIN_URL are test hooks and only allowed with ACRBOT_MODE=sandbox/,
    );
    const sandboxConfig = loadConfig({ ACRBOT_MODE: 'sandbox', ACRBOT_STORAGE: 'memory', ...hook });
    expect(sandboxConfig.channelAuth.loginUrl).toBe(hook.ACRBOT_CHANNEL_LOGIN_URL);
    expect(() => createAdapter({ ...sandboxConfig, mode: 'azure' }, createLogger({ level: 'silent' }))).toThrow(
      /ACRBOT_CHANNEL_LOGIN_URL are test hooks and only allowed with ACRBOT_MODE=sandbox/,
    );
  });

  test('G13: a restart keeps a pending request approvable (SQLite), and resumes an interrupted execution exactly once', async () => {
    const dir = tempDirs.make('acrbot-restart-');
    const storage = `sqlite:${join(dir, 'acrbot.db')}`;
    const sandbox = await startSandbox();
    // One Teams (connector) and one Azure (sandbox) across the bot's restart.
    const connector = new CapturingConnector();
    // Stopped in `finally`: a failed expectation must not leave servers open (jest would not exit).
    try {
      await connector.start();
      h = await startHarness({ ACRBOT_STORAGE: storage }, { sandbox }, { connector });
      const request = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api');
      // Simulate a crash right after the approval was stored: the request is 'approved', no execution
      // ran, no `request.approved` entry. The click was ten minutes ago: a decision younger than the
      // click grace (decision-entry-net.ts) is left to a later sweep, as its process may be writing it.
      const approved = {
        ...request,
        version: request.version + 1,
        state: 'approved' as const,
        decision: {
          by: { objectId: SANDBOX_USERS.approver.objectId, name: 'Alex Approver' },
          at: new Date(Date.now() - 10 * 60_000).toISOString(),
          approved: true,
        },
      };
      const pending = await h.requestGrant(users.requester, 'aks-dev contosoacr deploy payments-api');
      await h.app.store.update(approved);
      await h.stop();
      h = await startHarness({ ACRBOT_STORAGE: storage }, { sandbox }, { connector });
      expect((await h.settle(request.id)).state).toBe('succeeded');
      // The approval's missing entry was written late, in the approver's name, before the run (G11).
      const trail = await h.app.audit.forRequest(request.id);
      const approvedAt = trail.findIndex((e) => e.action === 'request.approved');
      expect(trail[approvedAt]).toMatchObject({ actor: { objectId: SANDBOX_USERS.approver.objectId } });
      expect(approvedAt).toBeLessThan(trail.findIndex((e) => e.action === 'execution.started'));
      expect((await h.app.store.get(pending.id))!.state).toBe('pending');
      await h.click(users.approver, 'approve', { requestId: pending.id });
      expect((await h.settle(pending.id)).state).toBe('succeeded');
      expect(acrbotMade(sandbox.arm.state.listRoleAssignments())).toHaveLength(2);
      expect((await h.app.audit.verify()).intact).toBe(true);
    } finally {
      await h?.stop();
      await sandbox.stop();
      await connector.stop();
    }
  });
});

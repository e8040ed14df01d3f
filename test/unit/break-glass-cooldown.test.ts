/**
 * The cooldown after a rejected break-glass review: a member whose break-glass grant was rejected
 * is refused --break-glass on every pair until `breakGlass.cooldownAfterRejection` has passed
 * (one `breakglass.refused.cooldown` entry, nothing stored), read from the store so a rejection
 * recorded by another instance counts. Moved on the fake clock, never slept.
 */
import { cooldownInForce } from '../../src/domain/break-glass-cooldown';
import type { GrantPlan, PlannedAsTyped } from '../../src/domain/plan';
import type { Policy } from '../../src/domain/policy';
import { transition, type AccessRequest } from '../../src/domain/request';
import { COOLDOWN_SCAN_LIMIT } from '../../src/flows/break-glass-cooldown';
import { RequestService } from '../../src/flows/request-service';
import { createLogger } from '../../src/observability/logger';
import { policyCard } from '../../src/views/policy-view';
import { breakGlassRequest } from './support/break-glass';
import { breakGlassService } from './support/break-glass-service';
import { HOUR, MINUTE } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { APPROVERS_GROUP, OLIVE, ONCALL_GROUP, policy, rule, settings, TENANT } from './support/policy-fixtures';
import { APPROVER, grantPlan, pendingRequest, REGISTRY_ID, REQUESTER } from './support/requests';

const COOLDOWN_ACTION = 'breakglass.refused.cooldown';

/**
 * Another pair than the one the rejected grant was on: the cooldown is the member's, not the
 * pair's. Its cluster pulls with an identity of its own (one shared with aks-prod would be the
 * same role assignment, where a grant still running refuses break-glass whatever the cooldown).
 * Asked for as `grant aks-dev contosoacr --break-glass …` unless `typed` says otherwise (null: a
 * plan stored before the form was recorded).
 */
function devPlan(typed: PlannedAsTyped | null = { cluster: 'name', registry: 'name' }): GrantPlan {
  const plan = grantPlan();
  return {
    ...plan,
    cluster: { ...plan.cluster, id: plan.cluster.id.replace('aks-prod', 'aks-dev'), name: 'aks-dev' },
    identity: { ...plan.identity, objectId: '0d000000-0000-4000-8000-0000000000de' },
    ...(typed && { typed }),
  };
}

/** The break-glass service on `p`, with the lifecycle's revocation wired (rejected → revoked). */
function setUp(p: Policy = policy([rule('prod')])) {
  const t = breakGlassService({ policies: { current: () => p } });
  t.service.useRevocation(async (request, by, reason) => {
    const current = (await t.store.get(request.id))!;
    await t.store.update(transition(current, { type: 'revoke', at: t.clock.now(), by, reason }));
  });
  const breakGlassAgain = (plan: GrantPlan = devPlan()) =>
    t.service.create({
      requester: OLIVE,
      tenantId: TENANT,
      reason: 'prod is down again, INC-4712',
      plan,
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      breakGlass: true,
    });
  const decide = (service: RequestService, id: string, approve: boolean) =>
    service.decide({
      requestId: id,
      acting: { actor: APPROVER, tenantId: TENANT },
      approve,
      reason: approve ? 'real incident' : 'not an emergency',
    });
  const actions = async () => (await t.audit.latest(1000)).map((e) => e.action);
  const olivesRequests = () => t.store.listByRequester(OLIVE.objectId, ['pending', 'approved', 'succeeded', 'revoked']);
  return { ...t, breakGlassAgain, decide, actions, olivesRequests };
}

describe('break-glass after a rejected review', () => {
  test('the member is refused on any pair: what happened, until when, and the normal request; one entry, nothing stored', async () => {
    const t = setUp();
    const first = await t.breakGlass();
    t.clock.advance(30 * MINUTE);
    expect(await t.decide(t.service, first.id, false)).toMatchObject({ kind: 'reviewed', outcome: 'rejected' });
    expect((await t.store.get(first.id))!.state).toBe('revoked');
    t.clock.advance(MINUTE);
    const lastSeq = (await t.audit.latest(1))[0].seq;

    await expect(t.breakGlassAgain()).rejects.toMatchObject({
      code: 'breakglass.cooldown',
      message:
        `Break-glass is not available to you until 2026-12-01 09:30 UTC: the review of your break-glass request ${first.id} ` +
        'was rejected by Alex Approver at 2026-11-30 09:30 UTC, and after a rejected review break-glass is refused for ' +
        '1 day, on every pair. Nothing was requested. To ask for access now, send a normal request without --break-glass ' +
        '("@acrbot grant aks-dev contosoacr REASON…"): it goes to the approvers as usual.',
    });

    // One entry: the refusal, the member's own.
    const added = (await t.audit.latest(50)).filter((e) => e.seq > lastSeq);
    expect(added).toEqual([
      expect.objectContaining({
        action: COOLDOWN_ACTION,
        actor: expect.objectContaining({ objectId: OLIVE.objectId }),
        outcome: 'refused',
      }),
    ]);
    // Nothing stored, so nothing runs in Azure, and no review is scheduled for it (the first's
    // ended with its review).
    expect((await t.olivesRequests()).map((r) => r.id)).toEqual([first.id]);
    expect(await t.jobs.withIdPrefix('breakglass.review:', 10)).toEqual([]);
  });

  test('the normal request it offers names the pair as the member did, or by id on a plan that did not record it', async () => {
    const t = setUp();
    const first = await t.breakGlass();
    await t.decide(t.service, first.id, false);
    const devId = devPlan().cluster.id;
    await expect(t.breakGlassAgain(devPlan({ cluster: 'groupAndName', registry: 'id' }))).rejects.toMatchObject({
      code: 'breakglass.cooldown',
      message: expect.stringContaining(`("@acrbot grant rg-aks/aks-dev ${REGISTRY_ID} REASON…")`),
    });
    await expect(t.breakGlassAgain(devPlan(null))).rejects.toMatchObject({
      message: expect.stringContaining(`("@acrbot grant ${devId} ${REGISTRY_ID} REASON…")`),
    });
  });

  test('once the cooldown has passed since the rejection, break-glass runs again', async () => {
    const t = setUp();
    const first = await t.breakGlass();
    await t.decide(t.service, first.id, false);
    t.clock.advance(24 * HOUR - MINUTE);
    await expect(t.breakGlassAgain()).rejects.toMatchObject({ code: 'breakglass.cooldown' });
    t.clock.advance(MINUTE);
    const again = await t.breakGlassAgain();
    expect(again).toMatchObject({ state: 'approved', policy: { breakGlass: true } });
  });

  test('`policy` tells the member of their cooldown before they try, and what the setting is to everyone', async () => {
    const t = setUp();
    const policyFacts = async () => {
      const card = policyCard({
        cluster: 'aks-dev',
        registry: 'contosoacr',
        policy: t.service.currentPolicy(),
        rule: rule('prod'),
        cooldown: await t.service.breakGlassCooldownOf(OLIVE),
        sandbox: false,
      }) as any;
      return card.body
        .find((b: { type: string }) => b.type === 'FactSet')
        .facts.map((f: { title: string; value: string }) => `${f.title}: ${f.value}`) as string[];
    };
    expect(await policyFacts()).toContainEqual(expect.stringMatching(/after a rejected review, not again for 1 day$/));
    expect((await policyFacts()).join('\n')).not.toMatch(/Your break-glass/);

    const first = await t.breakGlass();
    t.clock.advance(30 * MINUTE);
    await t.decide(t.service, first.id, false);
    expect(await policyFacts()).toContain(
      `Your break-glass: not available to you until 2026-12-01 09:30 UTC: the review of your break-glass request ${first.id} was rejected by Alex Approver at 2026-11-30 09:30 UTC`,
    );
    t.clock.advance(24 * HOUR);
    expect((await policyFacts()).join('\n')).not.toMatch(/Your break-glass/);
  });

  test('a cooldown ending within a minute is shown until the next minute, when break-glass runs again', async () => {
    const t = setUp();
    const first = await t.breakGlass();
    t.clock.advance(30 * MINUTE + 30_000);
    await t.decide(t.service, first.id, false);
    // Ends at 09:30:30: "until 09:30" would be refused again when tried at 09:30.
    await expect(t.breakGlassAgain()).rejects.toThrow(/not available to you until 2026-12-01 09:31 UTC/);
    const card = policyCard({
      cluster: 'aks-dev',
      registry: 'contosoacr',
      policy: t.service.currentPolicy(),
      rule: rule('prod'),
      cooldown: await t.service.breakGlassCooldownOf(OLIVE),
      sandbox: false,
    });
    expect(JSON.stringify(card)).toContain('not available to you until 2026-12-01 09:31 UTC');
    // The rejection itself, a time past, stays as it was (rounded down).
    expect(JSON.stringify(card)).toContain('rejected by Alex Approver at 2026-11-30 09:30 UTC');
    t.clock.advance(24 * HOUR - 30_000); // 09:30:00, the minute rounded down: still refused
    await expect(t.breakGlassAgain()).rejects.toMatchObject({ code: 'breakglass.cooldown' });
    t.clock.advance(MINUTE); // 09:31:00, the minute shown
    expect(await t.breakGlassAgain()).toMatchObject({ state: 'approved' });
  });

  test('cooldownAfterRejection 0 turns it off', async () => {
    const p = policy([rule('prod')]);
    const t = setUp({ ...p, breakGlass: { ...p.breakGlass!, cooldownAfterRejectionMs: 0 } });
    const first = await t.breakGlass();
    await t.decide(t.service, first.id, false);
    expect(await t.breakGlassAgain()).toMatchObject({ state: 'approved', policy: { breakGlass: true } });
    expect(await t.actions()).not.toContain(COOLDOWN_ACTION);
  });

  test('a shorter cooldown in the policy ends it sooner', async () => {
    const p = policy([rule('prod')]);
    const t = setUp({ ...p, breakGlass: { ...p.breakGlass!, cooldownAfterRejectionMs: 2 * HOUR } });
    const first = await t.breakGlass();
    await t.decide(t.service, first.id, false);
    t.clock.advance(HOUR);
    await expect(t.breakGlassAgain()).rejects.toThrow(/until 2026-11-30 11:00 UTC.*refused for 2 hours/);
    t.clock.advance(HOUR);
    expect(await t.breakGlassAgain()).toMatchObject({ state: 'approved' });
  });

  test('a review that kept the grant starts no cooldown', async () => {
    const t = setUp();
    const first = await t.breakGlass();
    expect(await t.decide(t.service, first.id, true)).toMatchObject({ kind: 'reviewed', outcome: 'accepted' });
    expect(await t.breakGlassAgain()).toMatchObject({ state: 'approved', policy: { breakGlass: true } });
    expect(await t.actions()).not.toContain(COOLDOWN_ACTION);
  });

  test('a rejection of the use alone (its access had ended before the review) starts it too', async () => {
    const t = setUp();
    const first = await t.breakGlass();
    const revoking = transition(first, { type: 'beginRevoke', at: t.clock.now() });
    await t.store.update(revoking);
    await t.store.update(transition(revoking, { type: 'revoke', at: t.clock.now(), by: OLIVE, reason: 'done' }));
    expect(await t.decide(t.service, first.id, false)).toMatchObject({ outcome: 'rejected', accessEnded: true });
    await expect(t.breakGlassAgain()).rejects.toMatchObject({ code: 'breakglass.cooldown' });
  });

  test('a rejection recorded by another instance (another service on the same store) counts', async () => {
    const t = setUp();
    const first = await t.breakGlass();
    // The other instance has no revocation wired: the grant stays succeeded, its review rejected.
    const other = new RequestService(
      t.store,
      t.audit,
      fakeDirectory({ [APPROVERS_GROUP]: [APPROVER.objectId], [ONCALL_GROUP]: [OLIVE.objectId] }),
      t.clock,
      settings,
      { requestChanged: async () => undefined },
      createLogger({ level: 'silent' }),
      t.scheduler,
      { current: () => policy([rule('prod')]) },
    );
    await t.decide(other, first.id, false);
    expect((await t.store.get(first.id))!).toMatchObject({
      state: 'succeeded',
      policy: { review: { outcome: 'rejected' } },
    });
    await expect(t.breakGlassAgain()).rejects.toMatchObject({ code: 'breakglass.cooldown' });
    expect((await t.audit.latest(1))[0].action).toBe(COOLDOWN_ACTION);
  });

  test('a member with more granted requests than one read takes: the recent rejection is still found', async () => {
    const t = setUp();
    // Older grants of Olive's that ended, more than the by-requester read's bound (oldest first).
    for (let i = 0; i <= COOLDOWN_SCAN_LIMIT; i++) {
      const at = new Date(Date.parse('2026-01-01T00:00:00.000Z') + i * MINUTE).toISOString();
      await t.store.create(
        pendingRequest({ id: `R-OLD${String(i).padStart(5, '0')}`, requester: OLIVE, state: 'revoked', createdAt: at }),
      );
    }
    const first = await t.breakGlass();
    await t.decide(t.service, first.id, false);
    await expect(t.breakGlassAgain()).rejects.toMatchObject({ code: 'breakglass.cooldown' });
  });

  test("past the bound, the member's newest are read: everyone else's newer grants do not hide the rejection", async () => {
    const t = setUp();
    const at = (base: string, i: number) => new Date(Date.parse(base) + i * MINUTE).toISOString();
    for (let i = 0; i <= COOLDOWN_SCAN_LIMIT; i++)
      await t.store.create(
        pendingRequest({
          id: `R-OLD${String(i).padStart(5, '0')}`,
          requester: OLIVE,
          state: 'revoked',
          createdAt: at('2020-01-01T00:00:00.000Z', i),
        }),
      );
    const first = await t.breakGlass();
    await t.decide(t.service, first.id, false);
    // Other people's grants, all newer than Olive's rejected one and more than one read takes.
    for (let i = 0; i <= COOLDOWN_SCAN_LIMIT; i++)
      await t.store.create(
        pendingRequest({
          id: `R-NEW${String(i).padStart(5, '0')}`,
          requester: REQUESTER,
          state: 'revoked',
          createdAt: at(t.clock.now().toISOString(), i + 1),
        }),
      );
    await expect(t.breakGlassAgain()).rejects.toMatchObject({ code: 'breakglass.cooldown' });
  });
});

describe('cooldownInForce', () => {
  const NOW = new Date('2025-01-16T09:00:00.000Z');
  const rejected = (id: string, at: string, outcome: 'accepted' | 'rejected' = 'rejected'): AccessRequest =>
    breakGlassRequest(
      OLIVE,
      '2025-01-15T08:00:00.000Z',
      { dueAt: '2025-01-16T08:00:00.000Z', outcome, by: APPROVER, at },
      { id, state: 'revoked' },
    );

  test('of several rejections, the one whose cooldown ends last; kept reviews and normal requests pass', () => {
    const requests = [
      rejected('R-AAAAAAAA', '2025-01-15T12:00:00.000Z'),
      rejected('R-BBBBBBBB', '2025-01-15T18:00:00.000Z'),
      rejected('R-CCCCCCCC', '2025-01-16T08:00:00.000Z', 'accepted'),
      pendingRequest({ requester: OLIVE, state: 'revoked' }),
    ];
    expect(cooldownInForce(requests, OLIVE.objectId, 24 * HOUR, NOW)).toEqual({
      requestId: 'R-BBBBBBBB',
      rejectedBy: APPROVER,
      rejectedAt: '2025-01-15T18:00:00.000Z',
      until: '2025-01-16T18:00:00.000Z',
      cooldownMs: 24 * HOUR,
    });
    // Ended exactly now: available again.
    expect(cooldownInForce(requests, OLIVE.objectId, 15 * HOUR, NOW)).toBeUndefined();
    expect(cooldownInForce(requests, OLIVE.objectId, 0, NOW)).toBeUndefined();
  });

  test("the member's own rejections only (object ids compared without regard to case)", () => {
    const requests = [rejected('R-AAAAAAAA', '2025-01-16T08:00:00.000Z')];
    expect(cooldownInForce(requests, APPROVER.objectId, 24 * HOUR, NOW)).toBeUndefined();
    expect(cooldownInForce(requests, OLIVE.objectId.toUpperCase(), 24 * HOUR, NOW)).toMatchObject({
      requestId: 'R-AAAAAAAA',
    });
  });
});

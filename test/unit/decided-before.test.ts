/**
 * Asking again after a rejection, or after a person revoked the pair's access, leaves a trace
 * for the next approver (`decidedBefore`, flows/decided-before.ts): the new request records the
 * pair's recent rejections and revocations by people, its approvers' card says them ("Before")
 * while it waits, and its `request.created` entry names them by id. Through the real
 * RequestService over the memory and the SQLite request stores, on a fake clock.
 */
import type { RequestStore } from '../../src/domain/ports';
import { ACRBOT_ACTOR, transition, type AccessRequest, type Actor } from '../../src/domain/request';
import type { Plan } from '../../src/domain/plan';
import { PAIR_DECIDED_READ } from '../../src/flows/decided-before';
import { openSqlite } from '../../src/integrations/store/sqlite-database';
import { SqliteRequestStore } from '../../src/integrations/store/sqlite-request-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import { outcomeCard, planFacts, requestCard } from '../../src/views/request-view';
import { postedCardFor } from '../../src/bot/card-viewers';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import {
  APPROVERS_GROUP,
  DAY,
  granted,
  OLIVE,
  ONCALL_GROUP,
  policy,
  rule,
  SAM,
  TENANT,
} from './support/policy-fixtures';
import { quietRequestService } from './support/quiet-request-service';
import { APPROVER, grantPlan, pendingRequest, REQUESTER, secretPlan } from './support/requests';

const OTHER_TENANT = '5b1e2c3d-0000-4000-8000-00000000b0b0';

/** The "Before" fact of a card (the approvers' copy of the request card unless given), if any. */
function beforeFact(
  request: AccessRequest,
  card: AdaptiveCardJson = requestCard(request, { showActions: true }),
): string | undefined {
  let found: string | undefined;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; facts?: Array<{ title: string; value: string }> };
    if (n.type === 'FactSet') found ??= n.facts?.find((f) => f.title === 'Before')?.value;
    Object.values(n).forEach(walk);
  };
  walk(card);
  return found;
}

/** How cards write a time. */
const shown = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

const stores: Array<[string, () => RequestStore]> = [
  ['memory', () => new MemoryRequestStore()],
  ['SQLite', () => new SqliteRequestStore(openSqlite(':memory:'))],
];

describe.each(stores)('a new request after decisions against its pair (%s store)', (_name, makeStore) => {
  let store: RequestStore;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(() => store.close());

  function setUp() {
    const clock = new FakeClock('2026-11-30T09:00:00.000Z');
    const audit = new MemoryAuditLog(clock);
    const p = policy([rule('prod')]);
    const service = quietRequestService({
      store,
      clock,
      policy: p,
      audit,
      members: { [APPROVERS_GROUP]: [APPROVER.objectId, SAM.objectId], [ONCALL_GROUP]: [OLIVE.objectId] },
    });
    const ask = (
      reason = 'deploy payments-api',
      extra: { tenantId?: string; plan?: Plan; extendsRequestId?: string; requester?: Actor; durationMs?: number } = {},
    ) =>
      service.create({
        requester: extra.requester ?? REQUESTER,
        tenantId: extra.tenantId ?? TENANT,
        reason,
        plan: extra.plan ?? grantPlan(),
        origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
        access: { durationMs: extra.durationMs ?? DAY },
        ...(extra.extendsRequestId && { extendsRequestId: extra.extendsRequestId }),
      });
    const decide = (id: string, by: Actor, approve: boolean, reason?: string, tenantId = TENANT) =>
      service.decide({ requestId: id, acting: { actor: by, tenantId }, approve, reason });
    /** A grant approved and granted, then its access ended by `by` (acrbot: its end). */
    const grantedThenRevoked = async (by: Actor, reason?: string) => {
      const r = await ask('deploy payments-api');
      await decide(r.id, APPROVER, true);
      const done = await granted(store, (await store.get(r.id))!, clock.now());
      clock.advance(HOUR);
      const revoked = transition(done, { type: 'revoke', at: clock.now(), by, reason });
      await store.update(revoked);
      return revoked;
    };
    const createdDetail = async (id: string) =>
      (await audit.forRequest(id)).find((e) => e.action === 'request.created')?.detail ?? '';
    return { clock, service, ask, decide, grantedThenRevoked, createdDetail };
  }

  test('rejected, then asked again at once: the new card names the rejection, who, when and why; the entry its id only', async () => {
    const t = setUp();
    const first = await t.ask();
    await t.decide(first.id, APPROVER, false, 'not this week');
    const rejectedAt = (await store.get(first.id))!.decision!.at;
    t.clock.advance(MINUTE);
    const again = await t.ask('deploy payments-api, it is urgent');

    expect(again.decidedBefore).toEqual([
      { requestId: first.id, how: 'rejected', by: APPROVER, at: rejectedAt, text: 'not this week' },
    ]);
    expect(beforeFact(again)).toBe(`${first.id} rejected by Alex Approver on ${shown(rejectedAt)}: "not this week"`);
    const detail = await t.createdDetail(again.id);
    expect(detail).toContain(`decided against this pair before: ${first.id} rejected at ${rejectedAt}`);
    expect(detail).not.toContain('not this week');
    // Once another approver decided it, the fact has done its work.
    await t.decide(again.id, SAM, true);
    expect(beforeFact((await store.get(again.id))!)).toBeUndefined();
  });

  test('break-glass after a rejection: its reviewer is told while the review is owed, not once it is made', async () => {
    const t = setUp();
    const first = await t.ask();
    await t.decide(first.id, APPROVER, false, 'not this week');
    t.clock.advance(MINUTE);
    const bg = await t.service.create({
      requester: OLIVE,
      tenantId: TENANT,
      reason: 'prod is down, INC-4711',
      plan: grantPlan(),
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      breakGlass: true,
    });
    expect(bg.decidedBefore?.map((d) => d.requestId)).toEqual([first.id]);
    const running = await granted(store, bg, t.clock.now());
    expect(beforeFact(running)).toMatch(new RegExp(`^${first.id} rejected by Alex Approver`));
    // Its requester's copy and `status` say nothing of it: the comment is the approvers'.
    expect(beforeFact(running, requestCard(running, { showActions: false, showCancel: true }))).toBeUndefined();
    await t.decide(bg.id, SAM, true, 'needed for the incident');
    expect(beforeFact((await store.get(bg.id))!)).toBeUndefined();
  });

  test("a person's revocation is named; acrbot's end of access, and the requester's own, are not", async () => {
    const t = setUp();
    await t.grantedThenRevoked(ACRBOT_ACTOR, 'expired');
    await t.grantedThenRevoked(REQUESTER, 'done with it');
    const incident = await t.grantedThenRevoked(SAM, 'incident INC-1');
    t.clock.advance(MINUTE);
    const again = await t.ask();

    const at = incident.access!.revokedAt!;
    expect(again.decidedBefore).toEqual([
      { requestId: incident.id, how: 'revoked', by: SAM, at, text: 'incident INC-1' },
    ]);
    expect(beforeFact(again)).toBe(
      `${incident.id}'s access revoked by Megan Developer on ${shown(at)}: "incident INC-1"`,
    );
    expect(await t.createdDetail(again.id)).toContain(`${incident.id} revoked at ${at}`);
  });

  test('a revoked extension is not named: the original it ended with carries the revocation', async () => {
    const t = setUp();
    const original = await t.grantedThenRevoked(SAM, 'incident INC-2');
    const at = original.access!.revokedAt!;
    // Its extension, ended by the same revocation (as access-lifecycle ends both).
    await store.create(
      pendingRequest({
        id: 'R-EXTEND01',
        state: 'revoked',
        createdAt: original.createdAt,
        extendsRequestId: original.id,
        access: { durationMs: DAY, revokedAt: at, revokedBy: SAM, revokeReason: 'incident INC-2' },
      }),
    );
    t.clock.advance(MINUTE);
    expect((await t.ask()).decidedBefore?.map((d) => d.requestId)).toEqual([original.id]);
  });

  test('newest decision first, not newest request: an older request decided last comes first', async () => {
    const t = setUp();
    const at = (hoursAgo: number) => new Date(t.clock.now().getTime() - hoursAgo * HOUR).toISOString();
    const rejected = (id: string, createdHoursAgo: number, decidedHoursAgo: number) =>
      store.create(
        pendingRequest({
          id,
          state: 'rejected',
          createdAt: at(createdHoursAgo),
          decision: { by: APPROVER, at: at(decidedHoursAgo), approved: false, reason: `no (${id})` },
        }),
      );
    // R-OLDER01 was asked first but waited; R-NEWER01, asked after it, was rejected at once.
    await rejected('R-OLDER01', 10, 1);
    await rejected('R-NEWER01', 5, 4);
    expect((await t.ask()).decidedBefore?.map((d) => d.requestId)).toEqual(['R-OLDER01', 'R-NEWER01']);
  });

  test("another tenant's rejection of a same-named pair is not shown", async () => {
    const t = setUp();
    const theirs = await t.ask('deploy payments-api', { tenantId: OTHER_TENANT });
    await t.decide(theirs.id, APPROVER, false, 'not this week', OTHER_TENANT);
    expect((await store.get(theirs.id))!.state).toBe('rejected');
    t.clock.advance(MINUTE);
    const mine = await t.ask();
    expect(mine.decidedBefore).toBeUndefined();
    expect(beforeFact(mine)).toBeUndefined();
    expect(await t.createdDetail(mine.id)).not.toContain('decided against');
  });

  test('a rejection older than the window is not shown; one just inside it is', async () => {
    const t = setUp();
    const old = await t.ask();
    await t.decide(old.id, APPROVER, false, 'not this quarter');
    t.clock.advance(30 * DAY - MINUTE);
    const inside = await t.ask();
    expect(inside.decidedBefore?.map((d) => d.requestId)).toEqual([old.id]);
    await t.service.cancel({ requestId: inside.id, acting: { actor: REQUESTER, tenantId: TENANT } });
    t.clock.advance(2 * MINUTE);
    const outside = await t.ask();
    expect(outside.decidedBefore).toBeUndefined();
  });

  test('at most the newest three, newest first; the comment made inert on the card and cut', async () => {
    const t = setUp();
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      const r = await t.ask(`deploy payments-api, try ${n}`);
      const comment = n === 4 ? `see https://evil.example/x ${'z'.repeat(300)}` : `no, take ${n}`;
      await t.decide(r.id, APPROVER, false, comment);
      ids.push(r.id);
      t.clock.advance(HOUR);
    }
    const again = await t.ask();
    expect(again.decidedBefore?.map((d) => d.requestId)).toEqual([ids[3], ids[2], ids[1]]);
    const newest = again.decidedBefore![0].text!;
    expect(Array.from(newest)).toHaveLength(121);
    expect(newest.endsWith('z…')).toBe(true);
    const fact = beforeFact(again)!;
    expect(fact).not.toContain('https://');
    expect(fact).toContain('https:\u200b//evil.example/x');
    expect(fact.split('; ')).toHaveLength(3);
  });

  test("past the pair's many ended grants (more than one read takes), the newest rejection is still seen", async () => {
    const t = setUp();
    // A year of daily grants that ended by their term: revoked, by acrbot, each created before the rejection.
    for (let n = 0; n < PAIR_DECIDED_READ + 10; n++) {
      const createdAt = new Date(t.clock.now().getTime() - (400 - n) * DAY).toISOString();
      await store.create(
        pendingRequest({
          id: `R-ENDED${String(n).padStart(3, '0')}`,
          state: 'revoked',
          createdAt,
          access: { durationMs: DAY, revokedAt: createdAt },
        }),
      );
    }
    const first = await t.ask();
    await t.decide(first.id, APPROVER, false, 'not this week');
    t.clock.advance(MINUTE);
    expect((await t.ask()).decidedBefore?.map((d) => d.requestId)).toEqual([first.id]);
  });

  test('a pull secret of the pair sees a grant rejected; a rejected secret says its namespace; an extension records none', async () => {
    const t = setUp();
    const grant = await t.ask();
    await t.decide(grant.id, APPROVER, false, 'not this week');
    t.clock.advance(MINUTE);
    const secret = await t.ask('deploy payments-api', { plan: secretPlan({ namespace: 'team-b' }) });
    expect(secret.decidedBefore?.map((d) => d.requestId)).toEqual([grant.id]);
    await t.decide(secret.id, APPROVER, false, 'not for team-b');
    t.clock.advance(MINUTE);
    const third = await t.ask();
    expect(beforeFact(third)).toMatch(
      new RegExp(`^${secret.id} \\(pull secret in team-b\\) rejected by Alex Approver`),
    );

    // An extension extends access already approved: nothing is read or recorded for it.
    await t.decide(third.id, SAM, true);
    const original = await granted(store, (await store.get(third.id))!, t.clock.now());
    const extension = await t.ask('release slipped', { extendsRequestId: original.id, durationMs: 2 * DAY });
    expect(extension.extendsRequestId).toBe(original.id);
    expect(extension.decidedBefore).toBeUndefined();
  });
});

/**
 * Other people's rejection comments and revocation reasons are the approvers' to read: the copy
 * drawn for them (with Approve/Reject, their own view too) says them, no other copy does — not
 * the requester's card posted where they asked (perhaps a team channel), not `status`, not the
 * requester's own view, not the outcome card.
 */
describe('which copies of the card say what was decided before', () => {
  const request = pendingRequest({
    decidedBefore: [
      { requestId: 'R-REJECT22', how: 'rejected', by: APPROVER, at: '2025-01-15T08:40:00.000Z', text: 'not this week' },
      {
        requestId: 'R-REVOKE33',
        how: 'revoked',
        by: SAM,
        at: '2025-01-10T17:05:00.000Z',
        text: 'incident: leaked by Dana',
      },
    ],
  });
  const said = `R-REJECT22 rejected by Alex Approver on 2025-01-15 08:40 UTC: "not this week"; R-REVOKE33's access revoked by Megan Developer on 2025-01-10 17:05 UTC: "incident: leaked by Dana"`;
  const viewers = { all: ['29:requester', '29:approver'], approvers: ['29:approver'] };

  test("the approvers' copies say it: as posted with the buttons, and an approver's own view", () => {
    expect(beforeFact(request, requestCard(request, { showActions: true }))).toBe(said);
    expect(beforeFact(request, requestCard(request, { showActions: true, viewerObjectId: SAM.objectId }))).toBe(said);
    // Teams can name none of its approvers: the approvers' channel copy is posted with the buttons.
    expect(beforeFact(request, postedCardFor(request, 'approver', { ...viewers, approvers: [] }))).toBe(said);
    expect(planFacts(request, { approvers: true }).find((f) => f.label === 'Before')?.value).toBe(said);
  });

  test("the requester's card, status, their own view and the outcome do not", () => {
    const copies: Array<[string, AdaptiveCardJson]> = [
      ["requester's posted copy", postedCardFor(request, 'requester', viewers)],
      ['status', requestCard(request, { showActions: false })],
      ["requester's own view", requestCard(request, { showActions: false, showCancel: true })],
      ['outcome', outcomeCard({ ...request, state: 'succeeded' })],
    ];
    for (const [copy, card] of copies) {
      expect([copy, beforeFact(request, card)]).toEqual([copy, undefined]);
      expect([copy, JSON.stringify(card).includes('leaked by Dana')]).toEqual([copy, false]);
    }
    // Any other caller of planFacts gets the facts every copy may show.
    expect(planFacts(request).map((f) => f.label)).not.toContain('Before');
  });
});

/**
 * nudge-siblings.ts, from breaking it, read directly over a memory store: a reminder takes along
 * a sibling whose escalation would go elsewhere (only an escalation needs the same escalation
 * channel); not one decided since the listing, nor one its own earlier run told already; up to
 * exactly MAX_GROUPED_MENTIONS approvers mentioned; and a request's own mark holds nothing back.
 * A run does not hold back for an older sibling whose post would leave it out (too many approvers
 * between them) or that is an extension whose original's access is gone. Read again before the
 * post, a claimed sibling expired meanwhile, or whose mark another run rewrote, is dropped.
 */
import { MAX_GROUPED_MENTIONS } from '../../src/domain/nudge-group';
import type { AccessRequest } from '../../src/domain/request';
import {
  claimSiblings,
  groupClaimHeldUntil,
  olderSiblingMayTake,
  siblingsStillDue,
  type SiblingPorts,
} from '../../src/flows/nudge-siblings';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { rule } from './support/policy-fixtures';
import { APPROVER, pendingRequest } from './support/requests';

const CREATED = '2025-01-15T09:00:00.000Z';
const RULE_CHANNEL = '19:approvers@thread.tacv2';
const user = (n: number) => `0a000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A pending request `id`, filed `minutesAfter` CREATED, bound to rule prod posting in RULE_CHANNEL. */
function waiting(
  id: string,
  minutesAfter: number,
  rulePart: Parameters<typeof rule>[1] = {},
  extra: Partial<AccessRequest> = {},
) {
  const createdAt = new Date(Date.parse(CREATED) + minutesAfter * MINUTE).toISOString();
  const bound = rule('prod', {
    channel: RULE_CHANNEL,
    remindAfterMs: HOUR,
    approvers: { users: [APPROVER.objectId], groups: [] },
    escalateTo: { channel: '19:escalation@thread.tacv2', groups: [] },
    ...rulePart,
  });
  return pendingRequest({
    id,
    createdAt,
    policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 1, rule: bound },
    ...extra,
  });
}

async function world(requests: AccessRequest[], sent: (id: string) => boolean = () => false) {
  const clock = new FakeClock(new Date(Date.parse(CREATED) + 2 * HOUR).toISOString());
  const stores = memoryStores(clock);
  for (const r of requests) await stores.requests.create(r);
  const ports: SiblingPorts = { store: stores.requests, clock, sent: async (id) => sent(id) };
  const claimedIds = async (request: AccessRequest, listed?: AccessRequest[]) =>
    (await claimSiblings(ports, request, 'remind', listed)).map((r) => r.id);
  return { clock, stores, claimedIds };
}

test('a reminder takes along a sibling whose escalation would go to another channel', async () => {
  const a = waiting('R-AAAAAAA2', 0);
  const b = waiting('R-BBBBBBB2', 1, { escalateTo: { channel: '19:other-escalation@thread.tacv2', groups: [] } });
  const w = await world([a, b]);
  expect(await w.claimedIds(a)).toEqual([b.id]);
});

test('a sibling decided since the listing was read is not claimed', async () => {
  const a = waiting('R-AAAAAAA2', 0);
  const b = waiting('R-BBBBBBB2', 1);
  const w = await world([a, b]);
  // This run's listing, read before b was approved.
  const approved: AccessRequest = { ...b, state: 'approved' };
  expect(await w.claimedIds(a, [a, approved])).toEqual([]);
});

test("a sibling this request's earlier run claimed and told already is not claimed again", async () => {
  const a = waiting('R-AAAAAAA2', 0);
  const at = new Date(Date.parse(CREATED) + HOUR + 30 * MINUTE).toISOString();
  const told = waiting('R-BBBBBBB2', 1, {}, {});
  const marked: AccessRequest = { ...told, policy: { ...told.policy!, remindedAt: at, remindedBy: a.id } };
  const w = await world([a, marked], (id) => id === marked.id);
  expect(await w.claimedIds(a)).toEqual([]);
  // Not told: its claim is taken back.
  const w2 = await world([a, marked], () => false);
  expect(await w2.claimedIds(a)).toEqual([marked.id]);
});

test(`exactly ${MAX_GROUPED_MENTIONS} approvers mentioned between them: claimed`, async () => {
  const half = MAX_GROUPED_MENTIONS / 2;
  const a = waiting('R-AAAAAAA2', 0, {
    approvers: { users: Array.from({ length: half }, (_, i) => user(i + 1)), groups: [] },
  });
  const b = waiting('R-BBBBBBB2', 1, {
    approvers: { users: Array.from({ length: half }, (_, i) => user(half + i + 1)), groups: [] },
  });
  const c = waiting('R-CCCCCCC3', 2, { approvers: { users: [user(99)], groups: [] } });
  const w = await world([a, b, c]);
  // b brings the count to exactly the most; c would pass it.
  expect(await w.claimedIds(a)).toEqual([b.id]);
});

describe('groupClaimHeldUntil', () => {
  const now = new Date(Date.parse(CREATED) + 2 * HOUR);
  const markedAt = new Date(now.getTime() - MINUTE).toISOString();

  test("a mark this request's own run wrote holds nothing back", () => {
    const a = waiting('R-AAAAAAA2', 0);
    const own: AccessRequest = { ...a, policy: { ...a.policy!, remindedAt: markedAt, remindedBy: a.id } };
    expect(groupClaimHeldUntil(own, 'remindedAt', now)).toBeUndefined();
  });

  test("another request's fresh mark holds it back until the claim window ends", () => {
    const a = waiting('R-AAAAAAA2', 0);
    const claimed: AccessRequest = { ...a, policy: { ...a.policy!, remindedAt: markedAt, remindedBy: 'R-BBBBBBB2' } };
    expect(groupClaimHeldUntil(claimed, 'remindedAt', now)).toBeInstanceOf(Date);
  });
});

describe('olderSiblingMayTake', () => {
  async function holdFor(older: AccessRequest, request: AccessRequest) {
    const clock = new FakeClock(new Date(Date.parse(CREATED) + 2 * HOUR).toISOString());
    const stores = memoryStores(clock);
    for (const r of [older, request]) await stores.requests.create(r);
    const ports = { store: stores.requests, clock, sent: async () => false, jobDue: async () => true };
    return olderSiblingMayTake(ports, request, 'remind', [older, request]);
  }

  test('an older sibling whose job is due, mentioning few enough with it: this run holds back for it', async () => {
    expect((await holdFor(waiting('R-AAAAAAA2', 0), waiting('R-BBBBBBB2', 1)))?.id).toBe('R-AAAAAAA2');
  });

  test('not for one whose post would leave this one out (too many approvers between them)', async () => {
    const many = (from: number, n: number) => ({
      approvers: { users: Array.from({ length: n }, (_, i) => user(from + i)), groups: [] },
    });
    const older = waiting('R-AAAAAAA2', 0, many(1, MAX_GROUPED_MENTIONS));
    expect(await holdFor(older, waiting('R-BBBBBBB2', 1, many(100, 1)))).toBeUndefined();
  });

  test("not for an extension whose original's access is gone", async () => {
    const older = waiting('R-AAAAAAA2', 0, {}, { extendsRequestId: 'R-GGGGGGG7' });
    expect(await holdFor(older, waiting('R-BBBBBBB2', 1))).toBeUndefined();
  });
});

describe('siblingsStillDue', () => {
  test('a claimed sibling expired since, re-marked, or claimed by another request since is dropped', async () => {
    const a = waiting('R-AAAAAAA2', 0);
    const at = new Date(Date.parse(CREATED) + 2 * HOUR).toISOString();
    const claim = (r: AccessRequest): AccessRequest => ({
      ...r,
      policy: { ...r.policy!, remindedAt: at, remindedBy: a.id },
    });
    const kept = claim(waiting('R-BBBBBBB2', 1));
    const expiring = claim(
      waiting('R-CCCCCCC3', 2, {}, { expiresAt: new Date(Date.parse(at) + MINUTE).toISOString() }),
    );
    const remarked = claim(waiting('R-DDDDDDD4', 3));
    const reclaimed = claim(waiting('R-EEEEEEE5', 4));
    const w = await world([kept, expiring, remarked, reclaimed]);
    const later = new Date(Date.parse(at) + 30 * MINUTE).toISOString();
    const stored = (r: AccessRequest, policy: Partial<NonNullable<AccessRequest['policy']>>) =>
      w.stores.requests.update({ ...r, version: r.version + 1, policy: { ...r.policy!, ...policy } });
    // Re-marked by a later run of the same request (a retry's claim, not this one).
    await stored(remarked, { remindedAt: later });
    await stored(reclaimed, { remindedBy: 'R-FFFFFFF6' });
    w.clock.set(new Date(Date.parse(at) + 2 * MINUTE));
    const still = await siblingsStillDue(
      w.stores.requests,
      w.clock,
      [kept, expiring, remarked, reclaimed],
      'remindedAt',
    );
    expect(still.map((r) => r.id)).toEqual([kept.id]);
  });
});

/**
 * nudge-siblings.ts, olderSiblingMayTake's look limit: at most MAX_NUDGE_SIBLINGS + 1 older
 * siblings that need a read are looked at (an older post takes its MAX_NUDGE_SIBLINGS oldest
 * first), so the (MAX_NUDGE_SIBLINGS + 1)th is still looked at and one past it is not. Pinned in
 * both branches: unmarked siblings (their job due or not) and marked ones (their claimer's entry
 * written or not).
 */
import { MAX_NUDGE_SIBLINGS } from '../../src/domain/nudge-group';
import type { AccessRequest } from '../../src/domain/request';
import { type HoldPorts, olderSiblingMayTake } from '../../src/flows/nudge-siblings';
import { memoryStores } from '../../src/integrations/store/open-stores';
import { FakeClock, HOUR, MINUTE } from './support/fake-clock';
import { rule } from './support/policy-fixtures';
import { APPROVER, pendingRequest } from './support/requests';

const CREATED = '2025-01-15T09:00:00.000Z';
const NOW = new Date(Date.parse(CREATED) + 2 * HOUR).toISOString();
const RULE_CHANNEL = '19:approvers@thread.tacv2';

/** A pending request filed `minutesAfter` CREATED, bound to rule prod posting in RULE_CHANNEL. */
function waiting(id: string, minutesAfter: number, extra: Partial<AccessRequest> = {}): AccessRequest {
  const createdAt = new Date(Date.parse(CREATED) + minutesAfter * MINUTE).toISOString();
  const bound = rule('prod', {
    channel: RULE_CHANNEL,
    remindAfterMs: HOUR,
    approvers: { users: [APPROVER.objectId], groups: [] },
    escalateTo: { channel: '19:escalation@thread.tacv2', groups: [] },
  });
  return pendingRequest({
    id,
    createdAt,
    policy: { ruleId: 'prod', policyHash: 'h', approvalsRequired: 1, rule: bound },
    ...extra,
  });
}

const olderId = (n: number) => `R-K${String(n).padStart(6, '0')}2`;
const REQUEST_ID = 'R-ZZZZZZZ9';

/** `count` older siblings (oldest first), then the request itself, filed after all of them. */
function burst(count: number, marked: boolean): { older: AccessRequest[]; request: AccessRequest } {
  // Marked a minute ago by its own run (no claimer named: the claimer is itself), within the window.
  const remindedAt = new Date(Date.parse(NOW) - MINUTE).toISOString();
  const older = Array.from({ length: count }, (_, i) => {
    const r = waiting(olderId(i + 1), i);
    return marked ? { ...r, policy: { ...r.policy!, remindedAt } } : r;
  });
  return { older, request: waiting(REQUEST_ID, count + 5) };
}

/** olderSiblingMayTake over a memory store; only `holdsId`'s job is due (unmarked) or unsent (marked). */
async function mayTake(count: number, marked: boolean, holdsId: string): Promise<string | undefined> {
  const clock = new FakeClock(NOW);
  const stores = memoryStores(clock);
  const { older, request } = burst(count, marked);
  for (const r of [...older, request]) await stores.requests.create(r);
  const ports: HoldPorts = {
    store: stores.requests,
    clock,
    sent: async (id) => id !== holdsId,
    jobDue: async (id) => id === holdsId,
  };
  return (await olderSiblingMayTake(ports, request, 'remind', [...older, request]))?.id;
}

describe('olderSiblingMayTake looks at MAX_NUDGE_SIBLINGS + 1 older siblings, no more', () => {
  const last = MAX_NUDGE_SIBLINGS + 1;

  test('unmarked: the (MAX_NUDGE_SIBLINGS + 1)th older sibling, the only one whose job is due, holds it back', async () => {
    expect(await mayTake(last, false, olderId(last))).toBe(olderId(last));
  });

  test('unmarked: one past it is not looked at', async () => {
    expect(await mayTake(last + 1, false, olderId(last + 1))).toBeUndefined();
  });

  test("marked: the (MAX_NUDGE_SIBLINGS + 1)th older sibling, the only one whose post's entry is missing, holds it back", async () => {
    expect(await mayTake(last, true, olderId(last))).toBe(olderId(last));
  });

  test('marked: one past it is not looked at', async () => {
    expect(await mayTake(last + 1, true, olderId(last + 1))).toBeUndefined();
  });
});

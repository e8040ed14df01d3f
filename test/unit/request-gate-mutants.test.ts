/**
 * Edges of request-gate.ts the other gate tests leave open (found by mutation testing): when the
 * read window reopens and how its refusal counts; which refusals are audited once per window and
 * per what; the pending cap's list of requests; whose requests are twins; and which drifted
 * grants of a pair a new grant's approvers are told of.
 */
import type { AccessRequest } from '../../src/domain/request';
import { driftedOnPair, pendingTwins, RequestGate } from '../../src/flows/request-gate';
import { MemoryAbuseLedger } from '../../src/integrations/store/memory-coordination';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { FakeClock } from './support/fake-clock';
import { grantPlan, pendingRequest, REQUESTER } from './support/requests';

const MINUTE = 60_000;

/** A gate at 09:03 UTC (memory ledger, `store`: empty unless given) with `limits` over five pending and ten a minute. */
function gate(limits: Partial<ConstructorParameters<typeof RequestGate>[3]> = {}, store = new MemoryRequestStore()) {
  const clock = new FakeClock('2025-01-15T09:03:00.000Z');
  const ledger = new MemoryAbuseLedger();
  const g = new RequestGate(ledger, store, clock, { maxPendingPerUser: 5, requestsPerMinute: 10, ...limits });
  return { gate: g, clock, ledger, store };
}

describe('admitRead', () => {
  test('one read allowed: the refusal says "1 read command" and names the end of the fixed window', async () => {
    const { gate: g } = gate({ readsPer10Minutes: 1 });
    expect(await g.admitRead(REQUESTER)).toBeUndefined();
    const refusal = await g.admitRead(REQUESTER);
    expect(refusal?.code).toBe('limits.reads');
    expect(refusal?.message).toContain('You have run 1 read command (check,');
    expect(refusal?.message).toContain('try again at 09:10 UTC');
  });
});

describe('admit', () => {
  test('the rate counts in a minute: the next minute admits again', async () => {
    const { gate: g, clock } = gate({ requestsPerMinute: 1 });
    expect(await g.admit(REQUESTER, undefined)).toBeUndefined();
    expect((await g.admit(REQUESTER, undefined))?.code).toBe('limits.rate');
    clock.advance(MINUTE);
    expect(await g.admit(REQUESTER, undefined)).toBeUndefined();
  });

  test('a pending-cap check that fails takes the activity mark back, so its redelivery is handled', async () => {
    const down = { countByRequester: () => Promise.reject(new Error('store down')) } as unknown as MemoryRequestStore;
    const { gate: g, ledger, clock } = gate({}, down);
    await expect(g.admit(REQUESTER, 'conv|act-1')).rejects.toThrow('store down');
    // Marked again now: the failed turn's mark was taken back.
    expect(await ledger.firstSighting('activity:conv|act-1', clock.now(), 60_000)).toBe(true);
  });

  test('the pending-cap refusal names up to ten of the requests waiting', async () => {
    const store = new MemoryRequestStore();
    const ids = Array.from({ length: 12 }, (_, i) => `R-PEND${String(i).padStart(4, '0')}`);
    for (const id of ids) await store.create(pendingRequest({ id }));
    const { gate: g } = gate({ maxPendingPerUser: 12 }, store);
    const message = (await g.admit(REQUESTER, undefined))?.message ?? '';
    expect(ids.filter((id) => message.includes(id))).toHaveLength(10);
  });
});

describe('refusals audited once per window', () => {
  test('a pending-cap refusal is first again once the next fixed minute begins', async () => {
    const { gate: g, clock } = gate();
    clock.advance(MINUTE / 2); // 09:03:30
    expect(await g.firstRefusalInWindow(REQUESTER, 'limits.pending')).toBe(true);
    expect(await g.firstRefusalInWindow(REQUESTER, 'limits.pending')).toBe(false);
    // 09:04:00: half a minute after the first, but in the next window.
    clock.advance(MINUTE / 2);
    expect(await g.firstRefusalInWindow(REQUESTER, 'limits.pending')).toBe(true);
  });

  test('a redelivery is never a first: Teams sent again a message whose first delivery was audited', async () => {
    const { gate: g } = gate();
    expect(await g.firstRefusalInWindow(REQUESTER, 'limits.redelivered')).toBe(false);
  });

  test('a refused read by id is first once per request; a tenant refusal once per ask; a turn once per code', async () => {
    const { gate: g } = gate();
    expect(await g.firstRequestReadRefusalInWindow(REQUESTER, 'status.refused', 'R-AAAAAAAA')).toBe(true);
    expect(await g.firstRequestReadRefusalInWindow(REQUESTER, 'status.refused', 'R-BBBBBBBB')).toBe(true);
    expect(await g.firstRequestReadRefusalInWindow(REQUESTER, 'status.refused', 'R-AAAAAAAA')).toBe(false);
    expect(await g.firstTenantRefusalInWindow(REQUESTER, 'revoke', 'R-AAAAAAAA')).toBe(true);
    expect(await g.firstTenantRefusalInWindow(REQUESTER, 'extend', 'R-AAAAAAAA')).toBe(true);
    expect(await g.firstTenantRefusalInWindow(REQUESTER, 'revoke', 'R-AAAAAAAA')).toBe(false);
    expect(await g.firstTurnRefusalInWindow('tenant-x', 'sender-1', 'tenant')).toBe(true);
    expect(await g.firstTurnRefusalInWindow('tenant-x', 'sender-1', 'channel')).toBe(true);
    expect(await g.firstTurnRefusalInWindow('tenant-x', 'sender-1', 'tenant')).toBe(false);
  });
});

describe('twins', () => {
  test("a requester's pending grant is a twin whatever the case of their object id", async () => {
    const store = new MemoryRequestStore();
    const upper = { ...REQUESTER, objectId: REQUESTER.objectId.toUpperCase() };
    await store.create(pendingRequest({ id: 'R-AAAAAAAA', requester: upper }));
    const { gate: g } = gate({}, store);
    expect((await g.twinRefusal(REQUESTER, grantPlan()))?.twinId).toBe('R-AAAAAAAA');
  });

  test('the request looked at again after its create is not its own twin', async () => {
    const store = new MemoryRequestStore();
    await store.create(pendingRequest({ id: 'R-AAAAAAAA' }));
    expect(await pendingTwins(store, REQUESTER.objectId, grantPlan(), 5, 'R-AAAAAAAA')).toEqual([]);
  });
});

describe('driftedOnPair', () => {
  const plan = grantPlan();
  /** A running grant of `plan`'s pair whose assignment was deleted at `at`. */
  const drifted = (id: string, at: string, overrides: Partial<AccessRequest> = {}) =>
    pendingRequest({
      id,
      state: 'succeeded',
      access: { durationMs: 3_600_000, driftDetectedAt: at, driftReason: 'deleted' },
      ...overrides,
    });

  /** The ids of `requests` that a new grant of `asked` (default: the pair's plan) is told drifted. */
  async function told(requests: AccessRequest[], asked = plan) {
    const store = new MemoryRequestStore();
    for (const r of requests) await store.create(r);
    return (await driftedOnPair(store, asked)).map((d) => d.requestId);
  }

  test('an extension, another identity or an assignment made again since is not told; the identity compares case-insensitively', async () => {
    const other = { ...plan, identity: { ...plan.identity, objectId: '0d000000-0000-4000-8000-0000000000d9' } };
    const upper = { ...plan, identity: { ...plan.identity, objectId: plan.identity.objectId.toUpperCase() } };
    expect(
      await told(
        [
          drifted('R-DRIFTED1', '2025-01-14T08:00:00.000Z'),
          drifted('R-EXTENDS1', '2025-01-14T08:00:00.000Z', { extendsRequestId: 'R-DRIFTED1' }),
          drifted('R-OTHERID1', '2025-01-14T08:00:00.000Z', { plan: other }),
        ],
        upper,
      ),
    ).toEqual(['R-DRIFTED1']);
    // A later grant's PUT of the same assignment, recorded after the drift: that approval overrode it.
    const remade = pendingRequest({
      id: 'R-REMADE01',
      state: 'succeeded',
      access: { durationMs: 3_600_000 },
      created: [{ kind: 'roleAssignment', name: plan.roleAssignmentName, recordedAt: '2025-01-14T09:00:00.000Z' }],
    } as Partial<AccessRequest>);
    expect(await told([drifted('R-DRIFTED1', '2025-01-14T08:00:00.000Z'), remade])).toEqual([]);
  });

  test('at most three are told, the newest drifts', async () => {
    expect(
      await told([
        drifted('R-DRIFTED1', '2025-01-11T08:00:00.000Z'),
        drifted('R-DRIFTED2', '2025-01-12T08:00:00.000Z'),
        drifted('R-DRIFTED3', '2025-01-13T08:00:00.000Z'),
        drifted('R-DRIFTED4', '2025-01-14T08:00:00.000Z'),
      ]),
    ).toEqual(['R-DRIFTED4', 'R-DRIFTED3', 'R-DRIFTED2']);
  });
});

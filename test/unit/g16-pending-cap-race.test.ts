/**
 * G16: the pending cap holds when two requests of one user pass the gate at the same moment (two
 * instances on one store, or two turns of one process). The gate counts before planning; the
 * create counts again after its write and withdraws its own request when the user is over the
 * cap, audited as a refusal and answered with the gate's sentence.
 */
import { isUserFacing } from '../../src/domain/errors';
import type { AccessRequest } from '../../src/domain/request';
import { RequestGate } from '../../src/flows/request-gate';
import { RequestService } from '../../src/flows/request-service';
import type { FlowSettings } from '../../src/flows/settings';
import { memoryStores, sqliteStores, type Stores } from '../../src/integrations/store/open-stores';
import { createLogger } from '../../src/observability/logger';
import { FakeClock } from './support/fake-clock';
import { fakeDirectory } from './support/fake-directory';
import { APPROVER, grantPlan, REQUESTER } from './support/requests';
import { useTempDir } from './support/temp-dir';

const TENANT = '5b1e2c3d-0000-4000-8000-00000000a0a0';
const settings: FlowSettings = {
  approvalTtlMs: 24 * 3_600_000,
  approverIds: [APPROVER.objectId],
  auditorIds: [],
  approverJustificationRequired: false,
  principalRetryDelaysMs: [],
  sandbox: true,
};
const log = createLogger({ level: 'silent' });
const tmp = useTempDir('acrbot-g16-race-');

/** One bot instance: its own service and gate on the stores it was given. */
function instance(stores: Stores, clock: FakeClock, maxPendingPerUser: number) {
  const service = new RequestService(
    stores.requests,
    stores.audit,
    fakeDirectory(),
    clock,
    settings,
    { requestChanged: async () => undefined },
    log,
  );
  const gate = new RequestGate(stores.abuse, stores.requests, clock, { maxPendingPerUser, requestsPerMinute: 100 });
  return { service, gate };
}

/** Creates as the request handler does once the gate admitted: the cap counted again after the write. */
async function file(
  one: ReturnType<typeof instance>,
  cap: number,
  reason: string,
  refuseTwins = false,
  plan = grantPlan(),
): Promise<AccessRequest | { refused: string; message: string }> {
  try {
    return await one.service.create({
      requester: REQUESTER,
      tenantId: TENANT,
      reason,
      plan,
      origin: { conversationId: '19:general@thread.tacv2', conversationType: 'channel' },
      pendingCap: cap,
      refuseTwins,
    });
  } catch (err) {
    if (isUserFacing(err)) return { refused: err.code, message: err.message };
    throw err;
  }
}

type Backend = { name: string; open: (clock: FakeClock) => [Stores, Stores] };

const backends: Backend[] = [
  {
    name: 'memory (two turns of one process)',
    open: (clock) => {
      const stores = memoryStores(clock);
      return [stores, stores];
    },
  },
  {
    name: 'SQLite file (two instances, two connections)',
    open: (clock) => {
      const path = tmp.path('race.db');
      return [sqliteStores(path, clock), sqliteStores(path, clock)];
    },
  },
];

describe.each(backends)('G16 pending cap under concurrent creates: $name', ({ open }) => {
  let opened: Stores[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  test('two requests of one user at once, one place left under the cap: at most the cap ends pending', async () => {
    const clock = new FakeClock();
    const [storesA, storesB] = open(clock);
    opened = storesA === storesB ? [storesA] : [storesA, storesB];
    const cap = 2;
    const a = instance(storesA, clock, cap);
    const b = instance(storesB, clock, cap);
    const earlier = await file(a, cap, 'the one already waiting');
    expect('id' in earlier).toBe(true);

    // Both pass the door: each counts one pending, under the cap of two.
    const admitted = await Promise.all([a.gate.admit(REQUESTER, 'c|act-1'), b.gate.admit(REQUESTER, 'c|act-2')]);
    expect(admitted).toEqual([undefined, undefined]);
    const results = await Promise.all([file(a, cap, 'first at once'), file(b, cap, 'second at once')]);

    const pending = await storesA.requests.listByRequester(REQUESTER.objectId, ['pending']);
    expect(pending.length).toBeLessThanOrEqual(cap);
    expect(pending.map((r) => r.id)).toContain((earlier as AccessRequest).id);
    const refused = results.filter((r): r is { refused: string; message: string } => 'refused' in r);
    const kept = results.filter((r): r is AccessRequest => 'id' in r);
    // Every create either stands (pending) or was withdrawn and said so: none is lost silently.
    expect(kept.length + refused.length).toBe(2);
    expect(kept.length + 1).toBe(pending.length);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.refused).toBe('limits.pending');
      // The gate's sentence, naming what is waiting.
      expect(r.message).toContain(`You already have ${cap} requests waiting for approval (at most ${cap})`);
      expect(r.message).toContain((earlier as AccessRequest).id);
    }

    // Each withdrawn request is cancelled (a conditional write) and audited as the refusal it is.
    const all = await storesA.requests.listByRequester(REQUESTER.objectId, ['pending', 'cancelled']);
    const withdrawn = all.filter((r) => r.state === 'cancelled');
    expect(withdrawn).toHaveLength(refused.length);
    for (const r of withdrawn) {
      const actions = (await storesA.audit.forRequest(r.id)).map((e) => e.action);
      expect(actions).toEqual(['request.created', 'request.refused.pending']);
    }
  });

  test('a create under the cap stands; one over it (the gate passed earlier) is withdrawn, the others kept', async () => {
    const clock = new FakeClock();
    const [stores] = open(clock);
    opened = [stores];
    const one = instance(stores, clock, 1);
    expect(await one.gate.admit(REQUESTER, 'c|act-a')).toBeUndefined();
    expect(await one.gate.admit(REQUESTER, 'c|act-b')).toBeUndefined();
    const first = await file(one, 1, 'first');
    const second = await file(one, 1, 'second');
    expect('id' in first && first.state).toBe('pending');
    expect(second).toEqual({
      refused: 'limits.pending',
      message: expect.stringContaining((first as AccessRequest).id),
    });
    const pending = await stores.requests.listByRequester(REQUESTER.objectId, ['pending']);
    expect(pending.map((r) => r.id)).toEqual([(first as AccessRequest).id]);
    // The sentence names the requests still waiting, not the one just withdrawn.
    const [withdrawn] = await stores.requests.listByRequester(REQUESTER.objectId, ['cancelled']);
    expect((second as { message: string }).message).not.toContain(withdrawn!.id);
  });

  test('two twins at once (same cluster and registry) both pass the door: exactly one stays waiting, and the other refusal names it', async () => {
    const clock = new FakeClock();
    const [storesA, storesB] = open(clock);
    opened = storesA === storesB ? [storesA] : [storesA, storesB];
    const a = instance(storesA, clock, 10);
    const b = instance(storesB, clock, 10);
    // The handler's look before the create: neither sees the other yet.
    expect(await a.gate.twinRefusal(REQUESTER, grantPlan())).toBeUndefined();
    expect(await b.gate.twinRefusal(REQUESTER, grantPlan())).toBeUndefined();
    const results = await Promise.all([file(a, 10, 'one', true), file(b, 10, 'the same at once', true)]);

    // Withdrawing on any twin would withdraw both (each seeing the other), leaving nothing
    // waiting and each refusal naming a request that is not: the first made stays.
    const pending = await storesA.requests.listByRequester(REQUESTER.objectId, ['pending']);
    expect(pending).toHaveLength(1);
    const refused = results.filter((r): r is { refused: string; message: string } => 'refused' in r);
    const kept = results.filter((r): r is AccessRequest => 'id' in r);
    expect(kept.map((r) => r.id)).toEqual(pending.map((r) => r.id));
    expect(refused).toHaveLength(1);
    const all = await storesA.requests.listByRequester(REQUESTER.objectId, ['pending', 'cancelled']);
    for (const r of refused) {
      expect(r.refused).toBe('limits.duplicate');
      expect(r.message).toContain(`You already have ${pending[0]!.id} waiting for approval for `);
    }
    for (const r of all.filter((x) => x.state === 'cancelled')) {
      const actions = (await storesA.audit.forRequest(r.id)).map((e) => e.action);
      expect(actions).toEqual(['request.created', 'request.refused.duplicate']);
    }
  });

  test('a twin filed after the first is withdrawn naming it; a create not asked to look is not', async () => {
    const clock = new FakeClock();
    const [stores] = open(clock);
    opened = [stores];
    const one = instance(stores, clock, 10);
    const first = (await file(one, 10, 'first', true)) as AccessRequest;
    expect(first.state).toBe('pending');
    // Made after it (the order the withdrawal goes by: createdAt, then the audit chain).
    clock.advance(1_000);
    expect(await file(one, 10, 'twin', true)).toEqual({
      refused: 'limits.duplicate',
      message: expect.stringContaining(`You already have ${first.id} waiting for approval`),
    });
    // Without the flag (an extension's create, say) nothing is looked at again.
    expect('id' in (await file(one, 10, 'not looked at', false))).toBe(true);
  });

  test('a twin filed after the first in the same millisecond is withdrawn: the audit chain orders them, not their ids', async () => {
    const clock = new FakeClock();
    const [stores] = open(clock);
    opened = [stores];
    const one = instance(stores, clock, 20);
    // Eight targets, each asked twice one after the other without the clock moving: ordered by
    // id, about half of the later ones would stay waiting beside the first.
    for (let n = 0; n < 8; n++) {
      const plan = grantPlan();
      plan.registry = { ...plan.registry, id: `${plan.registry.id}${n}`, name: `${plan.registry.name}${n}` };
      const first = (await file(one, 20, 'first', true, plan)) as AccessRequest;
      expect(first.state).toBe('pending');
      expect(await file(one, 20, 'same millisecond', true, plan)).toEqual({
        refused: 'limits.duplicate',
        message: expect.stringContaining(`You already have ${first.id} waiting for approval`),
      });
    }
  });
});

/**
 * G16: a redelivered activity is one request, but only if the first attempt got that far. The
 * gate marks the activity as received before the rate and pending checks; when a check fails (a
 * store error), the mark is taken back, so Teams' redelivery of the failed turn is handled
 * instead of answered "already received" for a request that was never made.
 */
import type { RequestStore } from '../../src/domain/ports';
import { RequestGate } from '../../src/flows/request-gate';
import { memoryStores, sqliteStores, type Stores } from '../../src/integrations/store/open-stores';
import { FakeClock, SECOND } from './support/fake-clock';
import { REQUESTER } from './support/requests';

/** The gate's view of the request store, failing the pending count while `failing` is set. */
class FlakyCounts implements Pick<RequestStore, 'listByRequester' | 'countByRequester' | 'listByTarget'> {
  failing = false;
  constructor(private readonly store: RequestStore) {}
  listByRequester: RequestStore['listByRequester'] = (...args) => this.store.listByRequester(...args);
  listByTarget: RequestStore['listByTarget'] = (...args) => this.store.listByTarget(...args);
  countByRequester: RequestStore['countByRequester'] = async (...args) => {
    if (this.failing) throw new Error('request store unavailable (test fault)');
    return this.store.countByRequester(...args);
  };
}

const backends: { name: string; open: (clock: FakeClock) => Stores }[] = [
  { name: 'memory', open: (clock) => memoryStores(clock) },
  { name: 'SQLite', open: (clock) => sqliteStores(':memory:', clock) },
];

describe.each(backends)('G16 redelivery after a failed first attempt: $name', ({ open }) => {
  let stores: Stores | undefined;
  afterEach(async () => {
    await stores?.close();
  });

  function setup(requestsPerMinute = 10) {
    const clock = new FakeClock();
    stores = open(clock);
    const counts = new FlakyCounts(stores.requests);
    const gate = new RequestGate(stores.abuse, counts, clock, { maxPendingPerUser: 5, requestsPerMinute });
    return { clock, counts, gate };
  }

  test('a check that fails leaves the activity unreceived: the redelivery is admitted, a third delivery is not', async () => {
    const { clock, counts, gate } = setup();
    counts.failing = true;
    await expect(gate.admit(REQUESTER, '19:c|act-1')).rejects.toThrow('request store unavailable (test fault)');
    counts.failing = false;
    clock.advance(5 * SECOND);
    // Teams sends the failed turn again: nothing was made, so it is handled like the first time.
    expect(await gate.admit(REQUESTER, '19:c|act-1')).toBeUndefined();
    // Once admitted (the success path), it stays received: at most once.
    expect(await gate.admit(REQUESTER, '19:c|act-1')).toMatchObject({ code: 'limits.redelivered' });
  });

  test('a refusal by the limits still counts as received (only a failure is taken back)', async () => {
    const { gate } = setup(0);
    expect(await gate.admit(REQUESTER, '19:c|act-2')).toMatchObject({ code: 'limits.rate' });
    expect(await gate.admit(REQUESTER, '19:c|act-2')).toMatchObject({ code: 'limits.redelivered' });
  });
});

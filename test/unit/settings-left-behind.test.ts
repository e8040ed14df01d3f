/**
 * What a narrowed setting left, said at start (settings-left-behind.ts, background.ts
 * warnOfNarrowedSettings): live permanent access while ACRBOT_ALLOW_PERMANENT is off, and
 * pending and live requests on a cluster or registry of a subscription ACRBOT_SUBSCRIPTION_IDS
 * no longer lists, each one warning with its count and the ids to act on; nothing when nothing
 * was left. Read by state, each read bounded. Memory store, captured log.
 */
import type { RequestStore } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import { warnOfNarrowedSettings } from '../../src/composition/background';
import { listsToCount, type NarrowedSettings, settingsLeftBehind } from '../../src/flows/settings-left-behind';
import { WAITING_SCAN_LIMIT } from '../../src/flows/waiting-for-approvers';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { LogCapture } from '../helpers/log-capture';
import { grantPlan, pendingRequest, SUB } from './support/requests';

const DAY = 24 * 3_600_000;
const GONE = '9f0c0000-0000-4000-8000-000000000009';
const PERMANENT_LINE =
  'permanent access is still live though ACRBOT_ALLOW_PERMANENT is off; it never ends: revoke it (@acrbot revoke REQUEST-ID REASON, for each of requestIds)';
const UNLISTED_LINE =
  'requests on clusters or registries of subscriptions no longer in ACRBOT_SUBSCRIPTION_IDS remain: reject the pending ones, and revoke the live ones (@acrbot revoke REQUEST-ID REASON) before acrbot loses its rights there, or add the subscription back';

/** A live grant: permanent, or ending in 30 days. */
const live = (id: string, permanent: boolean, overrides: Partial<AccessRequest> = {}): AccessRequest =>
  pendingRequest({
    id,
    state: 'succeeded',
    access: permanent ? { permanent: true } : { durationMs: 30 * DAY, expiresAt: '2025-02-15T09:00:00.000Z' },
    ...overrides,
  });

/** The plan of {@link grantPlan} with its registry (or its cluster) in the subscription {@link GONE}. */
function planIn(which: 'registry' | 'cluster'): AccessRequest['plan'] {
  const plan = grantPlan();
  return { ...plan, [which]: { ...plan[which], subscriptionId: GONE.toUpperCase() } };
}

async function storeOf(...requests: AccessRequest[]): Promise<MemoryRequestStore> {
  const store = new MemoryRequestStore();
  for (const r of requests) await store.create(r);
  return store;
}

/** The warnings the start writes for `store` under `narrowed`. */
async function startWarnings(store: MemoryRequestStore, narrowed: NarrowedSettings) {
  const logs = new LogCapture();
  await warnOfNarrowedSettings(store, { narrowed }, logs.logger('info'));
  return logs.entries().filter((e) => Number(e.level) >= 40);
}

test('ACRBOT_ALLOW_PERMANENT off: live permanent access is counted and named, ended or timed access is not', async () => {
  const store = await storeOf(
    live('R-PERM0001', true),
    live('R-PERM0002', true, { plan: planIn('cluster') }),
    live('R-TIMED001', false),
    pendingRequest({ id: 'R-PERMWAIT', access: { permanent: true } }),
    live('R-PERMGONE', true, { state: 'revoked' }),
  );

  expect(await startWarnings(store, { allowPermanent: false, subscriptionIds: [] })).toEqual([
    expect.objectContaining({
      level: 40,
      msg: PERMANENT_LINE,
      permanent: 2,
      requestIds: ['R-PERM0001', 'R-PERM0002'],
      boundReached: false,
    }),
  ]);
  // Allowed, it is what the deployment means: nothing to say (its live requests read all the same).
  expect(await startWarnings(store, { allowPermanent: true, subscriptionIds: [SUB, GONE] })).toEqual([]);
});

test('a subscription taken out of ACRBOT_SUBSCRIPTION_IDS: its pending and live requests are counted, by cluster or registry', async () => {
  const store = await storeOf(
    pendingRequest({ id: 'R-WAITGONE', plan: planIn('registry') }),
    live('R-LIVEGONE', false, { plan: planIn('cluster') }),
    live('R-LIVEHERE', false),
    pendingRequest({ id: 'R-WAITHERE' }),
    live('R-ENDEDGON', false, { state: 'revoked', plan: planIn('registry') }),
  );

  // Listed as typed in another case: the same subscription.
  expect(await startWarnings(store, { allowPermanent: true, subscriptionIds: [SUB.toUpperCase(), GONE] })).toEqual([]);
  expect(await startWarnings(store, { allowPermanent: true, subscriptionIds: [SUB] })).toEqual([
    expect.objectContaining({
      level: 40,
      msg: UNLISTED_LINE,
      pending: 1,
      active: 1,
      subscriptionIds: [GONE],
      requestIds: ['R-WAITGONE', 'R-LIVEGONE'],
      boundReached: false,
    }),
  ]);
});

test('a request whose cluster and registry are each in a subscription no longer listed names both', async () => {
  const other = '9f0c0000-0000-4000-8000-00000000000a';
  const plan = planIn('cluster');
  const store = await storeOf(
    pendingRequest({ id: 'R-WAITBOTH', plan: { ...plan, registry: { ...plan.registry, subscriptionId: other } } }),
  );

  expect(await startWarnings(store, { allowPermanent: true, subscriptionIds: [SUB] })).toEqual([
    expect.objectContaining({
      msg: UNLISTED_LINE,
      pending: 1,
      subscriptionIds: [GONE, other],
      requestIds: ['R-WAITBOTH'],
    }),
  ]);
});

test('both at once: one line each', async () => {
  const store = await storeOf(live('R-PERMGONE', true, { plan: planIn('registry') }));

  const warned = await startWarnings(store, { allowPermanent: false, subscriptionIds: [SUB] });

  expect(warned.map((e) => [e.msg, e.requestIds])).toEqual([
    [PERMANENT_LINE, ['R-PERMGONE']],
    [UNLISTED_LINE, ['R-PERMGONE']],
  ]);
});

test('each read is one bounded read by state, and a full one is said', async () => {
  const reads: Array<[string[], number | undefined]> = [];
  const full = Array.from({ length: WAITING_SCAN_LIMIT }, () => live('R-PERM0001', true));
  const store: Pick<RequestStore, 'listByState'> = {
    listByState: async (states, limit) => {
      reads.push([states, limit]);
      return states.includes('succeeded') ? full : [];
    },
  };

  const narrowed = { allowPermanent: false, subscriptionIds: [] };
  const left = settingsLeftBehind(await listsToCount(store, { tenants: false, narrowed }), narrowed);

  // No subscriptions to compare with: the pending requests are not read.
  expect(reads).toEqual([[['succeeded'], WAITING_SCAN_LIMIT]]);
  expect(left.boundReached).toBe(true);
  expect(left.permanent.active).toBe(WAITING_SCAN_LIMIT);
  expect(left.permanent.requestIds).toHaveLength(20);
  // Nothing asked of it: nothing read.
  reads.length = 0;
  await listsToCount(store, { tenants: false, narrowed: { allowPermanent: true, subscriptionIds: [] } });
  expect(reads).toEqual([]);
});

test('pending requests read for the tenants count leave the permanent count unbounded', () => {
  const pending = Array.from({ length: WAITING_SCAN_LIMIT }, () => pendingRequest());
  const lists = { pending, active: [live('R-PERM0001', true)] };

  // Permanent access is judged on the live requests alone: a full pending list says nothing of it.
  const left = settingsLeftBehind(lists, { allowPermanent: false, subscriptionIds: [] });
  expect(left.permanent.active).toBe(1);
  expect(left.boundReached).toBe(false);
  // With subscriptions listed, the pending requests are counted too, and their bound is said.
  expect(settingsLeftBehind(lists, { allowPermanent: false, subscriptionIds: [SUB] }).boundReached).toBe(true);
});

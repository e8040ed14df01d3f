/**
 * The start's counts of what narrowed settings left (tenants no longer served; permanent access
 * with ACRBOT_ALLOW_PERMANENT off; subscriptions no longer listed) each need the pending and the
 * live requests, up to WAITING_SCAN_LIMIT a state: they are listed once and shared, two reads
 * rather than four (on Azure Tables, each a state's index rows and a point read per request).
 */
import { warnOfNarrowedSettings } from '../../src/composition/background';
import type { RequestStore } from '../../src/domain/ports';
import { MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { LogCapture } from '../helpers/log-capture';
import { pendingRequest } from './support/requests';

const OTHER_TENANT = '7c000000-0000-4000-8000-0000000000c7';
const GONE_SUBSCRIPTION = '9f0c0000-0000-4000-8000-000000000009';

test('tenants and subscriptions narrowed: the pending and live requests are each listed once, and both lines still come', async () => {
  const store = new MemoryRequestStore();
  const waiting = pendingRequest({ id: 'R-WAIT0001', tenantId: OTHER_TENANT });
  await store.create(waiting);
  await store.create(pendingRequest({ id: 'R-LIVE0001', state: 'succeeded', access: { permanent: true } }));
  const reads: Parameters<RequestStore['listByState']>[] = [];
  const counting: Pick<RequestStore, 'listByState'> = {
    listByState: (...args) => {
      reads.push(args);
      return store.listByState(...args);
    },
  };
  const logs = new LogCapture();

  await warnOfNarrowedSettings(
    counting,
    {
      allowedTenantIds: [pendingRequest().tenantId],
      narrowed: { allowPermanent: false, subscriptionIds: [GONE_SUBSCRIPTION] },
    },
    logs.logger('info'),
  );

  expect(reads.map(([states]) => states)).toEqual([['pending'], ['succeeded']]);
  const lines = logs
    .entries()
    .filter((e) => Number(e.level) >= 40)
    .map((e) => String(e.msg));
  expect(lines).toEqual([
    'requests of tenants no longer served (ACRBOT_ALLOWED_TENANTS) remain',
    expect.stringContaining('permanent access is still live'),
    expect.stringContaining('subscriptions no longer in ACRBOT_SUBSCRIPTION_IDS remain'),
  ]);
});

/**
 * What the tests of a reminder to a requester whose tenant acrbot refuses share (another served
 * tenant than acrbot's own, a tenant no longer served): an AccessLifecycle at {@link NOW} over
 * memory stores that reminds a day before an end under the tenant settings a test gives, and
 * records what it tells the requester; and a grouped reminder's two rows.
 */
import type { AccessRequest } from '../../../src/domain/request';
import type { RequesterNews } from '../../../src/flows/lifecycle-messenger';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import type { GroupedReminderRow } from '../../../src/views/grouped-reminder-view';
import { quietLifecycle } from './access-lifecycle';
import { FakeClock } from './fake-clock';
import { DAY, ENDS, granted, NOW, reminderJob } from './reminder-lifecycle';

/** A tenant other than {@link granted}'s (policy-fixtures' TENANT). */
export const OTHER_TENANT = '99999999-0000-4000-8000-000000000009';

/** The tenant settings a test runs the reminder under (ACRBOT_ALLOWED_TENANTS, acrbot's own tenant). */
export interface TenantSettings {
  ownTenantId?: string;
  servedTenantIds: readonly string[];
}

/**
 * A lifecycle under `tenants` whose requester notices land in `news` (approvers are told
 * nothing), with {@link granted}'s one-day reminder job as `job`; the test stores the request.
 */
export function tenantReminderWorld(tenants: TenantSettings) {
  const clock = new FakeClock(NOW);
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const news: RequesterNews[] = [];
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    messenger: {
      tellRequester: async (_r: AccessRequest, n: RequesterNews) => void news.push(n),
      reportToApprovers: async () => undefined,
    },
    settings: { remindersMs: [DAY], ...tenants },
  });
  return { store, audit, lifecycle, news, job: reminderJob(granted.id) };
}

/** A grouped reminder's rows: {@link granted} and a copy of it, both ending at {@link ENDS}, each extendable by 30 days. */
export const TWO_ENDING: readonly GroupedReminderRow[] = [
  { request: granted, inMs: DAY, at: ENDS, credential: false, offeredMs: 30 * DAY },
  { request: { ...granted, id: 'R-OTHERXX9' }, inMs: DAY, at: ENDS, credential: false, offeredMs: 30 * DAY },
];

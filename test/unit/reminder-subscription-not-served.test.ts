/**
 * A reminder of access whose cluster or registry is in a subscription this deployment no longer
 * serves (ACRBOT_SUBSCRIPTION_IDS, served-subscriptions.ts): an extension of it is refused
 * (`extend.subscriptionUnserved`), so an Extend would be a button whose click is refused. The
 * reminder still goes (the access ends all the same), without Extend, saying why, and its audit
 * entry says it went without Extend and why; in a grouped reminder, only that access's row.
 */
import type { CloudAdapter } from 'botbuilder';
import { CardMessenger } from '../../src/bot/card-messenger';
import type { ScheduledJob } from '../../src/domain/ports';
import type { AccessRequest } from '../../src/domain/request';
import type { RequesterNews } from '../../src/flows/lifecycle-messenger';
import { accessReminderJobId } from '../../src/flows/reminder-end';
import { MemoryAuditLog, MemoryRequestStore } from '../../src/integrations/store/memory-stores';
import { createLogger } from '../../src/observability/logger';
import { expiryReminderCard } from '../../src/views/lifecycle-view';
import { quietLifecycle, recordingJobs } from './support/access-lifecycle';
import { FakeClock } from './support/fake-clock';
import { RecordingAdapter } from './support/recording-adapter';
import { DAY, ENDS, extendOffered, granted, NOW, reminderJob, shown } from './support/reminder-lifecycle';
import { SUB } from './support/requests';

const NEW_SUB = '2f0c0000-0000-4000-8000-000000000002';
const UNSERVED = { kind: 'cluster' as const, name: 'aks-prod', subscriptionId: SUB };
const base = { serviceUrl: 'https://smba.example/emea/', bot: { id: 'app-1', name: 'acrbot' } };

/** {@link granted}, its cluster and registry moved to subscription `sub`. */
function inSubscription(r: AccessRequest, sub: string): AccessRequest {
  const plan = r.plan as AccessRequest['plan'] & {
    cluster: { subscriptionId: string };
    registry: { subscriptionId: string };
  };
  return {
    ...r,
    plan: {
      ...plan,
      cluster: { ...plan.cluster, subscriptionId: sub },
      registry: { ...plan.registry, subscriptionId: sub },
    } as AccessRequest['plan'],
  };
}

function setup(servedSubscriptionIds: readonly string[]) {
  const clock = new FakeClock(NOW);
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const news: RequesterNews[] = [];
  const scheduled = new Map<string, ScheduledJob>();
  const { jobs } = recordingJobs(async (id: string) => scheduled.get(id));
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    jobs,
    messenger: {
      tellRequester: async (_r: AccessRequest, n: RequesterNews) => void news.push(n),
      reportToApprovers: async () => undefined,
    },
    settings: { remindersMs: [DAY], servedSubscriptionIds },
  });
  /** Stores `r` with a requester copy in Riley's chat and its day-before reminder job. */
  const add = async (r: AccessRequest) => {
    await store.create(r);
    await store.addCardCopy({
      requestId: r.id,
      role: 'requester',
      activityId: `act-${r.id}`,
      conversation: { ...base, conversation: { id: 'a:riley-chat', tenantId: r.tenantId } },
    });
    const id = accessReminderJobId(r.id, DAY);
    scheduled.set(id, {
      id,
      kind: 'access.remind',
      dueAt: new Date(Date.parse(r.access!.expiresAt!) - DAY).toISOString(),
      requestId: r.id,
      payload: { beforeMs: DAY },
      attempts: 0,
    });
  };
  return { store, audit, lifecycle, news, add, job: reminderJob(granted.id) };
}

describe('a reminder of access in a subscription no longer served', () => {
  test('goes without Extend, and its entry says why', async () => {
    const t = setup([NEW_SUB]);
    await t.add(granted);
    await t.lifecycle.onReminder(t.job);
    expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY, unserved: UNSERVED }]);
    const [entry] = await t.audit.forRequest(granted.id);
    expect(entry).toMatchObject({ action: 'access.reminded', outcome: 'sent' });
    expect(entry!.detail).toBe(
      `expires ${ENDS}; without Extend: cluster aks-prod is in subscription ${SUB}, which this deployment no longer serves (ACRBOT_SUBSCRIPTION_IDS)`,
    );
  });

  test('a subscription still served (any case), or none listed: Extend as before', async () => {
    for (const served of [[NEW_SUB, SUB.toUpperCase()], []]) {
      const t = setup(served);
      await t.add(granted);
      await t.lifecycle.onReminder(t.job);
      expect(t.news).toEqual([{ kind: 'expiring', inMs: DAY }]);
      expect((await t.audit.forRequest(granted.id))[0]!.detail).toBe(`expires ${ENDS}`);
    }
  });

  test('grouped: only the row of the access no longer served goes without Extend, and only its entry says so', async () => {
    const t = setup([NEW_SUB]);
    const other = inSubscription({ ...granted, id: 'R-OTHERXX9' }, NEW_SUB);
    await t.add(granted);
    await t.add(other);
    await t.lifecycle.onReminder(t.job);
    expect(t.news).toHaveLength(1);
    const grouped = t.news[0] as Extract<RequesterNews, { kind: 'expiringGrouped' }>;
    expect(grouped.kind).toBe('expiringGrouped');
    expect(grouped.items.map((i) => [i.request.id, i.unserved])).toEqual(
      expect.arrayContaining([
        [granted.id, UNSERVED],
        [other.id, undefined],
      ]),
    );
    expect((await t.audit.forRequest(granted.id))[0]!.detail).toContain('without Extend: cluster aks-prod');
    expect((await t.audit.forRequest(other.id))[0]!.detail).not.toContain('without Extend');
  });

  test('the card: no Extend and no duration input, and it says why', () => {
    const single = shown(expiryReminderCard(granted, DAY, 30 * DAY, undefined, undefined, false, UNSERVED));
    expect(extendOffered(JSON.parse(single))).toBe(false);
    expect(single).toContain(
      'Its cluster aks-prod is in a subscription this deployment no longer serves, so it cannot be extended here.',
    );
    expect(single).not.toContain('"id":"duration"');
  });

  test('the chat layer draws the single reminder with it (requester-messages.ts passes it on)', async () => {
    const store = new MemoryRequestStore();
    const adapter = new RecordingAdapter();
    const messenger = new CardMessenger(
      adapter as unknown as CloudAdapter,
      'app-1',
      store,
      createLogger({ level: 'silent' }),
    );
    await store.create(granted);
    await store.addCardCopy({
      requestId: granted.id,
      role: 'requester',
      activityId: 'act-1',
      conversation: { ...base, conversation: { id: 'a:riley-chat', tenantId: granted.tenantId } },
    });
    await messenger.tellRequester(granted, { kind: 'expiring', inMs: DAY, unserved: UNSERVED });
    const card = JSON.stringify(adapter.posts[0]!.activity.attachments);
    expect(card).toContain('Its cluster aks-prod is in a subscription this deployment no longer serves');
  });
});

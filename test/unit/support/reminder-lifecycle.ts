/**
 * What the reminder unit tests share (reminder-*.test.ts): a grant ending a day after the
 * reminder goes, how a card is read for its Extend, and an AccessLifecycle that reminds a day
 * before an end, reads new access's pause from its own store, and tells the requester through
 * the messenger the test gives it.
 */
import type { ScheduledJob } from '../../../src/domain/ports';
import type { AccessRequest } from '../../../src/domain/request';
import { accessReminderJobId } from '../../../src/flows/access-reminders';
import { MemoryPauseStore } from '../../../src/integrations/store/memory-pause-store';
import { MemoryAuditLog, MemoryRequestStore } from '../../../src/integrations/store/memory-stores';
import { type LifecycleParts, quietLifecycle } from './access-lifecycle';
import { FakeClock, HOUR } from './fake-clock';
import { breakGlassRequest } from './break-glass';
import { APPROVER, pendingRequest } from './requests';

export const DAY = 24 * HOUR;
/** When the reminder goes. */
export const NOW = '2025-02-12T10:00:00.000Z';
/** When {@link granted}'s access ends: a day after {@link NOW}. */
export const ENDS = '2025-02-13T10:00:00.000Z';

/** A 30-day grant, approved and in place, that ends at {@link ENDS}. */
export const granted: AccessRequest = pendingRequest({
  state: 'succeeded',
  version: 4,
  decision: { by: APPROVER, at: '2025-01-14T10:00:00.000Z', approved: true },
  access: { durationMs: 30 * DAY, expiresAt: ENDS },
});

/** {@link granted}'s requester's break-glass grant, in place with `access` and due for review at {@link ENDS}. */
export function grantedBreakGlass(access: AccessRequest['access']): AccessRequest {
  return breakGlassRequest(granted.requester, NOW, { dueAt: ENDS }, { state: 'succeeded', access });
}

/** Everything a card shows or carries, as one string. */
export const shown = (card: unknown): string => JSON.stringify(card);

/** What a card offers to extend: the Extend button and the inputs it reads. */
export function extendOffered(card: unknown): boolean {
  const text = shown(card);
  return text.includes('"verb":"extend"') || text.includes('"id":"duration"');
}

/** The one-day reminder job of `requestId`, due at {@link NOW}. */
export function reminderJob(requestId: string): ScheduledJob {
  return { id: accessReminderJobId(requestId, DAY), kind: 'access.remind', dueAt: NOW, requestId, attempts: 0 };
}

/** The messenger a reminding lifecycle tells the requester through. */
export type ReminderMessenger = NonNullable<LifecycleParts['messenger']>;

/**
 * An AccessLifecycle at {@link NOW} (fake clock, memory stores) that reminds a day before an
 * end and reads the pause from `pauses`; `messenger` is made on its request store (a
 * CardMessenger finds the request's card copies there).
 */
export function remindingLifecycle(messenger: (store: MemoryRequestStore) => ReminderMessenger) {
  const clock = new FakeClock(NOW);
  const store = new MemoryRequestStore();
  const audit = new MemoryAuditLog(clock);
  const pauses = new MemoryPauseStore();
  const lifecycle = quietLifecycle(clock, {
    store,
    audit,
    messenger: messenger(store),
    settings: { remindersMs: [DAY], pauses },
  });
  return { store, audit, pauses, lifecycle };
}

/**
 * Grouped expiry reminders: when a requester's reminder is about to be posted, their other
 * accesses whose reminder is due now or within {@link REMINDER_LOOK_AHEAD_MS} go in the same card,
 * instead of one card each (12 grants and 3 pull secrets ending in one week made about 30 cards;
 * people mute a bot that does that).
 *
 * A sibling is another access of the same requester in the same tenant, read through the store's
 * requester index (RequestStore.listByRequester), asked in the conversation this card goes to
 * (its requester copy's: one asked in the personal chat is not posted into a channel thread,
 * where everyone would see it): granted, not being revoked, not ended yet, with a reminder job
 * of its own still scheduled and due by then whose entry is not written yet. Taken
 * along, it gets the entry that job would write (same idempotency key, reminderEntryKey), written
 * only once the card went out (access-reminders.ts): its job, running later, finds it and posts
 * nothing. A post that fails writes no entry, so every job retries or posts as before: at least
 * once. Only its earliest reminder due within the look-ahead is taken, and only one due within a
 * quarter of its own lead ({@link reminderTakeAheadMs}): once its day-before reminder went, its
 * hour-before one is not used up a day early, nor a day-before one two days before the end.
 *
 * Reminder jobs of one requester due together (granted together, so due in one sweep, run a few
 * at once, or on two instances) would each post a card listing the others. So a run first takes
 * the requester's reminder claim, a lease (`reminders:<tenant>:<requester>`, a conditional write,
 * {@link claimRequesterReminders}) held until its entries are written; a run finding it held moves
 * its job {@link REMINDER_HOLD_MS} on, once (recorded in the job's payload, in the store:
 * hold-back-once.ts), and then finds the entry the holder's card wrote for it, or posts. Once
 * only, so a holder that hangs delays it by that much, never more; the second run posts whether
 * or not it gets the claim (two cards then, at least once). Without leases (a deployment's
 * lifecycle always has them) or conditional job moves, nothing is claimed, and two runs at once
 * may each post.
 *
 * Nothing is kept in process memory: the store's jobs and the audit trail say what is owed.
 */
import type { Lease, ScheduledJob } from '../domain/ports';
import type { AccessRequest } from '../domain/request';
import type { LifecycleDeps } from './access-lifecycle-deps';
import { accessReminderJobId, accessReminderJobPrefix, reminderEnd, reminderEntryKey } from './reminder-end';
import { conversationKey } from '../domain/conversation-key';
import { heldBack, heldBackAlready, type HoldBackOnce } from './hold-back-once';
import { openExtensionsOf } from './request-reads';

/** How far ahead a sibling's reminder may be due to be taken into a card posted now. */
export const REMINDER_LOOK_AHEAD_MS = 24 * 3_600_000;

/**
 * The most accesses one grouped card lists (the posting one included); the rest are counted and
 * left to the My access tab, which lists them all. Not for Teams' limit of 6 actions (its host
 * config's actions.maxActions): that holds per action set, and each row's Extend has its own
 * (grouped-reminder-view.ts). Some cap must hold all the same: Teams refuses a message over about
 * 28 KB, and a row with the longest names Azure allows (a drifted grant's, whose note quotes both
 * ids) takes about 1.3 KB, so some twenty rows would make a card that is never sent. Six is what a
 * phone reads: at 320 px six rows already run two screens below the term and reason their Extend
 * shares, and one Extend turns the whole card into that extension's request, so the card reminds;
 * extending many is the tab's.
 */
export const MAX_GROUPED_REMINDERS = 6;

/** How long the requester's reminder claim lasts (renewed by nothing: a run posts well within it). */
const REMINDER_CLAIM_MS = 2 * 60_000;

/** How far a reminder job finding the requester's claim held moves itself on: past that claim's end. */
export const REMINDER_HOLD_MS = REMINDER_CLAIM_MS + 30_000;

/** A reminder job's hold for the claim: recorded in its payload (in the store), once. */
const HOLD_FOR_CLAIM: HoldBackOnce = { field: 'heldForClaimAt', ms: REMINDER_HOLD_MS };

/** Most reminder jobs of one access read at once (far more than ACRBOT_EXPIRY_REMINDERS lists). */
const REMINDER_JOBS_READ = 20;

/** How many of the requester's granted requests are looked among (newest first). */
const SIBLING_SCAN_LIMIT = 200;

/** An access taken into a grouped reminder, as its own reminder would have told it. */
export interface ReminderSibling {
  request: AccessRequest;
  /** What it is reminded of (reminder-end.ts). */
  end: { at: string; credential: boolean };
  /** How long until that end, as of the look. */
  inMs: number;
  /** Its reminder job taken along, whose entry the grouped post writes. */
  jobId: string;
  /** That entry's idempotency key. */
  key: string;
  /** An extension of it waiting for approval (then no Extend on its row). */
  extensionWaiting?: string;
}

/**
 * The requester's other accesses, asked in the same conversation, whose reminder is due by `now`
 * + {@link reminderTakeAheadMs} of its lead, soonest end first (none when acrbot knows no
 * conversation of `request`'s): at most {@link MAX_GROUPED_REMINDERS} - 1 `listed`, and how many
 * `more` there were. A failed read fails the job (retried), as every read of a reminder does.
 */
export async function reminderSiblings(
  deps: Pick<LifecycleDeps, 'store' | 'audit' | 'jobs' | 'clock' | 'settings'>,
  request: AccessRequest,
): Promise<{ listed: ReminderSibling[]; more: number }> {
  const now = deps.clock.now().getTime();
  const horizon = now + REMINDER_LOOK_AHEAD_MS;
  // Only accesses asked in the conversation this card goes to: another's row posted in a team
  // channel thread would show everyone there, and its own reminder never reach its chat.
  const place = await requesterPlace(deps, request);
  if (!place) return { listed: [], more: 0 };
  const offsets = [...deps.settings.remindersMs].sort((a, b) => b - a);
  const granted = await deps.store.listByRequester(
    request.requester.objectId,
    ['succeeded'],
    SIBLING_SCAN_LIMIT,
    'newestFirst',
  );
  // Without a read: those whose end lies too far for any reminder of theirs to be due by then.
  const near = granted
    .filter((other) => other.id !== request.id && other.tenantId === request.tenantId && !other.access?.revokingSince)
    .flatMap((other) => {
      const end = reminderEnd(other);
      const at = end ? Date.parse(end.at) : NaN;
      if (!end || !(at > now) || !offsets.some((beforeMs) => at - beforeMs <= horizon)) return [];
      return [{ request: other, end, at }];
    })
    .sort((a, b) => a.at - b.at);
  const found: ReminderSibling[] = [];
  for (const { request: other, end, at } of near) {
    const jobId = await dueReminderJob(deps, other, at, now, offsets);
    if (!jobId) continue;
    if ((await requesterPlace(deps, other)) !== place) continue;
    const key = reminderEntryKey(jobId, end.at);
    if ((await deps.audit.forRequest(other.id)).some((e) => e.idempotencyKey === key)) continue;
    found.push({ request: other, end, inMs: at - now, jobId, key });
  }
  const listed = found.slice(0, MAX_GROUPED_REMINDERS - 1);
  // Read fresh, as its own reminder reads it: only a pending one leaves Extend out.
  for (const sibling of listed) {
    const waiting = (await openExtensionsOf(deps.store, sibling.request)).find((r) => r.state === 'pending')?.id;
    if (waiting) sibling.extensionWaiting = waiting;
  }
  return { listed, more: found.length - listed.length };
}

/**
 * Where `request`'s requester copy is (the conversation their reminders go to, as the messenger
 * picks it: the service and the conversation id); undefined when acrbot knows none.
 */
async function requesterPlace(deps: Pick<LifecycleDeps, 'store'>, request: AccessRequest): Promise<string | undefined> {
  const copy = (await deps.store.listCardCopies(request.id)).find((c) => c.role === 'requester');
  const conversation = copy?.conversation as { conversation?: { id?: string } } | undefined;
  return conversation?.conversation?.id ? conversationKey(conversation) : undefined;
}

/**
 * How much earlier than due a reminder `beforeMs` before its end may be taken along: within the
 * look-ahead, and never more than a quarter of its own lead (an hour-before reminder at most 15
 * minutes early, a day-before one 6 hours), so a late reminder does not come a day early.
 */
function reminderTakeAheadMs(beforeMs: number): number {
  return Math.min(REMINDER_LOOK_AHEAD_MS, beforeMs / 4);
}

/**
 * The id of `request`'s earliest reminder job still scheduled and due by `now` plus
 * {@link reminderTakeAheadMs} of its lead, of those before its end `at`; undefined when none is
 * (never scheduled: its time had passed when it was granted; done; or not due yet).
 */
async function dueReminderJob(
  deps: Pick<LifecycleDeps, 'jobs'>,
  request: AccessRequest,
  at: number,
  now: number,
  offsets: readonly number[],
): Promise<string | undefined> {
  const jobOf = reminderJobReader(deps.jobs, request.id);
  for (const beforeMs of offsets) {
    const by = now + reminderTakeAheadMs(beforeMs);
    if (at - beforeMs > by) continue;
    const job = await jobOf(accessReminderJobId(request.id, beforeMs));
    if (job && Date.parse(job.dueAt) <= by) return job.id;
  }
  return undefined;
}

/**
 * Reads `requestId`'s reminder jobs by id for {@link dueReminderJob}: all of them in one read of
 * their common prefix, on the first ask (one round trip, not one per reminder: with the default
 * 7d,1d, a sibling ending tomorrow asks for its done week-before job first); by id when the
 * scheduler lists no prefix, or holds more than {@link REMINDER_JOBS_READ} (then some may be cut).
 */
function reminderJobReader(
  jobs: Pick<LifecycleDeps['jobs'], 'get' | 'withIdPrefix'>,
  requestId: string,
): (id: string) => Promise<ScheduledJob | undefined> {
  if (!jobs.withIdPrefix) return (id) => jobs.get(id);
  let read: Promise<Map<string, ScheduledJob> | undefined> | undefined;
  return async (id) => {
    read ??= jobs.withIdPrefix!(accessReminderJobPrefix(requestId), REMINDER_JOBS_READ).then((all) =>
      all.length < REMINDER_JOBS_READ ? new Map(all.map((job) => [job.id, job])) : undefined,
    );
    const byId = await read;
    return byId ? byId.get(id) : jobs.get(id);
  };
}

/**
 * Takes `request`'s requester's reminder claim for this run of `job` (see the top of this file):
 * resolves `release` (called once its entries are written, or it failed), or `'held'` when
 * another run holds it and this job was moved {@link REMINDER_HOLD_MS} on (its run ends there).
 * A job that held back once already, or that cannot be moved conditionally, goes on unclaimed.
 */
export async function claimRequesterReminders(
  deps: Pick<LifecycleDeps, 'jobs' | 'clock' | 'settings'>,
  request: AccessRequest,
  job: ScheduledJob,
): Promise<{ release: () => Promise<void> } | 'held'> {
  const leases = deps.settings.leases;
  const unclaimed = { release: async () => undefined };
  if (!leases) return unclaimed;
  const key = `reminders:${request.tenantId}:${request.requester.objectId.toLowerCase()}`;
  const lease: Lease | undefined = await leases.store.acquire(key, `${leases.owner}#${job.id}`, REMINDER_CLAIM_MS);
  if (lease) return { release: () => leases.store.release(lease) };
  if (heldBackAlready(job, HOLD_FOR_CLAIM) || !deps.jobs.moveIfUnchanged || job.revision === undefined)
    return unclaimed;
  // Not moved when written since it was read (an extension rescheduled it, it was cancelled):
  // that version stays as written, and this run ends without posting all the same.
  const held = heldBack(job, HOLD_FOR_CLAIM, deps.clock.now());
  await deps.jobs.moveIfUnchanged(held.job, held.dueAt);
  return 'held';
}

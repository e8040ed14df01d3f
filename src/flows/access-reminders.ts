/**
 * The reminders of an access's end (G17): scheduled with its `access.expire` job, before the end
 * of its term or a pull secret's credential expiry when that comes first, and sent to the
 * requester with an Extend button unless the access is ending, new access is paused or an
 * extension of it already waits for approval. The requester's other reminders due soon go in the
 * same card (reminder-siblings.ts). One to a requester of a tenant no longer served
 * (ACRBOT_ALLOWED_TENANTS) still goes, without Extend: every turn of theirs is refused; so does
 * one to a requester of another served tenant than acrbot's own (own-tenant.ts), whose every
 * request is refused.
 */
import type { PauseAsTold } from '../domain/access-pause';
import type { ScheduledJob } from '../domain/ports';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import { planOutsideSubscriptions, type UnservedResource, unservedClauseWithin } from '../domain/served-subscriptions';
import { tenantNotServed } from '../domain/tenant-boundary';
import { isOtherTenant } from '../domain/own-tenant';
import { accessExpiryJobId } from './access-jobs';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import type { RequesterNews } from './lifecycle-messenger';
import type { JobRun } from './scheduler';
import { openExtensionsOf } from './request-reads';
import { accessReminderJobId, accessReminderJobPrefix, reminderEnd, reminderEntryKey } from './reminder-end';
import { claimRequesterReminders, reminderSiblings } from './reminder-siblings';
import { tellApproversRequesterUnreachable } from './unreachable-requester';

export { accessReminderJobId } from './reminder-end';

/** Why a reminder went without Extend, for its audit entry ('' when it offered Extend). */
function withoutExtend(
  driftSeen: string | undefined,
  paused: boolean,
  extensionWaiting: string | undefined,
  notServed = false,
  unserved?: UnservedResource,
  otherTenant = false,
): string {
  const why = [
    ...(notServed ? ['its tenant is no longer served (ACRBOT_ALLOWED_TENANTS)'] : []),
    ...(otherTenant ? ["its requester is of another tenant than acrbot's own, whose requests are refused"] : []),
    ...(unserved ? [unservedClauseWithin(unserved)] : []),
    ...(driftSeen ? [`removed outside acrbot (seen ${driftSeen})`] : []),
    ...(paused ? ['new access is paused'] : []),
    ...(extensionWaiting ? [`extension ${extensionWaiting} waits for approval`] : []),
  ];
  return why.length ? `; without Extend: ${why.join(', and ')}` : '';
}

/** Schedules `access.expire` at the end and every reminder that still lies in the future. */
export async function scheduleEnd(deps: LifecycleDeps, request: AccessRequest): Promise<void> {
  const expiresAt = request.access?.expiresAt;
  if (!expiresAt) return;
  await deps.jobs.schedule({
    id: accessExpiryJobId(request.id),
    kind: 'access.expire',
    dueAt: new Date(Date.parse(expiresAt)),
    requestId: request.id,
  });
  await scheduleReminders(deps, request);
}

/**
 * Schedules every reminder that still lies in the future, before {@link reminderEnd}: the end
 * of the term, or a pull secret's credential expiry when that comes first. Jobs of offsets
 * ACRBOT_EXPIRY_REMINDERS does not list are left alone: during a rolling restart from one value
 * to another, instances of both run on one schedule, and cancelling them here would cancel the
 * other side's reminders (each side would cancel the other's, and one whose time passed meanwhile
 * would be lost). Each ends itself when due ({@link skipOutdated}), an extension's move of the
 * end moves them with it ({@link scheduleMovedEnd}), and the end of the access cancels them all
 * ({@link reminderJobIds}).
 */
export async function scheduleReminders(deps: LifecycleDeps, request: AccessRequest): Promise<void> {
  const remindOf = reminderEnd(request);
  if (!remindOf) return;
  const end = Date.parse(remindOf.at);
  const now = deps.clock.now().getTime();
  for (const beforeMs of deps.settings.remindersMs) {
    const at = end - beforeMs;
    if (at <= now) continue;
    await deps.jobs.schedule({
      id: accessReminderJobId(request.id, beforeMs),
      kind: 'access.remind',
      dueAt: new Date(at),
      requestId: request.id,
      payload: { beforeMs },
    });
  }
}

/**
 * Schedules the end of `request` after an extension moved it, as {@link scheduleEnd} does, and
 * moves its reminder jobs of offsets this instance's ACRBOT_EXPIRY_REMINDERS does not list (read
 * by their id prefix: those of an instance of another value during a rolling restart, or of the
 * setting before it changed) to as long before the new end. Left at their old times they would
 * run early on an instance that does list their offset (later in the rollout, or once the
 * setting is changed back): "ends in 37 days" sent on the day the old end's 7-day reminder was
 * due, and the on-time one then skipped as sent (one entry per reminder of an end). Moved, not
 * cancelled: the other side's reminders stay owed. One whose new time has passed is left where
 * it was (due, as a listed offset's is left). Without a listing (a scheduler that has none) they
 * stay, and one run where its offset is not listed sends nothing ({@link skipOutdated}).
 */
export async function scheduleMovedEnd(deps: LifecycleDeps, request: AccessRequest): Promise<void> {
  await scheduleEnd(deps, request);
  const remindOf = reminderEnd(request);
  if (!remindOf || !deps.jobs.withIdPrefix) return;
  const end = Date.parse(remindOf.at);
  const now = deps.clock.now().getTime();
  const listed = await deps.jobs.withIdPrefix(accessReminderJobPrefix(request.id), REMINDER_JOBS_LISTED);
  for (const job of listed) {
    const beforeMs = offsetOf(job);
    // The listed offsets were just scheduled; a job without an offset is not a reminder's.
    if (beforeMs === undefined || !isOutdated(deps, job)) continue;
    const at = end - beforeMs;
    if (at <= now || at === Date.parse(job.dueAt)) continue;
    await deps.jobs.schedule({
      id: job.id,
      kind: 'access.remind',
      dueAt: new Date(at),
      requestId: request.id,
      payload: { beforeMs },
    });
  }
}

/**
 * Most reminder jobs of one request listed at once: far more than ACRBOT_EXPIRY_REMINDERS lists,
 * with room for the offsets of an earlier setting or two (kept until due: {@link scheduleReminders}).
 */
const REMINDER_JOBS_LISTED = 20;

/**
 * How long before the end a reminder job reminds: its payload's `beforeMs`, which every job
 * {@link scheduleReminders} writes carries. Undefined without it (then it is taken as current).
 */
function offsetOf(job: Pick<ScheduledJob, 'payload'>): number | undefined {
  const beforeMs = job.payload?.beforeMs;
  return typeof beforeMs === 'number' ? beforeMs : undefined;
}

/** Whether `job` reminds at an offset this instance's ACRBOT_EXPIRY_REMINDERS does not list. */
function isOutdated(deps: Pick<LifecycleDeps, 'settings'>, job: Pick<ScheduledJob, 'payload'>): boolean {
  const beforeMs = offsetOf(job);
  return beforeMs !== undefined && !deps.settings.remindersMs.includes(beforeMs);
}

/**
 * The ids of every reminder job of `requestId`, for the cancels when its access ends or is taken
 * over by its original: those of the current offsets and, read by their id prefix, those of
 * offsets an earlier ACRBOT_EXPIRY_REMINDERS listed (at most {@link REMINDER_JOBS_LISTED}).
 */
export async function reminderJobIds(
  deps: Pick<LifecycleDeps, 'jobs' | 'settings'>,
  requestId: string,
): Promise<string[]> {
  const current = deps.settings.remindersMs.map((beforeMs) => accessReminderJobId(requestId, beforeMs));
  const listed = deps.jobs.withIdPrefix
    ? await deps.jobs.withIdPrefix(accessReminderJobPrefix(requestId), REMINDER_JOBS_LISTED)
    : [];
  return [...new Set([...current, ...listed.map((job) => job.id)])];
}

/**
 * A reminder job of an offset ACRBOT_EXPIRY_REMINDERS does not list (scheduled before it changed,
 * or by an instance of the other value during a rolling restart; `none` lists none): nothing is
 * sent, and the job ends without a failure. The live access's reminders are scheduled again
 * under the setting as this instance has it, so an offset added since is scheduled while it
 * still lies in the future and a change reaches a grant no later than its first reminder of the
 * old setting. The access's other jobs of unlisted offsets stay: each ends itself the same way.
 */
async function skipOutdated(deps: LifecycleDeps, job: ScheduledJob): Promise<void> {
  deps.log.info(
    { requestId: job.requestId, jobId: job.id, beforeMs: offsetOf(job) },
    'a reminder of an offset ACRBOT_EXPIRY_REMINDERS does not list was not sent',
  );
  const request = job.requestId ? await deps.store.get(job.requestId) : undefined;
  if (request?.state === 'succeeded' && !request.access?.revokingSince && !request.access?.revokedAt)
    await scheduleReminders(deps, request);
}

/**
 * The `access.remind` job: tells the requester, with an Extend button, unless access already
 * ended or is ending (a revocation began: an extension would be refused). While new access is
 * paused the reminder still goes (its end comes all the same), saying so instead of offering
 * Extend. A grant removed outside acrbot (drift) is still reminded, its end comes all the same,
 * but the card (lifecycle-view.ts, from the request read here) offers no Extend, which would
 * be refused, and says to ask for the access again. An extension of the access already waiting
 * for approval (read as the extension's own check reads it, request-reads.ts openExtensionsOf) leaves
 * Extend out too, which would be refused as a second one: the reminder names it instead. `run`
 * is checked right before the post: a run that lost its lease (another instance holds the job)
 * must not tell the requester a second time. A job of an offset ACRBOT_EXPIRY_REMINDERS does not
 * list sends nothing and is not audited ({@link skipOutdated}).
 *
 * Audited `sent` only once the post went out: a post that did not (Teams down) throws, so the
 * job is retried with backoff and, after a few attempts, reported to the approvers like any
 * failing job (composition/scheduler.ts). A requester with no conversation acrbot knows is
 * audited `noConversation`, one whose conversation Teams refused (acrbot removed from it)
 * `refused`; neither is retried (no attempt could reach them). Only the requester may extend,
 * so the rule's approvers are told then, once per request (unreachable-requester.ts).
 *
 * The requester's other accesses whose reminder is due now or within a day go in the same card
 * (reminder-siblings.ts), each with its own Extend or what replaces it, instead of one card each;
 * once it went out each gets the entry its own reminder would write (the same key), so their jobs
 * post nothing. A card with nowhere to go, or refused, writes only this access's entry.
 */
export async function sendReminder(deps: LifecycleDeps, job: ScheduledJob, run?: JobRun): Promise<void> {
  // Of an offset this instance's ACRBOT_EXPIRY_REMINDERS does not list: reminded as it says.
  if (isOutdated(deps, job)) return skipOutdated(deps, job);
  const request = job.requestId ? await deps.store.get(job.requestId) : undefined;
  if (!request || request.state !== 'succeeded' || request.access?.revokingSince) return;
  const end = reminderEnd(request);
  if (!end) return;
  const inMs = Date.parse(end.at) - deps.clock.now().getTime();
  if (inMs <= 0) return;
  // Told already (its own run, or another's card: each access a grouped card listed): done,
  // before reading anything else, and without waiting for the claim below.
  const key = reminderEntryKey(job.id, end.at);
  if ((await deps.audit.forRequest(request.id)).some((e) => e.idempotencyKey === key)) return;
  // Read fresh like every check of the pause (a failed read fails the job, which is retried). Only
  // who and since when go on: the requester never reads why (access-pause.ts).
  const pause = await deps.settings.pauses?.current();
  const paused = pause && { since: pause.since, by: { name: pause.by.name } };
  // Drift is recorded on grants only; a credential's reminder is a secret's (reminderEnd).
  const driftSeen = end.credential ? undefined : request.access?.driftDetectedAt;
  // Read fresh from the store, as extend's check reads it (a failed read fails the job, retried).
  // Only a pending one: an approved one being applied moves the end and reschedules the reminders.
  const extensionWaiting = (await openExtensionsOf(deps.store, request)).find((r) => r.state === 'pending')?.id;
  // A tenant no longer served: its requester's every turn is refused, so no Extend is offered.
  const notServed = tenantNotServed(request.tenantId, deps.settings.servedTenantIds);
  // Served, but another tenant than acrbot's own: any request of theirs is refused, extensions too.
  const otherTenant = !notServed && isOtherTenant(request.tenantId, deps.settings.ownTenantId);
  // Its cluster or registry in a subscription no longer served: its extension is refused, so none is offered.
  const unserved = unservedOf(deps, request);
  // The requester's reminder claim (reminder-siblings.ts): held by another run, this job moved on
  // and ends here; its next run finds the entry that run's card wrote for it, or posts.
  const claim = await claimRequesterReminders(deps, request, job);
  if (claim === 'held') return;
  try {
    await remindOnce(deps, job, run, {
      request,
      end,
      inMs,
      paused,
      driftSeen,
      extensionWaiting,
      notServed,
      otherTenant,
      unserved,
    });
  } finally {
    await claim.release();
  }
}

/** What {@link sendReminder} read of the reminder before taking the requester's claim. */
interface Reminder {
  request: AccessRequest;
  end: { at: string; credential: boolean };
  inMs: number;
  paused: PauseAsTold | undefined;
  driftSeen: string | undefined;
  extensionWaiting: string | undefined;
  notServed: boolean;
  otherTenant: boolean;
  unserved: UnservedResource | undefined;
}

/**
 * The cluster or registry of `request`'s plan in a subscription this deployment no longer serves
 * (ACRBOT_SUBSCRIPTION_IDS), whose extension is refused (served-subscriptions.ts): its reminder
 * offers no Extend. Undefined when both are served, or no list is configured.
 */
function unservedOf(deps: LifecycleDeps, request: AccessRequest): UnservedResource | undefined {
  return planOutsideSubscriptions(request.plan, deps.settings.servedSubscriptionIds);
}

/**
 * The rest of {@link sendReminder}, under the requester's reminder claim: the entry check, the
 * post (grouped with the requester's other reminders due soon) and the entries.
 */
async function remindOnce(
  deps: LifecycleDeps,
  job: ScheduledJob,
  run: JobRun | undefined,
  reminder: Reminder,
): Promise<void> {
  const { request, end, inMs, paused, driftSeen, extensionWaiting, notServed, otherTenant, unserved } = reminder;
  // One entry per reminder of this end (an extension moves the end and schedules the same job
  // ids again, for reminders of their own), whatever it says. A run after it was written (the
  // job's removal failed, or another run's card told it) neither posts again nor writes a second
  // entry. Read again under the claim: a run holding it may have written it since.
  const key = reminderEntryKey(job.id, end.at);
  const trail = await deps.audit.forRequest(request.id);
  if (trail.some((e) => e.idempotencyKey === key)) return;
  // The requester's other accesses whose reminder is due now or soon go in the same card
  // (reminder-siblings.ts): each gets its own reminder's entry below, once the card went out.
  const siblings = await reminderSiblings(deps, request);
  // Each one's unserved subscription, for its item and its entry alike.
  const listed = siblings.listed.map((s) => ({ ...s, unserved: unservedOf(deps, s.request) }));
  await run?.check();
  // Throws when the post did not go out: no entry, the job is retried. At least once, not at
  // most once: a run whose post went out but whose entry could not be written is retried too
  // and posts the reminder again (a second reminder beats none); the key keeps one entry.
  const own = {
    inMs,
    ...(paused && { paused }),
    ...(extensionWaiting && { extensionWaiting }),
    ...(notServed && { notServed }),
    ...(otherTenant && { otherTenant }),
    ...(unserved && { unserved }),
  };
  const news: RequesterNews = listed.length
    ? {
        kind: 'expiringGrouped',
        // Soonest end first, this access among them: the reader sees what ends first at the top.
        items: [
          {
            request,
            inMs,
            at: end.at,
            credential: end.credential,
            ...(extensionWaiting && { extensionWaiting }),
            ...(unserved && { unserved }),
          },
          ...listed.map((s) => ({
            request: s.request,
            inMs: s.inMs,
            at: s.end.at,
            credential: s.end.credential,
            ...(s.extensionWaiting && { extensionWaiting: s.extensionWaiting }),
            ...(s.unserved && { unserved: s.unserved }),
          })),
        ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
        more: siblings.more,
        ...(paused && { paused }),
        ...(notServed && { notServed }),
        ...(otherTenant && { otherTenant }),
      }
    : end.credential
      ? { kind: 'credentialExpiring', at: end.at, ...own }
      : { kind: 'expiring', ...own };
  const told = await deps.messenger.tellRequester(request, news, { reportFailure: true });
  // Before the reminder's entry: a run failing after telling is retried, and the told entry keeps it once.
  if (told) await tellApproversRequesterUnreachable(deps, request, trail, end, told, job.id);
  const of = expiresOf(end);
  await recordAccessEvent(deps, request, ACRBOT_ACTOR, {
    action: 'access.reminded',
    idempotencyKey: key,
    ...(told === 'noConversation'
      ? { outcome: 'noConversation', detail: `${of}; not sent: acrbot knows no conversation of the requester’s` }
      : told === 'refused'
        ? {
            outcome: 'refused',
            detail: `${of}; not sent: Teams refused the post in the requester’s conversation (acrbot is no longer in it)`,
          }
        : {
            outcome: 'sent',
            detail: `${of}${withoutExtend(driftSeen, Boolean(paused), extensionWaiting, notServed, unserved, otherTenant)}${
              listed.length ? `; in one card with ${listed.map((s) => s.request.id).join(', ')}` : ''
            }`,
          }),
  });
  // Only once the card went out (not for one with nowhere to go or refused: each of the others'
  // own jobs tries its own conversation): each access listed gets the entry its own reminder would
  // write, so its job, running later, finds it and posts nothing.
  if (told) return;
  for (const sibling of listed) {
    const drift = sibling.end.credential ? undefined : sibling.request.access?.driftDetectedAt;
    await recordAccessEvent(deps, sibling.request, ACRBOT_ACTOR, {
      action: 'access.reminded',
      idempotencyKey: sibling.key,
      outcome: 'sent',
      detail: `${expiresOf(sibling.end)}${withoutExtend(drift, Boolean(paused), sibling.extensionWaiting, notServed, sibling.unserved, otherTenant)}; in one card with the reminder of ${request.id}`,
    });
  }
}

/** What a reminder's entry says it reminded of. */
function expiresOf(end: { at: string; credential: boolean }): string {
  return `expires ${end.at}${end.credential ? ' (the pull secret’s credential, before the term ends)' : ''}`;
}

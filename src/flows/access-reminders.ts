/**
 * The reminders of an access's end (G17): scheduled with its `access.expire` job, before the end
 * of its term or a pull secret's credential expiry when that comes first, and sent to the
 * requester with an Extend button unless the access is ending, new access is paused or an
 * extension of it already waits for approval.
 */
import type { ScheduledJob } from '../domain/ports';
import { accessEnd, credentialEnd } from '../domain/access-inventory';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import { accessExpiryJobId } from './access-jobs';
import { type LifecycleDeps, recordAccessEvent } from './access-lifecycle-deps';
import type { JobRun } from './scheduler';
import { openExtensionsOf } from './request-reads';
import { tellApproversRequesterUnreachable } from './unreachable-requester';

/** The id of a reminder job, `beforeMs` before the end it reminds of. */
export const accessReminderJobId = (requestId: string, beforeMs: number): string =>
  `access.remind:${requestId}:${beforeMs}`;

/**
 * What the requester is reminded of: the end of the access term, or a pull secret's credential
 * expiry when it comes first (capped by ACRBOT_SECRET_MAX_EXPIRY; nothing renews it), also for a
 * permanent secret. Undefined when neither ends.
 */
function reminderEnd(request: AccessRequest): { at: string; credential: boolean } | undefined {
  const end = accessEnd(request);
  if (end === undefined) return undefined;
  const term = request.access?.permanent ? undefined : request.access?.expiresAt;
  // A request from before time-boxing has no term: its credential's expiry was always its end.
  if (term === undefined && !request.access?.permanent) return undefined;
  return { at: end, credential: end !== term && end === credentialEnd(request) };
}

/** Why a reminder went without Extend, for its audit entry ('' when it offered Extend). */
function withoutExtend(driftSeen: string | undefined, paused: boolean, extensionWaiting: string | undefined): string {
  const why = [
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
 * of the term, or a pull secret's credential expiry when that comes first.
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
 * The `access.remind` job: tells the requester, with an Extend button, unless access already
 * ended or is ending (a revocation began: an extension would be refused). While new access is
 * paused the reminder still goes (its end comes all the same), saying so instead of offering
 * Extend. A grant removed outside acrbot (drift) is still reminded, its end comes all the same,
 * but the card (lifecycle-view.ts, from the request read here) offers no Extend, which would
 * be refused, and says to ask for the access again. An extension of the access already waiting
 * for approval (read as the extension's own check reads it, request-reads.ts openExtensionsOf) leaves
 * Extend out too, which would be refused as a second one: the reminder names it instead. `run`
 * is checked right before the post: a run that lost its lease (another instance holds the job)
 * must not tell the requester a second time.
 *
 * Audited `sent` only once the post went out: a post that did not (Teams down) throws, so the
 * job is retried with backoff and, after a few attempts, reported to the approvers like any
 * failing job (composition/scheduler.ts). A requester with no conversation acrbot knows is
 * audited `noConversation`, one whose conversation Teams refused (acrbot removed from it)
 * `refused`; neither is retried (no attempt could reach them). Only the requester may extend,
 * so the rule's approvers are told then, once per request (unreachable-requester.ts).
 */
export async function sendReminder(deps: LifecycleDeps, job: ScheduledJob, run?: JobRun): Promise<void> {
  const request = job.requestId ? await deps.store.get(job.requestId) : undefined;
  if (!request || request.state !== 'succeeded' || request.access?.revokingSince) return;
  const end = reminderEnd(request);
  if (!end) return;
  const inMs = Date.parse(end.at) - deps.clock.now().getTime();
  if (inMs <= 0) return;
  // Read fresh like every check of the pause (a failed read fails the job, which is retried). Only
  // who and since when go on: the requester never reads why (access-pause.ts).
  const pause = await deps.settings.pauses?.current();
  const paused = pause && { since: pause.since, by: { name: pause.by.name } };
  // Drift is recorded on grants only; a credential's reminder is a secret's (reminderEnd).
  const driftSeen = end.credential ? undefined : request.access?.driftDetectedAt;
  // Read fresh from the store, as extend's check reads it (a failed read fails the job, retried).
  // Only a pending one: an approved one being applied moves the end and reschedules the reminders.
  const extensionWaiting = (await openExtensionsOf(deps.store, request)).find((r) => r.state === 'pending')?.id;
  // One entry per reminder of this end (an extension moves the end and schedules the same job
  // ids again, for reminders of their own), whatever it says. A run after it was written (the
  // job's removal failed) neither posts again nor writes a second entry.
  const key = `access.reminded:${job.id}:${end.at}`;
  const trail = await deps.audit.forRequest(request.id);
  if (trail.some((e) => e.idempotencyKey === key)) return;
  await run?.check();
  // Throws when the post did not go out: no entry, the job is retried. At least once, not at
  // most once: a run whose post went out but whose entry could not be written is retried too
  // and posts the reminder again (a second reminder beats none); the key keeps one entry.
  const told = await deps.messenger.tellRequester(
    request,
    end.credential
      ? {
          kind: 'credentialExpiring',
          inMs,
          at: end.at,
          ...(paused && { paused }),
          ...(extensionWaiting && { extensionWaiting }),
        }
      : { kind: 'expiring', inMs, ...(paused && { paused }), ...(extensionWaiting && { extensionWaiting }) },
    { reportFailure: true },
  );
  // Before the reminder's entry: a run failing after telling is retried, and the told entry keeps it once.
  if (told) await tellApproversRequesterUnreachable(deps, request, trail, end, told, job.id);
  const of = `expires ${end.at}${end.credential ? ' (the pull secret’s credential, before the term ends)' : ''}`;
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
        : { outcome: 'sent', detail: `${of}${withoutExtend(driftSeen, Boolean(paused), extensionWaiting)}` }),
  });
}

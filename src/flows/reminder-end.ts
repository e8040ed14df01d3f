/**
 * What an access's reminders remind of (G17): the end of its term, or a pull secret's credential
 * expiry when that comes first. Shared by a reminder (access-reminders.ts) and the grouped card
 * that takes the requester's other reminders due soon along (reminder-siblings.ts).
 */
import { accessEnd, credentialEnd } from '../domain/access-inventory';
import type { AccessRequest } from '../domain/request';

/** The start of the ids of a request's reminder jobs (one per `beforeMs`, {@link accessReminderJobId}). */
export const accessReminderJobPrefix = (requestId: string): string => `access.remind:${requestId}:`;

/** The id of a reminder job, `beforeMs` before the end it reminds of. */
export const accessReminderJobId = (requestId: string, beforeMs: number): string =>
  `${accessReminderJobPrefix(requestId)}${beforeMs}`;

/**
 * The audit entry's idempotency key of the reminder job `jobId` of the end `at`: one entry per
 * reminder of this end, whichever run (its own, or a grouped card's) wrote it.
 */
export const reminderEntryKey = (jobId: string, at: string): string => `access.reminded:${jobId}:${at}`;

/**
 * What the requester is reminded of: the end of the access term, or a pull secret's credential
 * expiry when it comes first (capped by ACRBOT_SECRET_MAX_EXPIRY; nothing renews it), also for a
 * permanent secret. Undefined when neither ends.
 */
export function reminderEnd(request: AccessRequest): { at: string; credential: boolean } | undefined {
  const end = accessEnd(request);
  if (end === undefined) return undefined;
  const term = request.access?.permanent ? undefined : request.access?.expiresAt;
  // A request from before time-boxing has no term: its credential's expiry was always its end.
  if (term === undefined && !request.access?.permanent) return undefined;
  return { at: end, credential: end !== term && end === credentialEnd(request) };
}

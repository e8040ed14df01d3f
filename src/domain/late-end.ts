/**
 * An end that came late: access revoked well after its term's end (ARM throttled the deletes of
 * a mass end, an outage held them up). The requester's notice and the `access.expired` entry say
 * so, with when it was due: "revoked at 2026-12-07 17:09 UTC" alone reads as the end they were
 * given. An end within {@link LATE_END_AFTER_MS} of its due time is on time: a sweep's order
 * alone (30 s apart by default, ACRBOT_SWEEP_INTERVAL) makes one seconds late.
 */
import { formatUtc } from './access-term';
import type { AccessRequest } from './request';

/** How late an end may come before it is said to be late: 2 minutes (four sweeps at the default 30 s). */
export const LATE_END_AFTER_MS = 2 * 60_000;

/**
 * `due 17:00 UTC; ended 12 min late` (the date too when it was due on another day), for an
 * access revoked more than {@link LATE_END_AFTER_MS} after its end; undefined otherwise, and for
 * access without an end or not revoked.
 */
export function lateEndWords(access: AccessRequest['access']): string | undefined {
  const due = access?.expiresAt;
  const revoked = access?.revokedAt;
  if (!due || !revoked) return undefined;
  const lateMs = Date.parse(revoked) - Date.parse(due);
  if (!(lateMs > LATE_END_AFTER_MS)) return undefined;
  // The time alone on the same day, as the notice's "revoked at" names the date.
  const dueAt = due.slice(0, 10) === revoked.slice(0, 10) ? `${due.slice(11, 16)} UTC` : formatUtc(due);
  return `due ${dueAt}; ended ${lateText(lateMs)} late`;
}

/** `12 min`, `3 h 5 min`, `2 days 4 h`: whole units passed, as precise as a reader needs. */
function lateText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days} days${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

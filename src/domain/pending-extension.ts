/**
 * How much longer approving a pending extension keeps the access. Its term counts from approval,
 * so "7 days" on access ending in 6 days 23 hours adds about an hour, and on access ending in an
 * hour about 7 days: the approver is shown the original's end and the least approving adds to
 * it, from what the extension recorded when filed (`extendsAccess`). Extensions filed before it
 * was recorded have none of it. One source for the chat card (views/extension-facts.ts) and the
 * tab (tab/tab-rows.ts), so both say the same words.
 */
import { describeDurationMs, describeTimeLeft } from './access-term';
import type { AccessRequest } from './request';

/** What a pending extension changes, in the chat card's words (its "Would end" and "Extended before"). */
export interface PendingExtensionEffect {
  /** The original's end recorded when the extension was filed ("Now ends"). */
  endsAt: string;
  /** E.g. "at least 1 hour later (7 days after approval)"; absent when it adds nothing or has no term. */
  wouldEnd?: string;
  /** E.g. "2 times"; absent when no extension moved the original's end before. */
  extendedBefore?: string;
}

/**
 * The effect of a pending extension; undefined for anything else. One open extension at a time,
 * so the original's end recorded at filing is still its end while this one waits (a revocation
 * meanwhile closes it).
 */
export function pendingExtensionEffect(
  request: Pick<AccessRequest, 'state' | 'extendsRequestId' | 'extendsAccess' | 'access' | 'createdAt'>,
): PendingExtensionEffect | undefined {
  const extended = request.extendsAccess;
  if (request.state !== 'pending' || !request.extendsRequestId || !extended) return undefined;
  const termMs = request.access?.permanent ? undefined : request.access?.durationMs;
  // The least it adds: approved the moment it was filed; every minute later adds one more.
  const addsMs = termMs === undefined ? 0 : Date.parse(request.createdAt) + termMs - Date.parse(extended.endsAt);
  const times = extended.extendedTimes;
  return {
    endsAt: extended.endsAt,
    ...(termMs !== undefined &&
      addsMs > 0 && {
        wouldEnd: `at least ${describeTimeLeft(addsMs)} later (${describeDurationMs(termMs)} after approval)`,
      }),
    ...(times > 0 && { extendedBefore: `${times} time${times === 1 ? '' : 's'}` }),
  };
}

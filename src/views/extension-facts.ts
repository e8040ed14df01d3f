/**
 * What an extension's card adds while it waits for a decision: how much longer approving it
 * keeps the access. Its term counts from approval, so "7 days" on access ending in 6 days 23
 * hours adds about an hour, and on access ending in an hour about 7 days: the approver is shown
 * the original's end and the least approving adds to it, from what the extension recorded when
 * filed (`extendsAccess`). Extensions filed before it was recorded show none of it.
 */
import { describeDurationMs, describeTimeLeft, formatUtc } from '../domain/access-term';
import { waitEndsWithOriginal } from '../domain/extension-deadline';
import type { AccessRequest } from '../domain/request';

/** A label/value row (request-view.ts `Fact`). */
interface Fact {
  label: string;
  value: string;
}

/**
 * "Now ends", "Would end" and "Extended before" of a pending extension; none otherwise. One open
 * extension at a time, so the original's end recorded at filing is still its end while this one
 * waits (a revocation meanwhile closes it).
 */
export function pendingExtensionFacts(request: AccessRequest): Fact[] {
  const extended = request.extendsAccess;
  if (request.state !== 'pending' || !request.extendsRequestId || !extended) return [];
  const facts: Fact[] = [{ label: 'Now ends', value: `${formatUtc(extended.endsAt)} (${request.extendsRequestId})` }];
  const termMs = request.access?.permanent ? undefined : request.access?.durationMs;
  // The least it adds: approved the moment it was filed; every minute later adds one more.
  const addsMs = termMs === undefined ? 0 : Date.parse(request.createdAt) + termMs - Date.parse(extended.endsAt);
  if (termMs !== undefined && addsMs > 0)
    facts.push({
      label: 'Would end',
      value: `at least ${describeTimeLeft(addsMs)} later (${describeDurationMs(termMs)} after approval)`,
    });
  const times = extended.extendedTimes;
  if (times > 0) facts.push({ label: 'Extended before', value: `${times} time${times === 1 ? '' : 's'}` });
  return facts;
}

/**
 * A pending request's "Decide by": when it expires undecided, and for an extension whose wait
 * was cut to its original's end (extension-deadline.ts) why it is that soon.
 */
export function decideByValue(request: Pick<AccessRequest, 'expiresAt' | 'extendsAccess'>): string {
  const withOriginal = waitEndsWithOriginal(request);
  return `${formatUtc(request.expiresAt)}${withOriginal ? ', when the access it extends ends' : ''}`;
}

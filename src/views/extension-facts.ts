/**
 * What an extension's card adds while it waits for a decision: the original's end and how much
 * longer approving it keeps the access (domain/pending-extension.ts, which the tab shares).
 */
import { formatUtc } from '../domain/access-term';
import { waitEndsWithOriginal } from '../domain/extension-deadline';
import { pendingExtensionEffect } from '../domain/pending-extension';
import type { AccessRequest } from '../domain/request';

/** A label/value row (request-view.ts `Fact`). */
interface Fact {
  label: string;
  value: string;
}

/** "Now ends", "Would end" and "Extended before" of a pending extension; none otherwise. */
export function pendingExtensionFacts(request: AccessRequest): Fact[] {
  const effect = pendingExtensionEffect(request);
  if (!effect) return [];
  const facts: Fact[] = [{ label: 'Now ends', value: `${formatUtc(effect.endsAt)} (${request.extendsRequestId})` }];
  if (effect.wouldEnd) facts.push({ label: 'Would end', value: effect.wouldEnd });
  if (effect.extendedBefore) facts.push({ label: 'Extended before', value: effect.extendedBefore });
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

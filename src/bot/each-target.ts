/** Posting one message to several conversations, each on its own (nudges, break-glass cards). */
import type { Logger } from '../observability/logger';
import { teamsRefusal } from './teams-refusal';

/**
 * Posts to every target, each on its own: one that refuses (acrbot removed from that channel)
 * neither stops the others nor, when a retry follows, posts again where it went out. Throws only
 * when no target took it (the caller's job then retries, and whoever catches it logs the first
 * failure); every other failure is logged here, so no channel's cause goes unseen.
 *
 * `refusedForGood`: when no target took it and Teams refused every one for good (403: acrbot is
 * not in it; 404: it is gone, teamsRefusal), resolves `'refused'` instead, logging nothing: no
 * retry can get through, and the caller says so once, naming the conversations.
 */
export async function eachTarget<T>(
  targets: readonly T[],
  log: Logger,
  requestId: string,
  what: string,
  post: (target: T) => Promise<void>,
  options: { refusedForGood?: boolean } = {},
): Promise<'refused' | undefined> {
  const results = await Promise.allSettled(targets.map((t) => post(t)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length === 0) return undefined;
  const none = failed.length === results.length;
  if (none && options.refusedForGood && failed.every((f) => teamsRefusal(f.reason))) return 'refused';
  for (const f of none ? failed.slice(1) : failed)
    log.warn({ err: f.reason, requestId }, `the ${what} could not be posted in one of its channels`);
  if (none) throw failed[0].reason;
  return undefined;
}

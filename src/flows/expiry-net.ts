/**
 * An expiry stored without its `request.expired` entry (G6, G11): the `request.expire` job, a
 * click past the window (request-expiry.ts) and the close of an extension whose access ended
 * (close-pending-extensions.ts) store the request `expired` first, then audit it. A process that
 * died in between left it expired with no entry; the net for stored transitions
 * (unaudited-state-net.ts) writes it, in acrbot's name as every expiry's, under the key the
 * expiry's own process writes it with ({@link expiredEntryKey}), so a slow append of that
 * process landing after it adds nothing.
 */
import type { AuditEvent } from '../domain/audit-chain';
import { ACRBOT_ACTOR, type AccessRequest } from '../domain/request';
import { targetsOf } from './request-audit';
import type { StoredTransition } from './unaudited-state-net';

/**
 * The idempotency key of the `request.expired` entry of the expiry stored at `at` (the expired
 * write's `updatedAt`): one per expiry, so one undone after its entry failed, then made again,
 * gets an entry of its own.
 */
export function expiredEntryKey(requestId: string, at: string): string {
  return `request.expired:${requestId}:${at}`;
}

/**
 * Expiries as the net finds them: stored `expired`, at their `updatedAt`. Nothing writes an
 * expired request after its expiry but this net's write before the entry, which moves only its
 * version (claimUnchanged), so that is when it expired, whether or not the net's entry failed.
 */
export const STORED_EXPIRIES: StoredTransition = {
  state: 'expired',
  action: 'request.expired',
  at: (request) => request.updatedAt,
  entry: (request: AccessRequest, at: string): AuditEvent => ({
    actor: ACRBOT_ACTOR,
    tenantId: request.tenantId,
    action: 'request.expired',
    requestId: request.id,
    targetIds: targetsOf(request.plan),
    outcome: 'expired',
    detail: `written late: the expiry was stored at ${at} but its process stopped before its entry`,
    idempotencyKey: expiredEntryKey(request.id, at),
  }),
};

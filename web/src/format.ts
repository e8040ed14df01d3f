/** Words and dates as the tab shows them. */
import type { PullState, Row } from './types';

/** State labels (colour is never the only cue). */
export const STATE_LABEL: Record<PullState, string> = {
  active: 'Active',
  expiring: 'Expiring soon',
  expired: 'Expired',
  revoked: 'Revoked',
  drifted: 'Drifted',
  pending: 'Pending',
  failed: 'Failed',
  closed: 'Closed',
};

/** Which state a cell shows when several ways of pulling meet: the one that needs attention first. */
export const STATE_RANK: PullState[] = [
  'drifted',
  'expiring',
  'active',
  'pending',
  'expired',
  'failed',
  'revoked',
  'closed',
];

/** Short words for how a cluster pulls. */
export function howShort(row: Row): string {
  if (row.how === 'acrbot-role') return 'Role (acrbot)';
  if (row.how === 'outside-role') return 'Role (outside acrbot)';
  return 'Pull secret';
}

/**
 * Who asked for a row's access, as a list line shows it. A role assignment acrbot made only for
 * another tenant's request comes without its requester (that tenant's data), and it was not
 * granted outside acrbot.
 */
export function askedBy(row: Row): string {
  if (row.requester) return row.requester.name;
  return row.how === 'acrbot-role' ? 'another tenant' : 'outside acrbot';
}

/** The requester filter's value for a row: the requester's object id, or who stands in for one. */
export function askedByKey(row: Row): string {
  return row.requester?.objectId ?? (row.how === 'acrbot-role' ? 'another-tenant' : 'outside');
}

/** Why a row without a request id has no request history to show. */
export function noHistoryNote(row: Row): string {
  return row.how === 'acrbot-role'
    ? "Granted by acrbot for another tenant's request: its request, approvals and audit entries are shown to that tenant only."
    : 'Granted outside acrbot: no request, approval or audit entry exists.';
}

/** `2026-12-07 14:00 UTC`. */
export function shortTime(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '';
}

/** "in 3 days", "2 hours ago". */
export function relative(iso: string | undefined, now: number): string {
  if (!iso) return 'no end date';
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const [n, unit] =
    abs >= 86_400_000
      ? [Math.round(abs / 86_400_000), 'day']
      : abs >= 3_600_000
        ? [Math.round(abs / 3_600_000), 'hour']
        : [Math.max(1, Math.round(abs / 60_000)), 'minute'];
  const words = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return ms >= 0 ? `in ${words}` : `${words} ago`;
}

/**
 * When a row's access ends, as a line says it: "Being revoked since …" once a revocation began
 * deleting (its end no longer matters), else "Ends … (in 3 days)"; undefined when it has no end.
 */
export function endText(row: Row, now: number): string | undefined {
  if (row.revokingSince) return `Being revoked since ${shortTime(row.revokingSince)}`;
  return row.expiresAt ? `Ends ${shortTime(row.expiresAt)} (${relative(row.expiresAt, now)})` : undefined;
}

/**
 * Whether a row's drawer tells its requester how to extend it in chat: their own live access
 * that the tab does not offer to extend, unless a revocation began (an extension is refused then).
 */
export function extendInChatHint(row: Row, myObjectId: string): boolean {
  const live = ['active', 'expiring', 'drifted'].includes(row.state) && row.requestState === 'succeeded';
  return live && !row.revokingSince && !row.canExtend && row.requester?.objectId === myObjectId;
}

/** Teams deep link to a chat with the bot, with `status <id>` typed in. */
export function chatLink(botAppId: string, requestId: string): string {
  const q = new URLSearchParams({ users: `28:${botAppId}`, message: `status ${requestId}` });
  return `https://teams.microsoft.com/l/chat/0/0?${q.toString()}`;
}

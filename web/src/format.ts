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

/** Teams deep link to a chat with the bot, with `status <id>` typed in. */
export function chatLink(botAppId: string, requestId: string): string {
  const q = new URLSearchParams({ users: `28:${botAppId}`, message: `status ${requestId}` });
  return `https://teams.microsoft.com/l/chat/0/0?${q.toString()}`;
}

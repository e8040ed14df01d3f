/**
 * The conversation a stored conversation reference points at, as one string: its service URL and
 * conversation id. The outbox's lane (bot/card-copy-places.ts) and the grouped reminders' "same
 * conversation" check (flows/reminder-siblings.ts) compare references by it. Pure.
 */
export function conversationKey(reference: unknown): string {
  const r = reference as { serviceUrl?: string; conversation?: { id?: string } } | undefined;
  return `${r?.serviceUrl ?? ''} ${r?.conversation?.id ?? ''}`;
}

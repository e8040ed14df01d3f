/**
 * What a message activity carries besides its text. A message without text may still be a card's
 * click or a file: acrbot reads neither, and reading such a message as an empty command ("help")
 * or as the answer to an open question would drop what the user was doing, so the bot answers
 * it on its own card instead.
 */
import type { MessageParts } from './message-text';

/**
 * What a message without text carries that acrbot does not read: a card's Action.Submit click
 * (`value`: an old client's fallback for Action.Execute, or another app's card), or a file or
 * image (an attachment other than the `text/html` copy of the message Teams adds to every one).
 */
export function unreadContent(activity: MessageParts): 'cardSubmit' | 'attachment' | undefined {
  if (activity.value !== undefined && activity.value !== null) return 'cardSubmit';
  const attachments = Array.isArray(activity.attachments) ? (activity.attachments as unknown[]) : [];
  const other = attachments.some((a) => {
    const type = (a as { contentType?: unknown } | null)?.contentType;
    return typeof type !== 'string' || type.toLowerCase() !== 'text/html';
  });
  return other ? 'attachment' : undefined;
}

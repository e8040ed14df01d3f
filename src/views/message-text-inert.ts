/**
 * User text in a text-only Teams message (a reminder, an escalation, a re-asked question), as
 * opposed to an Adaptive Card. A card's TextBlock renders a subset of markdown and no HTML, so
 * {@link inertText} is enough there; a bot's text message is also rendered as HTML by Teams
 * (`<a href>`, `<img>`, `<at>`), and an entity such as `&#58;` stands for the `:` inertText looks
 * for. Such text is made inert, then `&`, `<` and `>` are escaped: it shows as typed, and only
 * the `<at>…</at>` tags acrbot writes itself (outside this text) stay live.
 */
import { inertText } from './inert-text';

const HTML_SPECIAL = /[&<>]/g;
const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** `text` (user text) made inert ({@link inertText}) and HTML-escaped, for a text-only message. */
export function inertMessageText(text: string): string {
  return inertText(text).replace(HTML_SPECIAL, (c) => ESCAPED[c]!);
}

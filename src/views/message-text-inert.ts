/**
 * User text in a text-only Teams message (a reminder, an escalation, a re-asked question), as
 * opposed to an Adaptive Card. A card's TextBlock renders a subset of markdown and no HTML, so
 * {@link inertText} is enough there; a bot's text message is also rendered as HTML by Teams
 * (`<a href>`, `<img>`, `<at>`), and an entity such as `&#58;` stands for the `:` inertText looks
 * for. Such text is made inert, its markdown marks escaped, then `&`, `<` and `>` are escaped: it
 * shows as typed, and only the `<at>…</at>` tags acrbot writes itself (outside this text) stay live.
 */
import { inertText } from './inert-text';

const HTML_SPECIAL = /[&<>]/g;
const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Markdown's emphasis and code marks, and a backslash that would escape what follows it. Teams
 * renders a bot's text message as markdown: a requester named `**boss**` showed in bold, `_x_` in
 * italics, `~~x~~` struck through and `` `x` `` as code, in a line acrbot writes. Each mark is
 * escaped with a backslash, markdown's own way, so `my_rg` still reads `my_rg`. A backslash is
 * escaped only before ASCII punctuation, where markdown reads it as an escape (`\*` would undo the
 * escape of its `*`); elsewhere (`CONTOSO\jdoe`) it shows as itself already.
 */
const MARKDOWN_MARK = /\\(?=[!-/:-@[-`{-~])|[*_~`]/g;

/**
 * `text` (user text) made inert ({@link inertText}), its markdown marks escaped
 * ({@link MARKDOWN_MARK}) and HTML-escaped, for a text-only message.
 */
export function inertMessageText(text: string): string {
  return inertText(text)
    .replace(MARKDOWN_MARK, '\\$&')
    .replace(HTML_SPECIAL, (c) => ESCAPED[c]!);
}

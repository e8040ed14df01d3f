/**
 * User text made inert for cards and messages: a module of its own (not request-view.ts) so that
 * every view, group-name.ts included, can use it without importing back the request card.
 */
import { withoutBidiControls } from '../domain/text';

/**
 * A character or word one of {@link inertText}'s replacements starts from; none means nothing to
 * do. A scheme only as `://` (what its replacement needs), not any colon: times and labels in card
 * text ("10:00", "Reason: …") went through all the passes for nothing. A bidi control between
 * `:` and `//` is a candidate by itself, so the passes still join and break the scheme.
 */
const INERT_CANDIDATE = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\]<]|:\/\/|www\.|\{\{/i;

/**
 * User text shown to others (reasons, comments, Teams display names): link syntax is broken up
 * so a requester cannot put a disguised link in front of an approver, and `<at>` tags so text
 * cannot pose as a mention where a message carries real ones; the audit log keeps the original.
 * A zero-width space goes after any URL scheme (`https:`, `ftp:`, `ms-teams:`…) and into a
 * `www.` host, the two forms clients turn into links by themselves, and between two `{` (Teams'
 * `{{DATE(…)}}` functions). Bidi controls (embeddings, overrides, isolates, marks) go: text
 * stored before names were cleaned could still carry one, and a U+202E at the end of a name
 * reverses the rest of its card line.
 */
export function inertText(text: string): string {
  // Most text (names, plain reasons) holds none of what the replacements look for: returned as
  // it is, without six passes (cards show many such strings per flow).
  if (!INERT_CANDIDATE.test(text)) return text;
  return (
    withoutBidiControls(text)
      .replace(/\]\s*\(/g, '] (')
      .replace(/([a-z][a-z0-9+.-]*):\/\//gi, '$1:\u200b//')
      .replace(/\b(www)\./gi, '$1\u200b.')
      .replace(/<(\/?)at\b/gi, '<$1\u200bat')
      // Teams draws `{{DATE(…)}}` and `{{TIME(…)}}` in a TextBlock as a date in the reader's own
      // zone: a reason could show a made-up date as if acrbot had written it. Every `{` before
      // another is split from it (lookahead: `{{{` keeps no pair).
      .replace(/\{(?=\{)/g, '{\u200b')
  );
}

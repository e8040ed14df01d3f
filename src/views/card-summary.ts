/**
 * The one plain-text line a card activity carries beside its card (the activity's `summary`):
 * what Teams shows in a notification, the activity feed and a chat's preview, which otherwise
 * read only "acrbot sent a card". It is the card's title, the first line every template shows
 * after the sandbox banner, made plain: no markdown link, image or tag survives into a toast.
 * Cards never hold a secret, so neither does their title.
 */
import { withoutBidiControls } from '../domain/text';
import type { AdaptiveCardJson } from './card-templates';
import { inertText } from './inert-text';

/** The longest summary, in characters: a toast or preview shows about this much. */
export const SUMMARY_MAX_CHARS = 120;

/** An element of a card's body, as far as finding its title needs. */
interface Element {
  type?: unknown;
  text?: unknown;
  items?: unknown;
  columns?: unknown;
}

/**
 * The summary of `card`: its title ({@link cardTitle}) as one plain line of at most
 * {@link SUMMARY_MAX_CHARS} characters; undefined for a card without any text.
 */
export function cardSummary(card: AdaptiveCardJson): string | undefined {
  const title = cardTitle(card);
  if (title === undefined) return undefined;
  const line = plainLine(title);
  if (!line) return undefined;
  // Cut by code points, so an emoji or a character outside the BMP is never split in half.
  const chars = Array.from(line);
  return chars.length <= SUMMARY_MAX_CHARS
    ? line
    : `${chars
        .slice(0, SUMMARY_MAX_CHARS - 1)
        .join('')
        .trimEnd()}…`;
}

/**
 * The card's title: the text of the first TextBlock of its body, depth first through containers
 * and columns, past the sandbox banner (a Container first in the body whose first line starts
 * with "SANDBOX", as the templates in cards/ draw it); undefined when there is none.
 */
export function cardTitle(card: AdaptiveCardJson): string | undefined {
  const body = Array.isArray(card.body) ? (card.body as Element[]) : [];
  return firstText(hasSandboxBanner(card) ? body.slice(1) : body);
}

/**
 * Whether `card` carries the sandbox banner: every template puts it first in the body, a
 * warning-styled Container whose first line starts with "SANDBOX" (the templates in cards/).
 */
export function hasSandboxBanner(card: AdaptiveCardJson): boolean {
  const element = (Array.isArray(card.body) ? (card.body as Element[]) : [])[0];
  if (element?.type !== 'Container' || !Array.isArray(element.items)) return false;
  const line = (element.items as Element[])[0];
  return line?.type === 'TextBlock' && typeof line.text === 'string' && line.text.startsWith('SANDBOX');
}

function firstText(elements: unknown): string | undefined {
  if (!Array.isArray(elements)) return undefined;
  for (const element of elements as Element[]) {
    if (!element || typeof element !== 'object') continue;
    if (element.type === 'TextBlock' && typeof element.text === 'string' && element.text.trim()) return element.text;
    const inner =
      element.type === 'Container'
        ? firstText(element.items)
        : element.type === 'ColumnSet' && Array.isArray(element.columns)
          ? firstText((element.columns as Element[]).flatMap((c) => (Array.isArray(c?.items) ? c.items : [])))
          : undefined;
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/**
 * `text` (a TextBlock's, which Teams renders as a subset of markdown) as plain text on one line:
 * an image goes, a link keeps its words only, a tag (`<at>`, anything HTML-like) goes and leaves
 * its content, bold and italic marks go, bidi controls go; then {@link inertText}, so a scheme
 * or `www.` still in the words is not turned into a link by the client.
 */
function plainLine(text: string): string {
  const plain = withoutBidiControls(text)
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<\/?[a-z][^<>]*>/gi, '')
    .replace(/\*\*|__/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return inertText(plain);
}

/**
 * The text of a Teams message as a person typed it. Teams sends it as HTML: mentions as
 * `<at>Name</at>`, formatting as tags, and `&`, `<`, `>`, quotes and non-breaking spaces as
 * entities, which would otherwise reach a command's names and a request's reason ("R&amp;D").
 */

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * What a person typed, without markup: mentions before the command (a colleague mentioned ahead
 * of acrbot) are not part of it; later ones keep the name ("deploy for Alex Approver"); other
 * tags become spaces; entities become their characters (after the tags are gone, so a typed
 * `&lt;b&gt;` stays text).
 */
export function messageText(text: string): string {
  return text
    .replace(/^(?:\s*<at>[^<]*<\/at>)+/i, '')
    .replace(/<at>([^<]*)<\/at>/gi, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#\d{1,6}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, name: string) => decodeEntity(name) ?? whole)
    .trim();
}

/** The character of a named or numeric entity; undefined for one that is not known. */
function decodeEntity(name: string): string | undefined {
  // Own keys only: `&constructor;` must stay text, not become Object.prototype's function.
  if (name[0] !== '#') return Object.hasOwn(ENTITIES, name.toLowerCase()) ? ENTITIES[name.toLowerCase()] : undefined;
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/**
 * The lenient URL parse the storage and audit-anchor settings use: whatever the WHATWG parser
 * takes. The endpoint settings' stricter one, which also refuses white space, is url-settings.ts's.
 */

/** The URL, or undefined when `text` is not one. */
export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

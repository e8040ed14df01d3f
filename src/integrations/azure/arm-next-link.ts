/**
 * The checks an ARM listing makes of each nextLink before it asks for that page, in one place for
 * every listing: those ArmRest pages itself (arm-rest.ts) and those an SDK's pager pages, taken
 * one page at a time (arm-registry-tokens.ts). The pipeline sends the bearer token wherever a
 * link points, and a service that keeps handing out nextLinks must not keep a listing going for
 * ever.
 */

/**
 * Most pages one listing may take. ARM pages hold hundreds of items and a subscription at most a
 * few thousand role assignments; a listing longer than this is a service that keeps handing out
 * new nextLinks, not data.
 */
export const MAX_LIST_PAGES = 500;

/**
 * The nextLinks of one ARM listing, each checked before its page is asked for: only to `origin`
 * (the pipeline sends the bearer token wherever a link points), never to a page already asked
 * for (a loop), and at most {@link MAX_LIST_PAGES} pages in all, the first counted; otherwise the
 * listing fails, named as `what`. For ArmRest.list (arm-rest.ts), and for a listing an SDK pages,
 * taken one page at a time (arm-registry-tokens.ts countListed).
 */
export class NextLinkGuard {
  /** Pages asked for so far: the first, asked before any link. */
  private pages = 1;
  /** The URLs asked for, to tell a loop. */
  private readonly asked = new Set<string>();

  /**
   * `what`: the listing, as its failures name it. `first`: the first page's URL, when the caller
   * knows it (a link back to it is a loop too).
   */
  constructor(
    private readonly what: string,
    first?: string,
  ) {
    if (first !== undefined) this.asked.add(first);
  }

  /**
   * `url` (default `link`), the page `link` names, when it may be asked for; throws otherwise.
   * `origin`: the only origin it may point to; undefined while the first page's is not known,
   * when no link is followed. `url` is what is asked for, and so what a loop is told by (ArmRest
   * adds its api-version to a link without one).
   */
  follow(link: string, origin: string | undefined, url = link): string {
    if (this.pages >= MAX_LIST_PAGES)
      throw new Error(`${this.what} did not end after ${MAX_LIST_PAGES} pages; stopped`);
    let next: URL;
    try {
      next = new URL(link);
    } catch (err) {
      throw new Error(`${this.what} answered a nextLink that is not an absolute URL`, { cause: err });
    }
    // Only the origin in the message: the rest of a link is the service's, not ours to log.
    if (origin === undefined || next.origin !== origin)
      throw new Error(
        `${this.what} answered a nextLink to ${next.origin}, not ${origin ?? 'the origin of its first page'}; not followed (it would carry the bearer token there)`,
      );
    if (this.asked.has(url))
      throw new Error(`${this.what} answered a nextLink to a page it already fetched (a loop); stopped`);
    this.asked.add(url);
    this.pages++;
    return url;
  }
}

/**
 * The walk down an error's `cause` chain that failure readers share (what status did Azure
 * answer, which request id, was it a refusal Teams gave this turn). Bounded, because a cause is
 * whatever a library put there: a chain is followed only so far, and a cycle (an error that is
 * its own cause, directly or further down) ends it rather than running to the bound.
 */

/** How many links {@link causesOf} follows unless told otherwise: `err` and four causes below it. */
const CAUSE_DEPTH = 5;

/**
 * `err`, then its `cause`, that one's `cause`, and so on: at most `maxDepth` values, ending at the
 * first falsy one (no cause) or at a value yielded already (a cycle). Any truthy value is
 * yielded, not only Errors: a plain object's `cause` is followed, a string or number (which has
 * none) ends the chain after it. Readers narrow each value themselves.
 */
export function* causesOf(err: unknown, maxDepth: number = CAUSE_DEPTH): Generator<unknown, void, undefined> {
  const seen = new Set<unknown>();
  for (let e = err, depth = 0; e && depth < maxDepth && !seen.has(e); e = (e as { cause?: unknown }).cause, depth++) {
    seen.add(e);
    yield e;
  }
}

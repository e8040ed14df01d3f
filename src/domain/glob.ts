/**
 * The policy's glob patterns: `*` is any run of characters, `?` one, everything else itself,
 * compared without regard to case. Matched by walking pattern and value together rather than
 * through a regular expression: `.*` runs backtrack, so a pattern such as `**********x` against a
 * 63-character name took minutes and blocked the event loop on every request and tab row. This
 * walk takes at most (pattern length × value length) steps, whatever the pattern.
 */

/** `*` (any run of characters) as a UTF-16 code unit; no character folds to it. */
export const STAR = 42;
/** `?` (one character) as a UTF-16 code unit; no character folds to it. */
export const ONE = 63;

/**
 * A code unit as JavaScript's case-insensitive regular expressions (without the `u` flag)
 * compare it: its upper case when that is one code unit, except that nothing outside ASCII
 * becomes ASCII (so `ſ` is not `s`, nor the Kelvin sign `k`). Matches keep the meaning the
 * earlier `RegExp(…, 'is')` gave them.
 */
export function folded(text: string): Uint16Array {
  const out = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const upper = String.fromCharCode(unit).toUpperCase();
    out[i] = upper.length === 1 && !(unit >= 128 && upper.charCodeAt(0) < 128) ? upper.charCodeAt(0) : unit;
  }
  return out;
}

/**
 * How many folded patterns {@link foldedPattern} keeps: a policy holds tens of them, so this
 * keeps every pattern of any real policy (and of the one before a reload) while bounding what a
 * long-running process with many reloads can accumulate.
 */
const MAX_FOLDED_PATTERNS = 1024;
const foldedPatterns = new Map<string, Uint16Array>();

/**
 * A pattern {@link folded}, once per pattern: each request and tab row matches every rule's
 * patterns against several fields, and the patterns are the policy's few. Memoised (a pure
 * function's result, never written to once made), the oldest dropped once the bound is reached.
 */
export function foldedPattern(pattern: string): Uint16Array {
  let out = foldedPatterns.get(pattern);
  if (out) return out;
  out = folded(pattern);
  if (foldedPatterns.size >= MAX_FOLDED_PATTERNS) foldedPatterns.delete(foldedPatterns.keys().next().value as string);
  foldedPatterns.set(pattern, out);
  return out;
}

/**
 * Whether `value` fits `pattern`, case-insensitively: `*` any run of characters (none too), `?`
 * exactly one (a UTF-16 code unit), every other character itself. There is no escape: a pattern
 * cannot ask for a literal `*` or `?`, which no name it is compared with has.
 *
 * The classic two-pointer walk: on a mismatch after a `*`, that `*` takes one more character and
 * the walk resumes behind it. Only the latest `*` is ever retried (an earlier one could only
 * consume what the later one can), so no step is undone more than the value is long.
 */
export function globMatches(pattern: string, value: string): boolean {
  const p = foldedPattern(pattern);
  const v = folded(value);
  let pi = 0;
  let vi = 0;
  let star = -1; // where the latest `*` is in the pattern
  let resume = 0; // the value position that `*` has consumed up to
  while (vi < v.length) {
    if (pi < p.length && p[pi] !== STAR && (p[pi] === ONE || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === STAR) {
      star = pi++;
      resume = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++resume;
    } else return false;
  }
  while (pi < p.length && p[pi] === STAR) pi++;
  return pi === p.length;
}

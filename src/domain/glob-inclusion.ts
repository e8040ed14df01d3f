/**
 * Whether every value one policy glob fits is fitted by another (or by one of a list): the
 * languages of the patterns of glob.ts (`*` any run of code units, `?` one, every other unit
 * itself after case folding), compared exactly. Used to find a rule no request can reach because
 * an earlier rule fits every request it fits; a wrong "yes" would refuse a valid policy file at
 * start, so the answer is "yes" only when inclusion is proven, and "cannot tell" past a budget.
 *
 * The walk: the inner pattern is read as an automaton, the outer ones as the subset automaton
 * of their union, built only as far as the inner pattern drives it. Letters only matter by the
 * outer patterns' literals: every other unit acts alike on them (one stand-in, {@link OTHER}),
 * and the alphabet always has such a unit. A pair (inner position, set of outer positions)
 * reached where the inner pattern accepts and no outer one does is a value of the inner pattern
 * the outer ones refuse; an empty set of outer positions is one too, since every rest of a
 * pattern fits some text. Exact, not a heuristic: `a*b` is inside `*?b*` though no pairing of
 * their characters shows it.
 */
import { foldedPattern as folded, globMatches, ONE, STAR } from './glob';

/** Any unit no outer pattern has as a literal (folded units are 0–65535). */
const OTHER = -1;

/**
 * Work allowed for a set of comparisons (one policy load): each outer position stepped counts
 * one. Globs of real policies take tens of steps; subset automata can grow exponentially
 * (`*a??????????????????`), so the walk stops when the budget runs out and answers "cannot tell".
 */
export interface InclusionBudget {
  /** Steps left; decremented as the walk goes. */
  left: number;
}

/** Steps a fresh budget allows: far more than any real policy needs (tens per pair of rules), under 100 ms. */
export const DEFAULT_INCLUSION_STEPS = 100_000;

/** Pairs one comparison may visit, whatever its budget. */
const MAX_PAIRS = 1024;

/** The union of outer patterns as one automaton: positions of all patterns, numbered in a row. */
interface Outer {
  /** What is at each position: a folded unit, {@link STAR}, {@link ONE}, or END for a pattern's end. */
  token: Int32Array;
  starts: number[];
  /** The distinct literal units of the outer patterns, and {@link OTHER}. */
  symbols: number[];
}

const END = -2;

function outerOf(patterns: readonly string[]): Outer {
  const tokens: number[] = [];
  const starts: number[] = [];
  const literals = new Set<number>();
  for (const pattern of patterns) {
    starts.push(tokens.length);
    for (const unit of folded(pattern)) {
      tokens.push(unit);
      if (literal(unit)) literals.add(unit);
    }
    tokens.push(END);
  }
  return { token: Int32Array.from(tokens), starts, symbols: [...literals, OTHER] };
}

/** Whether a folded unit is a literal (neither `*` nor `?`). */
const literal = (unit: number) => unit !== STAR && unit !== ONE;

/**
 * The outer positions after reading `symbol` from any of the ascending `set` (undefined: none
 * read, the start), with every position a `*` may skip to (a `*` fits no text too); ascending.
 * A position moves to itself or the next, and what a `*` skips to is a run after it, so one
 * pass in order, skipping what the last run already holds, keeps the result ordered and unique.
 */
function stepped(outer: Outer, set: readonly number[], symbol: number | undefined, budget: InclusionBudget): number[] {
  budget.left -= set.length + 4;
  const next: number[] = [];
  let last = -1;
  for (const s of set) {
    const t = outer.token[s];
    let p = symbol === undefined ? s : t === STAR ? s : t === ONE || t === symbol ? s + 1 : -1;
    if (p <= last) continue;
    next.push((last = p));
    while (outer.token[p] === STAR) next.push((last = ++p));
  }
  return next;
}

/**
 * The answer without a walk when `outer` is one pattern of the commonest shapes, a name or a
 * prefix and `*` (`aks-prod`, `aks-*`), else undefined. A name fits only itself, so only the
 * same name is inside it. A prefix and `*` fits the texts starting with the prefix: the inner
 * pattern is inside it exactly when it starts with the same literals, since a wildcard among its
 * first units could take a unit the prefix does not have there (and a shorter inner pattern
 * fits a text shorter than the prefix).
 */
function prefixAnswer(outer: readonly string[], inner: Uint16Array): boolean | undefined {
  if (outer.length !== 1) return undefined;
  const o = folded(outer[0]);
  const stars = o.filter((unit) => unit === STAR).length;
  const open = stars === 1 && o[o.length - 1] === STAR;
  if (o.includes(ONE) || (stars > 0 && !open)) return undefined;
  const prefix = open ? o.length - 1 : o.length;
  if (!open && inner.length !== prefix) return false;
  if (inner.length < prefix) return false;
  for (let k = 0; k < prefix; k++) if (!literal(inner[k]) || inner[k] !== o[k]) return false;
  // A name: the same units, none of them a wildcard. A prefix: whatever follows it.
  return true;
}

/**
 * Texts of the inner pattern to try first: each `*` as nothing or as one unit, each `?` as one
 * unit, that unit one no outer pattern has. Most patterns not inside the outer ones fit one of
 * these that no outer one fits ("-team1-" for `*-team1-*` against `*-team0-*`), which ends the
 * comparison before the walk; a text fitted proves nothing, so the walk decides then.
 */
function refuted(outer: readonly string[], inner: string): boolean {
  // A control character: it folds to itself, and no other character folds to it.
  let unit = '\u0001';
  while (outer.some((p) => p.includes(unit))) unit = String.fromCharCode(unit.charCodeAt(0) + 1);
  return [inner.replace(/\*/g, '').replace(/\?/g, unit), inner.replace(/[*?]/g, unit)].some(
    (text) => !outer.some((p) => globMatches(p, text)),
  );
}

/**
 * Whether every text `inner` fits is fitted by one of `outer` (case folded as globMatches
 * does): true, false, or undefined when the budget or {@link MAX_PAIRS} ran out first.
 */
export function globIncludes(
  outer: readonly string[],
  inner: string,
  budget: InclusionBudget = { left: DEFAULT_INCLUSION_STEPS },
): boolean | undefined {
  // Only `*`s fit every text: the common catch-all, answered without a walk.
  if (outer.some((p) => /^\*+$/.test(p))) return true;
  const n = folded(inner);
  // The same pattern (in any case) needs no walk either, however large its automaton.
  if (outer.some((p) => p.length === n.length && folded(p).every((unit, k) => unit === n[k]))) return true;
  const quick = prefixAnswer(outer, n);
  if (quick !== undefined) return quick;
  if (refuted(outer, inner)) return false;
  const o = outerOf(outer);
  const seen = new Set<string>();
  const queue: [number, number[]][] = [];
  const visit = (i: number, set: number[]) => {
    const key = `${i}|${set.join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push([i, set]);
  };
  visit(0, stepped(o, o.starts, undefined, budget));
  // Breadth first: a text of the inner pattern the outer ones refuse is found at its shortest.
  for (let head = 0; head < queue.length; head++) {
    if (budget.left <= 0 || seen.size > MAX_PAIRS) return undefined;
    const [i, set] = queue[head];
    // Some text of the inner pattern led here, and every rest of it leaves the outer ones behind.
    if (set.length === 0) return false;
    if (i === n.length) {
      if (!set.some((s) => o.token[s] === END)) return false;
      continue;
    }
    const unit = n[i];
    if (unit === STAR) {
      visit(i + 1, set);
      for (const symbol of o.symbols) visit(i, stepped(o, set, symbol, budget));
    } else if (unit === ONE) for (const symbol of o.symbols) visit(i + 1, stepped(o, set, symbol, budget));
    // A unit no outer pattern has acts as OTHER does: no outer literal equals it.
    else visit(i + 1, stepped(o, set, unit, budget));
  }
  return true;
}

/**
 * Whether every text one of `inner` fits is fitted by one of `outer`: true only when that is
 * proven for each inner pattern ({@link globIncludes}), false when it is not or cannot be told.
 */
export function globListIncludes(
  outer: readonly string[],
  inner: readonly string[],
  budget: InclusionBudget = { left: DEFAULT_INCLUSION_STEPS },
): boolean {
  return inner.every((p) => globIncludes(outer, p, budget) === true);
}

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
import { foldedPattern as folded, ONE, STAR } from './glob';

/** Any unit no outer pattern has as a literal (folded units are 0–65535). */
const OTHER = -1;

/**
 * Work allowed for a set of comparisons (one policy load): each outer position stepped counts
 * one, and so does each unit of the patterns read to answer without a walk. Globs of real
 * policies take tens of steps; subset automata can grow exponentially (`*a??????????????????`),
 * and a file can hold thousands of rules of long patterns, so once the budget is spent every
 * comparison answers "cannot tell" at once, doing nothing: the work of a load is the budget and
 * one comparison's patterns at most, whatever the file.
 */
export interface InclusionBudget {
  /** Steps left; decremented as the walk goes. */
  left: number;
}

/**
 * Steps a fresh budget allows: every pair of rules of a policy of about two hundred rules of
 * names and prefixes (some forty steps a pair, the reading of both rules' patterns included),
 * and some tens of milliseconds of work when a hostile file spends it all.
 */
export const DEFAULT_INCLUSION_STEPS = 1_000_000;

/** Pairs one comparison may visit, whatever its budget. */
const MAX_PAIRS = 1024;

/** The union of outer patterns as one automaton: positions of all patterns, numbered in a row. */
interface Outer {
  /** What is at each position: a folded unit, {@link STAR}, {@link ONE}, or END for a pattern's end. */
  token: Int32Array;
  starts: number[];
  /** The distinct literal units of the outer patterns, and {@link OTHER}. */
  symbols: number[];
  /** One of the patterns is nothing but `*`: it fits every text. */
  everything: boolean;
  /** The patterns folded, as text ({@link keyOf}): an inner pattern among them is inside. */
  keys: Set<string>;
  /** The one pattern, when there is one and it is a name or a prefix and `*` ({@link prefixAnswer}). */
  prefix?: Prefix;
}

/** A name (`aks-prod`) or a prefix and `*` (`aks-*`): its literal units, and whether a `*` ends it. */
interface Prefix {
  units: Uint16Array;
  open: boolean;
}

/**
 * What a comparison costs besides the units it reads, in steps: the sets, arrays and texts made
 * for it. Without it a file of thousands of short patterns would do far more work than its steps
 * say (each pair of rules reads their few units, but makes a dozen objects to do so).
 */
const CALL_STEPS = 8;

const END = -2;

/** A folded pattern as text, to find the same pattern (in any case) in a set. */
const keyOf = (units: Uint16Array) => units.join(',');

/** The outer patterns read once, charged to `budget` by their length (the work of reading them). */
function outerOf(patterns: readonly string[], budget: InclusionBudget): Outer {
  const tokens: number[] = [];
  const starts: number[] = [];
  const literals = new Set<number>();
  const keys = new Set<string>();
  let everything = false;
  for (const pattern of patterns) {
    const units = folded(pattern);
    budget.left -= units.length + 1;
    starts.push(tokens.length);
    keys.add(keyOf(units));
    if (units.every((unit) => unit === STAR) && units.length > 0) everything = true;
    for (const unit of units) {
      tokens.push(unit);
      if (literal(unit)) literals.add(unit);
    }
    tokens.push(END);
  }
  budget.left -= CALL_STEPS;
  const prefix = patterns.length === 1 ? prefixOf(folded(patterns[0])) : undefined;
  return { token: Int32Array.from(tokens), starts, symbols: [...literals, OTHER], everything, keys, prefix };
}

/** A pattern as a {@link Prefix}, or undefined when it has a `?` or a `*` before its end. */
function prefixOf(o: Uint16Array): Prefix | undefined {
  const open = o[o.length - 1] === STAR;
  const units = open ? o.subarray(0, o.length - 1) : o;
  return units.every(literal) ? { units, open } : undefined;
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
  const next: number[] = [];
  let last = -1;
  for (const s of set) {
    const t = outer.token[s];
    let p = symbol === undefined ? s : t === STAR ? s : t === ONE || t === symbol ? s + 1 : -1;
    if (p <= last) continue;
    next.push((last = p));
    while (outer.token[p] === STAR) next.push((last = ++p));
  }
  // What was read and what was written: a run of `*`s can make the set larger than it was.
  budget.left -= set.length + next.length + 4;
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
function prefixAnswer(outer: Prefix | undefined, inner: Uint16Array): boolean | undefined {
  if (!outer) return undefined;
  const { units, open } = outer;
  if (!open && inner.length !== units.length) return false;
  if (inner.length < units.length) return false;
  for (let k = 0; k < units.length; k++) if (!literal(inner[k]) || inner[k] !== units[k]) return false;
  // A name: the same units, none of them a wildcard. A prefix: whatever follows it.
  return true;
}

/**
 * Whether one of the texts of the inner pattern tried first fits no outer pattern (then the
 * inner one is not inside), undefined when the budget ran out while reading them. The texts:
 * each `*` as nothing or as one unit, each `?` as one unit, that unit {@link OTHER}, which no
 * outer pattern has. Most patterns not inside the outer ones fit one of these that no outer one
 * fits ("-team1-" for `*-team1-*` against `*-team0-*`), which ends the comparison before the
 * walk; a text fitted proves nothing, so the walk decides then. Read by the outer automaton,
 * so every step is charged as the walk's are.
 */
function refuted(o: Outer, inner: Uint16Array, budget: InclusionBudget): boolean | undefined {
  const wild = (unit: number) => (unit === ONE ? OTHER : unit);
  const texts = [
    [...inner].filter((unit) => unit !== STAR).map(wild),
    [...inner].map((unit) => (literal(unit) ? unit : OTHER)),
  ];
  for (const text of texts) {
    let set = stepped(o, o.starts, undefined, budget);
    for (let k = 0; k < text.length && set.length > 0; k++) {
      if (budget.left <= 0) return undefined;
      set = stepped(o, set, text[k], budget);
    }
    if (!set.some((s) => o.token[s] === END)) return true;
  }
  return false;
}

/**
 * Whether every text `inner` fits is fitted by one of `outer` (case folded as globMatches
 * does): true, false, or undefined when the budget or {@link MAX_PAIRS} ran out first. Every
 * answer is charged to `budget`, those found without a walk too, by the units read; once it is
 * spent, the answer is undefined without reading anything.
 */
export function globIncludes(
  outer: readonly string[],
  inner: string,
  budget: InclusionBudget = { left: DEFAULT_INCLUSION_STEPS },
): boolean | undefined {
  if (budget.left <= 0) return undefined;
  return includes(outerOf(outer, budget), inner, budget);
}

/** {@link globIncludes} with the outer patterns read already (a list compares each of its patterns with them). */
function includes(o: Outer, inner: string, budget: InclusionBudget): boolean | undefined {
  if (budget.left <= 0) return undefined;
  const n = folded(inner);
  budget.left -= n.length + CALL_STEPS;
  // Only `*`s fit every text: the common catch-all, answered without a walk.
  if (o.everything) return true;
  // The same pattern (in any case) needs no walk either, however large its automaton.
  if (o.keys.has(keyOf(n))) return true;
  const quick = prefixAnswer(o.prefix, n);
  if (quick !== undefined) return quick;
  const refutation = refuted(o, n, budget);
  if (refutation !== false) return refutation ? false : undefined;
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
  if (budget.left <= 0) return false;
  const o = outerOf(outer, budget);
  return inner.every((p) => includes(o, p, budget) === true);
}
